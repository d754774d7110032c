"""Host group pages: list, detail with members, and the manual write paths (admins only).

Groups managed by Microsoft Entra ID are read-only here, like directory hosts.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from visitor_mgmt import selectors
from visitor_mgmt.forms import HostGroupForm, MemberSearchForm
from visitor_mgmt.models import Source
from visitor_mgmt.permissions import (
    account_admin_required,
    account_member_required,
    is_account_admin,
)
from visitor_mgmt.services import hosts as host_services
from visitor_mgmt.views.common import (
    add_service_errors,
    found_or_404,
    paginate,
    writable_record,
)

# How many candidates the "add members" search shows at once.
CANDIDATE_LIMIT = 20


def _group_or_404(request, public_id):
    return found_or_404(
        selectors.host_group_get,
        "No such host group in this account.",
        account=request.account,
        public_id=public_id,
    )


def _detail_url(group):
    return reverse("groups:detail", args=[group.public_id])


# Write views get the group itself; a directory-managed one is refused and the user sent back.
_writable_group = writable_record(_group_or_404, _detail_url)


@account_member_required
def group_list(request):
    search = request.GET.get("q", "")[:200]
    groups = selectors.host_group_list(account=request.account, search=search)
    page = paginate(request, groups)
    return render(
        request, "groups/list.html", {"page_obj": page, "groups": page.object_list, "q": search}
    )


@account_member_required
def group_detail(request, public_id):
    group = _group_or_404(request, public_id)
    members = paginate(request, selectors.host_group_member_list(group=group))
    search_form = MemberSearchForm(request.GET)
    candidates = None
    can_edit = is_account_admin(request.user) and not group.is_directory_managed
    if can_edit and search_form.is_valid() and search_form.cleaned_data["q"]:
        candidates = selectors.host_group_candidate_list(
            group=group, search=search_form.cleaned_data["q"]
        )[:CANDIDATE_LIMIT]
    return render(
        request,
        "groups/detail.html",
        {
            "group": group,
            "page_obj": members,
            "members": members.object_list,
            "search_form": search_form,
            "candidates": candidates,
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
@_writable_group
def group_edit(request, group):
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
@_writable_group
def group_delete(request, group):
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
        selectors.host_list(account=group.account_id)
        .filter(public_id__in=public_ids)
        .values_list("id", flat=True)
    )


@_writable_group
def _change_members(request, group, *, add):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    host_ids = _posted_host_ids(request, group)
    if not host_ids:
        messages.error(request, "No such host in this account.")
    elif add:
        added = host_services.host_group_members_add(group=group, host_ids=host_ids)
        messages.success(request, f"{added} host(s) added to {group}.")
    else:
        removed = host_services.host_group_members_remove(group=group, host_ids=host_ids)
        messages.success(request, f"{removed} host(s) removed from {group}.")
    return redirect(_detail_url(group))


@account_admin_required
def group_member_add(request, public_id):
    return _change_members(request, public_id, add=True)


@account_admin_required
def group_member_remove(request, public_id):
    return _change_members(request, public_id, add=False)
