"""The People page (account admins): invite, change a role, deactivate, send again.

Thin: the rules are in visitor_mgmt/services/people.py, the reads in
visitor_mgmt/selectors/people.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from visitor_mgmt.forms_people import InviteForm, RoleForm
from visitor_mgmt.models import Membership
from visitor_mgmt.permissions import account_admin_required
from visitor_mgmt.selectors.people import people_events, people_get, people_list, person_status
from visitor_mgmt.services import people as people_services
from visitor_mgmt.views.common import add_service_errors


def _person_or_404(request, membership_id):
    try:
        return people_get(account=request.account, membership_id=membership_id)
    except Membership.DoesNotExist:
        raise Http404("No such person in this account.") from None


def _base_url(request):
    return request.build_absolute_uri("/")


def _render_list(request, invite_form, status=200):
    people = list(people_list(account=request.account))
    for membership in people:
        membership.status = person_status(membership)
    context = {
        "people": people,
        "invite_form": invite_form,
        "events": people_events(account=request.account),
    }
    return render(request, "people/list.html", context, status=status)


@account_admin_required
def people_page(request):
    return _render_list(request, InviteForm())


@require_POST
@account_admin_required
def person_invite(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            membership, sent = people_services.people_invite(
                account=request.account,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _say_sent(request, membership, sent, "An invitation was sent to {email}.")
            return redirect("people:list")
    return _render_list(request, form, status=400)


def _say_sent(request, membership, sent, text):
    if sent:
        messages.success(request, text.format(email=membership.user.email))
    else:
        messages.error(
            request,
            f"The invitation to {membership.user.email} could not be sent: the mail server "
            "refused it. Use “Send the invitation again” later.",
        )


def _render_detail(request, membership, *, role_form=None, action_error="", status=200):
    membership.status = person_status(membership)
    context = {
        "person": membership,
        "role_form": role_form or RoleForm(initial={"role": membership.role}),
        "action_error": action_error,
        "is_self": membership.user_id == request.user.pk,
    }
    return render(request, "people/detail.html", context, status=status)


@account_admin_required
def person_detail(request, membership_id):
    return _render_detail(request, _person_or_404(request, membership_id))


def _detail_url(membership):
    return reverse("people:detail", args=[membership.pk])


@require_POST
@account_admin_required
def person_role(request, membership_id):
    membership = _person_or_404(request, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            people_services.people_role_change(
                membership=membership, actor=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{membership.user.email} is now {membership.get_role_display()}."
            )
            if membership.user_id == request.user.pk and not membership.is_admin:
                return redirect("home")  # the People page is for admins only
            return redirect(_detail_url(membership))
    return _render_detail(request, membership, role_form=form, status=400)


def _set_active(request, membership_id, *, active):
    membership = _person_or_404(request, membership_id)
    try:
        people_services.people_set_active(membership=membership, actor=request.user, active=active)
    except ValidationError as exc:
        return _render_detail(request, membership, action_error=" ".join(exc.messages), status=400)
    if active:
        messages.success(request, f"{membership.user.email} can sign in again.")
    else:
        messages.success(request, f"{membership.user.email} was deactivated and signed out.")
    return redirect(_detail_url(membership))


@require_POST
@account_admin_required
def person_deactivate(request, membership_id):
    return _set_active(request, membership_id, active=False)


@require_POST
@account_admin_required
def person_reactivate(request, membership_id):
    return _set_active(request, membership_id, active=True)


@require_POST
@account_admin_required
def person_resend(request, membership_id):
    membership = _person_or_404(request, membership_id)
    try:
        sent = people_services.invitation_resend(
            membership=membership, actor=request.user, base_url=_base_url(request)
        )
    except ValidationError as exc:
        return _render_detail(request, membership, action_error=" ".join(exc.messages), status=400)
    _say_sent(request, membership, sent, "The invitation was sent to {email} again.")
    return redirect(_detail_url(membership))
