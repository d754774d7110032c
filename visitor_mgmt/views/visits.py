"""The Visits page of the admin site: today's and past visits, filters, CSV export."""

import csv
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from visitor_mgmt.forms import VisitFilterForm
from visitor_mgmt.permissions import account_member_required
from visitor_mgmt.selectors.hosts import host_by_public_id
from visitor_mgmt.selectors.visits import (
    RECEPTION_LABEL,
    visit_get,
    visit_target_label,
    visits_for_account,
)
from visitor_mgmt.services.visits import is_reception_visit, visit_sign_out
from visitor_mgmt.sorting import resolve_sorting
from visitor_mgmt.views.common import found_or_404

PAGE_SIZE = 50
CSV_COLUMNS = [
    "signed_in_at",
    "signed_out_at",
    "visitor_name",
    "visitor_email",
    "visitor_company",
    "host",
    "host_group",
    "notification_status",
]


def _filtered_visits(request):
    """(form, queryset, querystring without the page) for the request's filters."""
    form = VisitFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    host = None
    if filters.get("host_id"):
        host = host_by_public_id(account=request.account, public_id=filters["host_id"])
    visits = visits_for_account(
        account=request.account,
        host_query=filters.get("host", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        host=host,
    )
    if filters.get("host_id") and host is None:
        visits = visits.none()
    params = {
        k: request.GET[k] for k in ("host", "date_from", "date_to", "host_id") if k in request.GET
    }
    params = {k: v for k, v in params.items() if v}
    return form, visits, urlencode(params)


# Sortable columns of the Visits page (visitor_mgmt/sorting.py); newest first by default.
VISIT_SORT_COLUMNS = {
    "signed_in": ("signed_in_at",),
    "visitor": ("visitor_name",),
    "visiting": ("host_name", "host_group_name"),
    "notification": ("notification_status",),
}


@account_member_required
def visit_list(request):
    form, visits, querystring = _filtered_visits(request)
    sorting = resolve_sorting(
        request.GET.get("sort"), columns=VISIT_SORT_COLUMNS, default="-signed_in"
    )
    visits = visits.order_by(*sorting.order_by).select_related("host")
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    for visit in page.object_list:
        visit.target = visit_target_label(visit)
        visit.host_gone = visit.host is not None and (
            visit.host.is_deleted or not visit.host.is_active
        )
    today = timezone.localdate().isoformat()
    return render(
        request,
        "visits/list.html",
        {
            "form": form,
            "page": page,
            "page_obj": page,
            "sorting": sorting,
            "filtered": bool(querystring),
            "querystring": querystring,
            "today_querystring": urlencode({"date_from": today, "date_to": today}),
        },
    )


def _csv_cell(value):
    """Neutralise spreadsheet formulas (=, +, -, @ at the start of a cell)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _local_iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _export_host(visit):
    """The host column: the host's name, or "Reception" for a visit sent to reception,
    as the Visits page shows it."""
    if not visit.host_name and is_reception_visit(visit):
        return RECEPTION_LABEL
    return visit.host_name


@account_member_required
def visit_export(request):
    """The same visits as the page (same filters), all of them, as CSV."""
    _, visits, _ = _filtered_visits(request)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for visit in visits.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    _csv_cell(v)
                    for v in (
                        _local_iso(visit.signed_in_at),
                        _local_iso(visit.signed_out_at),
                        visit.visitor_name,
                        visit.visitor_email,
                        visit.visitor_company,
                        _export_host(visit),
                        visit.host_group_name,
                        visit.notification_status,
                    )
                ]
            )

    filename = f"visits-{request.account.slug}-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@account_member_required
def visit_sign_out_view(request, visit_id):
    """Reception signs a visitor out on their behalf."""
    visit = found_or_404(
        visit_get, "No such visit in this account.", account=request.account, visit_id=visit_id
    )
    visit_sign_out(visit=visit)
    back = request.POST.get("next", "")
    if not back.startswith("/visits/"):
        back = "/visits/"
    return redirect(back)
