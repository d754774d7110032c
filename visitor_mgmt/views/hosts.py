"""Host pages: list, detail, and the manual write paths (admins only).

Directory-managed hosts are read-only here: their write URLs refuse, whatever the method,
and send the user back to the host with the reason.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from visitor_mgmt.forms import HostFilterForm, HostForm, HostImportForm
from visitor_mgmt.models import HOST_FIELD_LABELS, Source
from visitor_mgmt.permissions import account_admin_required, account_member_required
from visitor_mgmt.selectors import hosts as host_selectors
from visitor_mgmt.services import csv_import
from visitor_mgmt.services import hosts as host_services
from visitor_mgmt.services.visits import host_has_no_address
from visitor_mgmt.sorting import resolve_sorting
from visitor_mgmt.uploads import capped_upload_handlers, upload_declared_too_large
from visitor_mgmt.views.common import (
    add_service_errors,
    found_or_404,
    paginate,
    refuse_directory_managed,
)


def _host_or_404(request, public_id):
    return found_or_404(
        host_selectors.host_get,
        "No such host in this account.",
        account=request.account,
        public_id=public_id,
    )


def _detail_url(host):
    return reverse("hosts:detail", args=[host.public_id])


# Write views get the host itself; a directory-managed one is refused and the user sent back.


def _saved_message(request, host, text):
    """One message for the save; it warns when visitors choosing the host reach nobody."""
    if host.is_active and host_has_no_address(host):
        instead = (
            "reception is told instead."
            if request.account.kiosk_fallback_email
            else "the visitor is asked to go to reception."
        )
        messages.warning(
            request,
            f"{text} {host} has no e-mail address, so they cannot be told when a visitor "
            f"chooses them at the kiosk: {instead} Add an e-mail address.",
        )
    else:
        messages.success(request, text)


# Sortable columns of the host list: ?sort=<key> or ?sort=-<key> (visitor_mgmt/sorting.py).
HOST_SORT_COLUMNS = {
    "name": ("last_name", "first_name"),
    "email": ("email",),
    "department": ("department",),
    "status": ("-is_active",),
    "source": ("source",),
}


@account_member_required
def host_list(request):
    filter_form = HostFilterForm(request.GET)
    sorting = resolve_sorting(request.GET.get("sort"), columns=HOST_SORT_COLUMNS, default="name")
    hosts = host_selectors.host_list(account=request.account, **filter_form.filters())
    page = paginate(request, hosts.order_by(*sorting.order_by))
    return render(
        request,
        "hosts/list.html",
        {
            "filter_form": filter_form,
            "page_obj": page,
            "hosts": page.object_list,
            "sorting": sorting,
            "filtered": any(request.GET.get(k) for k in ("q", "active", "source")),
        },
    )


@account_member_required
def host_detail(request, public_id):
    host = _host_or_404(request, public_id)
    groups = host_selectors.host_groups_of(host=host)
    return render(request, "hosts/detail.html", {"host": host, "groups": groups})


@account_admin_required
@require_http_methods(["GET", "POST"])
def host_create(request):
    form = HostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            host = host_services.host_create(
                account=request.account, source=Source.MANUAL, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _saved_message(request, host, f"Host {host} was added.")
            return redirect(_detail_url(host))
    return render(request, "hosts/form.html", {"form": form, "host": None})


@account_admin_required
@require_http_methods(["GET", "POST"])
def host_edit(request, public_id):
    host = _host_or_404(request, public_id)
    if host.is_directory_managed:  # read-only everywhere but in the directory
        return refuse_directory_managed(request, host, _detail_url(host))
    form = HostForm(
        request.POST if request.method == "POST" else None, initial=HostForm.initial_for(host)
    )
    if request.method == "POST" and form.is_valid():
        try:
            host_services.host_update(host=host, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _saved_message(request, host, f"Host {host} was saved.")
            return redirect(_detail_url(host))
    return render(request, "hosts/form.html", {"form": form, "host": host})


def _set_active(request, public_id, *, active):
    host = _host_or_404(request, public_id)
    if host.is_directory_managed:  # read-only everywhere but in the directory
        return refuse_directory_managed(request, host, _detail_url(host))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if active:
        host_services.host_reactivate(host=host)
        _saved_message(request, host, f"{host} is active again and can be found at the kiosk.")
    else:
        host_services.host_deactivate(host=host)
        messages.success(request, f"{host} is inactive: hidden at the kiosk, never notified.")
    return redirect(_detail_url(host))


@account_admin_required
def host_deactivate(request, public_id):
    return _set_active(request, public_id, active=False)


@account_admin_required
def host_reactivate(request, public_id):
    return _set_active(request, public_id, active=True)


@account_admin_required
@require_http_methods(["GET", "POST"])
def host_delete(request, public_id):
    host = _host_or_404(request, public_id)
    if host.is_directory_managed:  # read-only everywhere but in the directory
        return refuse_directory_managed(request, host, _detail_url(host))
    if request.method == "POST":
        host_services.host_delete(host=host)
        messages.success(request, f"Host {host} was deleted. Past visits keep their name.")
        return redirect("hosts:list")
    return render(request, "hosts/confirm_delete.html", {"host": host})


# csrf_exempt only so the upload handlers can be set before CsrfViewMiddleware reads the
# body (Django's documented way); _host_import is csrf_protect'ed, and a refusal of an
# oversized upload reads nothing and changes nothing.
@csrf_exempt
@account_admin_required
@require_http_methods(["GET", "POST"])
def host_import(request):
    if request.method == "POST":
        if upload_declared_too_large(request, max_bytes=csv_import.MAX_FILE_BYTES):
            return _import_page(request, HostImportForm.refused(csv_import.too_large_message()))
        handler = capped_upload_handlers(request, max_bytes=csv_import.MAX_FILE_BYTES)
        return _host_import(request, handler)
    return _host_import(request, None)


@csrf_protect
def _host_import(request, upload_handler):
    files = request.FILES  # parsed through the capped handler, if any
    if upload_handler is not None and upload_handler.too_large:
        return _import_page(request, HostImportForm.refused(csv_import.too_large_message()))
    form = HostImportForm(request.POST if request.method == "POST" else None, files or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = csv_import.hosts_import_csv(
                account=request.account, upload=form.cleaned_data["file"]
            )
        except csv_import.CsvFileError as exc:
            form.add_error("file", str(exc))
        # The report card below the form states the outcome: no message repeats it.
    return _import_page(request, form, report)


def _import_page(request, form, report=None):
    return render(
        request,
        "hosts/import.html",
        {
            "form": form,
            "report": report,
            "columns": csv_import.TEMPLATE_COLUMNS,
            "column_labels": [(c, HOST_FIELD_LABELS[c]) for c in csv_import.TEMPLATE_COLUMNS],
            "max_rows": csv_import.MAX_ROWS,
            "max_megabytes": csv_import.MAX_FILE_BYTES // (1024 * 1024),
        },
    )


@account_admin_required
def host_import_template(request):
    response = HttpResponse(csv_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hosts-template.csv"'
    return response
