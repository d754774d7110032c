"""Sign in with single sign-on: the e-mail page, and the provider's way back."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sso import oidc, selectors, services
from sso.forms import SsoStartForm
from sso.models import SsoEvent
from sso.signals import SSO_BACKEND

Action = SsoEvent.Action
logger = logging.getLogger(__name__)


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def start(request):
    """Screen 1: the person's work e-mail names the account, whose provider signs them in."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = SsoStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        connection = selectors.connection_for_email(email)
        if connection is None:
            form.add_error(
                "email",
                "No organisation uses single sign-on for this e-mail's domain. "
                "Sign in with your password, or ask your admin.",
            )
        elif not connection.enabled:
            form.add_error(
                "email",
                "Single sign-on is switched off for this organisation. Sign in with your password.",
            )
        else:
            try:
                url = oidc.start(
                    request,
                    connection=connection,
                    purpose="sign-in",
                    next_url=next_url,
                    login_hint=email,
                )
            except oidc.FlowRefused as exc:
                form.add_error(
                    None, f"Your organisation's provider cannot be used now: {exc.reason}"
                )
            else:
                return continue_to_provider(request, url)
    return render(request, "sso/start.html", {"form": form, "next": next_url}, status=200)


def continue_to_provider(request, url):
    """Send the browser on to the provider after a form was posted here.

    Not a redirect: the pages' Content-Security-Policy has ``form-action 'self'``, which
    browsers apply to every redirect that follows a form's submission. An instant refresh
    of the answer page is a new navigation; the link is for browsers that refresh nothing.
    """
    response = render(
        request,
        "sso/continue.html",
        {"url": url, "provider_host": urlsplit(url).netloc},
    )
    response["Refresh"] = f"0;url={url}"
    return response


def _refused(request, reason, status=403):
    return render(request, "sso/refused.html", {"reason": reason}, status=status)


@never_cache
@require_GET
def callback(request):
    """Screen 3: back from the provider. Signs the person in, or says why not."""
    try:
        connection, pending, claims = oidc.finish(request)
    except oidc.FlowRefused as exc:
        connection = exc.connection
        if connection is None:
            # Nothing ties the answer to an account (no or an unknown state): the server
            # log is the only place for it.
            logger.warning("SSO callback refused: %s", exc.reason)
        else:
            action = Action.TEST_FAILED if exc.pending.get("purpose") == "test" else Action.REFUSED
            services.record_event(account=connection.account, action=action, reason=exc.reason)
            if action == Action.TEST_FAILED:
                messages.error(request, f"Test sign-in failed: {exc.reason}")
                return redirect(reverse("preferences") + "#sso")
        return _refused(request, exc.reason)

    if pending["purpose"] == "test":
        return _finish_test(request, connection, pending, claims)

    try:
        user, created = services.resolve_user(connection=connection, claims=claims)
    except services.SignInRefused as exc:
        services.record_event(
            account=connection.account, action=Action.REFUSED, email=exc.email, reason=exc.reason
        )
        return _refused(request, exc.reason)
    login(request, user, backend=SSO_BACKEND)
    request.session.set_expiry(settings.SSO_SESSION_SECONDS)
    services.record_event(
        account=connection.account,
        action=Action.USER_CREATED if created else Action.SIGN_IN,
        email=user.get_username(),
        user=user,
        reason=f"via {connection.issuer}",
    )
    return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)


def _finish_test(request, connection, pending, claims):
    """An admin tried the settings: say who the provider named and whether they would get
    in; nobody is signed in or out, nothing is created."""
    admin = request.user
    if not admin.is_authenticated or admin.pk != pending["user"]:
        services.record_event(
            account=connection.account,
            action=Action.TEST_FAILED,
            reason="The test was finished in another session.",
        )
        return _refused(request, "This test sign-in was started by somebody else.")
    try:
        user, would_create = services.resolve_user(
            connection=connection, claims=claims, create=False
        )
    except services.SignInRefused as exc:
        services.record_event(
            account=connection.account,
            action=Action.TEST_FAILED,
            email=exc.email,
            user=admin,
            reason=exc.reason,
        )
        messages.error(request, f"Test sign-in failed: {exc.reason}")
        return redirect(reverse("preferences") + "#sso")
    who = user.get_username() if user else services.identity_email(claims)
    outcome = (
        f"the provider signed in {who}, who would be created as staff"
        if would_create
        else f"the provider signed in {who}"
    )
    connection.tested_at = timezone.now()
    connection.tested_by = admin
    connection.save(update_fields=["tested_at", "tested_by"])
    services.record_event(
        account=connection.account,
        action=Action.TEST_PASSED,
        email=who,
        user=admin,
        reason=outcome,
    )
    messages.success(request, f"Test sign-in passed: {outcome}.")
    return redirect(reverse("preferences") + "#sso")
