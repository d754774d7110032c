"""Host group pages: list, detail with members, and the manual write paths (admins only).

Groups managed by Microsoft Entra ID are read-only here, like directory hosts.
"""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from visitor_mgmt.forms import HostGroupForm, MemberSearchForm
from visitor_mgmt.models import Host, Source
from visitor_mgmt.permissions import (
    account_admin_required,
    account_member_required,
    is_account_admin,
)
from visitor_mgmt.selectors import hosts as host_selectors
from visitor_mgmt.services import hosts as host_services
from visitor_mgmt.sorting import resolve_sorting
from visitor_mgmt.views.common import (
    add_service_errors,
    found_or_404,
    paginate,
    refuse_directory_managed,
)

# How many candidates the "add members" search shows at once.
CANDIDATE_LIMIT = 20


def _group_or_404(request, public_id):
    return found_or_404(
        host_selectors.host_group_get,
        "No such host group in this account.",
        account=request.account,
        public_id=public_id,
    )


def _detail_url(group):
    return reverse("groups:detail", args=[group.public_id])


# Write views get the group itself; a directory-managed one is refused and the user sent back.

# Sortable columns of the group list (visitor_mgmt/sorting.py).
GROUP_SORT_COLUMNS = {"name": ("name",), "members": ("member_count",), "source": ("source",)}


@account_member_required
def group_list(request):
    search = request.GET.get("q", "")[:200]
    sorting = resolve_sorting(request.GET.get("sort"), columns=GROUP_SORT_COLUMNS, default="name")
    groups = host_selectors.host_group_list(account=request.account, search=search)
    page = paginate(request, groups.order_by(*sorting.order_by))
    return render(
        request,
        "groups/list.html",
        {"page_obj": page, "groups": page.object_list, "q": search, "sorting": sorting},
    )


@account_member_required
def group_detail(request, public_id):
    group = _group_or_404(request, public_id)
    members = paginate(request, host_selectors.host_group_member_list(group=group))
    search_form = MemberSearchForm(request.GET)
    candidates = None
    more_candidates = False
    can_edit = is_account_admin(request.user) and not group.is_directory_managed
    if can_edit and search_form.is_valid() and search_form.cleaned_data["q"]:
        # One more than shown: whether to say the list is cut short.
        candidates = list(
            host_selectors.host_group_candidate_list(
                group=group, search=search_form.cleaned_data["q"]
            )[: CANDIDATE_LIMIT + 1]
        )
        more_candidates = len(candidates) > CANDIDATE_LIMIT
        candidates = candidates[:CANDIDATE_LIMIT]
    return render(
        request,
        "groups/detail.html",
        {
            "group": group,
            "page_obj": members,
            "members": members.object_list,
            "search_form": search_form,
            "candidates": candidates,
            "more_candidates": more_candidates,
            "candidate_limit": CANDIDATE_LIMIT,
            "can_edit": can_edit,
        },
    )


@account_admin_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    form = HostGroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            group = host_services.host_group_create(
                account=request.account, source=Source.MANUAL, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Group {group} was created. Add its members below.")
            return redirect(_detail_url(group))
    return render(request, "groups/form.html", {"form": form, "group": None})


@account_admin_required
@require_http_methods(["GET", "POST"])
def group_edit(request, public_id):
    group = _group_or_404(request, public_id)
    if group.is_directory_managed:  # read-only everywhere but in the directory
        return refuse_directory_managed(request, group, _detail_url(group))
    form = HostGroupForm(
        request.POST if request.method == "POST" else None, initial={"name": group.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            host_services.host_group_update(group=group, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Group renamed to {group}.")
            return redirect(_detail_url(group))
    return render(request, "groups/form.html", {"form": form, "group": group})


@account_admin_required
@require_http_methods(["GET", "POST"])
def group_delete(request, public_id):
    group = _group_or_404(request, public_id)
    if group.is_directory_managed:  # read-only everywhere but in the directory
        return refuse_directory_managed(request, group, _detail_url(group))
    if request.method == "POST":
        name = str(group)
        host_services.host_group_delete(group=group)
        messages.success(request, f"Group {name} was deleted. Its hosts were not changed.")
        return redirect("groups:list")
    return render(request, "groups/confirm_delete.html", {"group": group})


def _posted_host_ids(request, group):
    """Ids of the posted hosts (by public id) that are live hosts of the group's account."""
    public_ids = []
    for value in request.POST.getlist("host"):
        try:
            public_ids.append(uuid.UUID(value))
        except ValueError:
            continue
    if not public_ids:
        return []
    return list(
        host_selectors.host_list(account=group.account_id)
        .filter(public_id__in=public_ids)
        .values_list("id", flat=True)
    )


def _change_members(request, public_id, *, add):
    group = _group_or_404(request, public_id)
    if group.is_directory_managed:  # read-only everywhere but in the directory
        return refuse_directory_managed(request, group, _detail_url(group))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    host_ids = _posted_host_ids(request, group)
    if not host_ids:
        messages.error(request, "No such host in this account.")
    elif add:
        added = host_services.host_group_members_add(group=group, host_ids=host_ids)
        messages.success(request, f"{_hosts_phrase(added, host_ids)} added to {group}.")
    else:
        removed = host_services.host_group_members_remove(group=group, host_ids=host_ids)
        messages.success(request, f"{_hosts_phrase(removed, host_ids)} removed from {group}.")
    return redirect(_back_to_group(request, group))


def _hosts_phrase(count, host_ids):
    """ "Jane Doe" when the one posted host changed, else "3 hosts" (properly plural)."""
    if count == 1 and len(host_ids) == 1:
        host = Host.objects.filter(pk=host_ids[0]).first()
        if host is not None:
            return str(host)
    return f"{count} host{pluralize(count)}"


def _back_to_group(request, group):
    """The group page with the member search the admin was using, so they can keep adding."""
    search = request.POST.get("q", "")[:200].strip()
    url = _detail_url(group)
    return f"{url}?{urlencode({'q': search})}" if search else url


@account_admin_required
def group_member_add(request, public_id):
    return _change_members(request, public_id, add=True)


@account_admin_required
def group_member_remove(request, public_id):
    return _change_members(request, public_id, add=False)
