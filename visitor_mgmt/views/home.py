"""The home page of admins and staff: who is here, today's visits, failed notifications,
the panels other apps register (e.g. provisioning status), and a new account's checklist."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from visitor_mgmt.home import home_panels
from visitor_mgmt.models import Visit
from visitor_mgmt.permissions import (
    account_admin_required,
    account_member_required,
    account_of,
    is_account_admin,
)
from visitor_mgmt.selectors import visits as visit_selectors
from visitor_mgmt.selectors.home import onboarding_steps
from visitor_mgmt.selectors.visits import (
    FAILED_SHOWN,
    TODAY_VISITS_SHOWN,
    failed_notifications,
    visits_on_site,
    visits_today,
)
from visitor_mgmt.services import home as home_services
from visitor_mgmt.services import visits as visit_services


class TrialVisitForm(forms.Form):
    host_email = forms.EmailField(label="Host's e-mail", max_length=254)


def _labelled(visits):
    visits = list(visits)
    for visit in visits:
        visit.target = visit_selectors.visit_target_label(visit)
    return visits


def home(request):
    """Signed-in members get their home page; everybody else the login page (or, for a
    superuser without an account, the Django admin)."""
    user = request.user
    if user.is_authenticated and user.is_superuser and account_of(user) is None:
        return redirect("admin:index")
    return _home(request)


@account_member_required
def _home(request, trial_form=None, status=200):
    account = request.account
    admin = is_account_admin(request.user)
    steps = onboarding_steps(account=account) if admin else []
    today = visits_today(account=account)
    failed = failed_notifications(account=account)
    context = {
        "on_site": _labelled(visits_on_site(account=account)),
        "today_count": today.count(),
        "today": _labelled(today[:TODAY_VISITS_SHOWN]),
        "failed_count": failed.count(),
        "failed": _labelled(failed[:FAILED_SHOWN]),
        "onboarding": steps if not all(step.done for step in steps) else [],
        "trial_form": trial_form or TrialVisitForm(initial={"host_email": request.user.email}),
        "panels": [
            {"panel": panel, "context": panel.get_context(request, account)}
            for panel in home_panels(admin=admin)
        ],
    }
    return render(request, "home/index.html", context, status=status)


def _visit_or_404(request, visit_id):
    return get_object_or_404(Visit, pk=visit_id, account=request.account)


@require_POST
@account_member_required
def visit_sign_out(request, visit_id):
    visit = visit_services.visit_sign_out(visit=_visit_or_404(request, visit_id))
    messages.success(request, f"{visit.visitor_name} was signed out.")
    return redirect("home")


@require_POST
@account_member_required
def notification_retry(request, visit_id):
    visit = _visit_or_404(request, visit_id)
    try:
        visit = home_services.visit_notification_retry(visit=visit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if visit.notification_status == Visit.Notification.FAILED:
            error = visit.notification_error
            messages.error(request, f"Sending failed again for {visit.visitor_name}: {error}")
        else:
            messages.success(request, f"The notification about {visit.visitor_name} was sent.")
    return redirect("home")


@require_POST
@account_member_required
def notifications_retry_all(request):
    sent, failed = home_services.visit_notifications_retry_failed(account=request.account)
    if failed:
        messages.error(request, f"Sent {sent}; {failed} failed again. Check the mail server.")
    else:
        messages.success(request, f"All {sent} notifications were sent.")
    return redirect("home")


@require_POST
@account_admin_required
def trial_visit(request):
    form = TrialVisitForm(request.POST)
    if form.is_valid():
        try:
            visit = home_services.trial_visit_send(
                account=request.account, host_email=form.cleaned_data["host_email"]
            )
        except ValidationError as exc:
            form.add_error("host_email", exc.message_dict.get("host_email", exc.messages))
        else:
            messages.success(
                request,
                f"A test visitor signed in for {visit.host_name}; they are being notified.",
            )
            return redirect("home")
    return _home(request, trial_form=form, status=400)
