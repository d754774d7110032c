"""The "Single sign-on" preferences (mounted at /preferences/sso/). Account admins only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from sso import oidc, selectors, services
from sso.forms import PolicyForm, ProviderForm
from sso.views import continue_to_provider
from visitor_mgmt.permissions import account_admin_required
from visitor_mgmt.views.common import add_service_errors, paginate


def _back_to_section():
    return redirect(reverse("preferences") + "#sso")


@never_cache
@sensitive_post_parameters("client_secret")
@sensitive_variables("form")
@account_admin_required
@require_http_methods(["GET", "POST"])
def provider(request):
    connection = selectors.connection_of(request.account)
    if request.method == "POST":
        form = ProviderForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.connection_configure(
                    account=request.account,
                    actor=request.user,
                    issuer=data["issuer"],
                    client_id=data["client_id"],
                    client_secret=data["client_secret"] or None,
                    domains=data["domains"],
                    enabled=data["enabled"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Single sign-on settings saved. Run “Test sign-in” to try them.",
                )
                return _back_to_section()
    elif connection is None:
        form = ProviderForm()
    else:
        form = ProviderForm(
            initial={
                "issuer": connection.issuer,
                "client_id": connection.client_id,
                "domains": "\n".join(d.domain for d in connection.domains.all()),
                "enabled": connection.enabled,
            }
        )
    return render(
        request,
        "sso/provider_form.html",
        {"form": form, "connection": connection, "redirect_uri": oidc.redirect_uri()},
    )


@never_cache
@account_admin_required
@require_http_methods(["GET", "POST"])
def policy(request):
    connection = selectors.connection_of(request.account)
    if connection is None:
        messages.info(request, "Connect your provider first.")
        return _back_to_section()
    if request.method == "POST":
        form = PolicyForm(request.POST, account=request.account)
        if form.is_valid():
            try:
                services.connection_set_policy(
                    account=request.account, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Single sign-on policy saved.")
                return _back_to_section()
    else:
        form = PolicyForm(
            account=request.account,
            initial={
                "create_staff_on_first_sign_in": connection.create_staff_on_first_sign_in,
                "require_sso": connection.require_sso,
                "break_glass_admins": list(connection.break_glass_admins.all()),
            },
        )
    return render(request, "sso/policy_form.html", {"form": form, "connection": connection})


@account_admin_required
@require_POST
def test_sign_in(request):
    """Runs the flow for the signed-in admin: nobody is signed in or out by it."""
    connection = selectors.connection_of(request.account)
    if connection is None or not connection.enabled:
        messages.error(request, "Connect and enable your provider first.")
        return _back_to_section()
    try:
        url = oidc.start(
            request,
            connection=connection,
            purpose="test",
            login_hint=request.user.get_username(),
            user=request.user,
        )
    except oidc.FlowRefused as exc:
        services.record_event(
            account=request.account,
            action=services.Action.TEST_FAILED,
            user=request.user,
            email=request.user.get_username(),
            reason=exc.reason,
        )
        messages.error(request, f"Test sign-in failed: {exc.reason}")
        return _back_to_section()
    return continue_to_provider(request, url)


@account_admin_required
def log(request):
    page_obj = paginate(request, selectors.events(request.account))
    return render(request, "sso/log.html", {"page_obj": page_obj})


def section_context(request, account):
    connection = selectors.connection_of(account)
    return {
        "connection": connection,
        "domains": [d.domain for d in connection.domains.all()] if connection else [],
        "break_glass": [u.get_username() for u in connection.break_glass_admins.all()]
        if connection
        else [],
        "redirect_uri": oidc.redirect_uri(),
        "events": selectors.recent_events(account),
    }
