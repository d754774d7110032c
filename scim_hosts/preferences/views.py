"""Actions and pages of the "SCIM Host Provisioning" preferences. Account admins only."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from scim_hosts.access.tokens import GRACE_PERIODS, tenant_url
from scim_hosts.access.tokens import end_grace as end_token_grace
from scim_hosts.access.tokens import set_enabled as set_provisioning_enabled
from scim_hosts.health import set_alerts_enabled
from scim_hosts.preferences import services
from scim_hosts.preferences.forms import LogFilterForm, RotateTokenForm
from scim_hosts.providers import PROVIDERS, account_provider, provider_by_key
from visitor_mgmt.permissions import account_admin_required
from visitor_mgmt.selectors.hosts import directory_managed_counts
from visitor_mgmt.views.preferences import preferences as preferences_page


def _back_to_section():
    return redirect(reverse("preferences") + "#scim")


def _show_new_token(request, raw):
    """Answer the POST with the Preferences page showing the new token, once.

    No redirect: the token would have to wait server-side (in the session) for the next
    page. The page is never cached (never_cache); reloading it re-sends the POST, which
    the browser asks about first.
    """
    setattr(request, services.NEW_TOKEN_REQUEST_ATTR, raw)
    return preferences_page(request)


@account_admin_required
@require_POST
@sensitive_variables("raw")
def token_generate(request):
    try:
        _token, raw = services.token_generate(account=request.account, actor=request.user)
    except services.TokenAlreadyExists:
        messages.error(
            request, "This account already has a secret token. Rotate it to get a new one."
        )
        return redirect("scim_prefs:token-rotate")
    provider = account_provider(request.account)
    messages.success(
        request,
        f"Secret token generated. Copy it now and paste it into {provider.name}: "
        "it will not be shown again.",
    )
    return _show_new_token(request, raw)


@account_admin_required
@require_http_methods(["GET", "POST"])
@sensitive_variables("raw")
def token_rotate(request):
    token = services.account_token(request.account)
    if token is None:
        messages.info(request, "There is no secret token to rotate yet. Generate one first.")
        return _back_to_section()
    provider = account_provider(request.account)
    form = RotateTokenForm(request.POST if request.method == "POST" else None, provider=provider)
    if request.method == "POST" and form.is_valid():
        # The page answering this POST shows the new token; reloading it re-sends the POST.
        # The form names the token it replaces, so a re-sent POST does not rotate again.
        rotating = request.POST.get("rotating")
        if rotating is not None and rotating != token.hint:
            messages.info(request, "The token was already rotated; it was not rotated again.")
            return _back_to_section()
        grace = GRACE_PERIODS[form.cleaned_data["grace"] or "0"]
        try:
            _token, raw = services.token_rotate(
                account=request.account, actor=request.user, grace=grace
            )
        except services.NoToken:  # removed between the check and the lock
            messages.error(request, "There is no secret token to rotate.")
            return _back_to_section()
        if grace:
            until = services.grace_token(request.account).works_until
            old = f"The previous token keeps working until {until:%Y-%m-%d %H:%M %Z}"
        else:
            old = "The previous token no longer works"
        messages.success(
            request,
            f"Secret token rotated. {old}: paste the new one into {provider.name} now. "
            "It will not be shown again.",
        )
        return _show_new_token(request, raw)
    return render(
        request,
        "scim_hosts/rotate_confirm.html",
        {"token": token, "tenant_url": tenant_url(), "form": form, "provider": provider},
    )


@account_admin_required
@require_POST
def end_grace(request):
    if end_token_grace(account=request.account, actor=request.user):
        messages.success(request, "The previous token no longer works.")
    else:
        messages.info(request, "No previous token was still working.")
    return _back_to_section()


@account_admin_required
@require_http_methods(["GET", "POST"])
def disconnect(request):
    token = services.account_token(request.account)
    if token is None:
        messages.info(request, "Provisioning is not connected.")
        return _back_to_section()
    if request.method == "POST":
        try:
            hosts, groups = services.disconnect(account=request.account, actor=request.user)
        except services.NoToken:  # disconnected meanwhile by another admin
            messages.info(request, "Provisioning is not connected.")
            return _back_to_section()
        messages.success(
            request,
            f"Provisioning disconnected. The token was revoked; {hosts} host(s) and {groups} "
            "group(s) are manual and editable again.",
        )
        return _back_to_section()
    return render(
        request,
        "scim_hosts/disconnect_confirm.html",
        {
            "token": token,
            "counts": directory_managed_counts(account=request.account),
            "provider": account_provider(request.account),
        },
    )


@account_admin_required
@require_POST
def set_alerts(request):
    value = request.POST.get("enabled")
    if value not in {"true", "false"}:
        messages.error(request, "Choose whether to receive provisioning alerts.")
        return _back_to_section()
    set_alerts_enabled(user=request.user, enabled=value == "true")
    if value == "true":
        messages.success(request, "You will get an e-mail when provisioning fails or stalls.")
    else:
        messages.success(request, "You will no longer get provisioning alert e-mails.")
    return _back_to_section()


@account_admin_required
@require_POST
def set_enabled(request):
    value = request.POST.get("enabled")
    if value not in {"true", "false"}:
        messages.error(request, "Choose whether provisioning is enabled.")
        return _back_to_section()
    enabled = value == "true"
    provider = account_provider(request.account)
    try:
        set_provisioning_enabled(account=request.account, enabled=enabled, actor=request.user)
    except ValueError as error:
        messages.error(request, str(error))
        return _back_to_section()
    if enabled:
        messages.success(request, f"Provisioning enabled. {provider.title} can sync again.")
    else:
        messages.success(
            request,
            f"Provisioning disabled. {provider.title}'s requests are refused until you enable "
            "it again; the secret token is kept.",
        )
    return _back_to_section()


@never_cache
@account_admin_required
@require_http_methods(["GET"])
def log(request):
    form = LogFilterForm(request.GET)
    # An unknown value is reported on the form and ignored; the valid filters still apply.
    form.is_valid()
    filters = form.cleaned_data
    page_obj = services.log_page(
        account=request.account,
        outcome=filters.get("outcome", ""),
        resource_type=filters.get("resource_type", ""),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "scim_hosts/log.html",
        {"form": form, "page_obj": page_obj, "provider": account_provider(request.account)},
    )


@account_admin_required
@require_http_methods(["GET"])
def mappings(request):
    # ?provider= shows another provider's page (linked from its steps); an unknown value
    # falls back to the account's choice rather than failing.
    key = request.GET.get("provider")
    provider = provider_by_key(key) if key in PROVIDERS else account_provider(request.account)
    return render(
        request,
        "scim_hosts/mappings.html",
        {"tables": services.mapping_tables(provider), "provider": provider},
    )


@account_admin_required
@require_POST
def set_provider(request):
    try:
        provider = services.set_provider(
            account=request.account,
            provider_key=request.POST.get("provider", ""),
            actor=request.user,
        )
    except ValueError:
        messages.error(request, "Choose one of the identity providers in the list.")
        return _back_to_section()
    messages.success(
        request, f"Identity provider: {provider.label}. Its setup steps are shown below."
    )
    return _back_to_section()
