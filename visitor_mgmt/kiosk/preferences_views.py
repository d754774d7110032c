"""Preferences → Kiosk actions for account admins: settings, enabling and revoking devices."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from visitor_mgmt.kiosk.forms import ActivateForm, DeviceForm, KioskSettingsForm
from visitor_mgmt.kiosk.selectors import kiosk_device_get
from visitor_mgmt.kiosk.services import (
    kiosk_device_create,
    kiosk_device_revoke,
    kiosk_settings_update,
)
from visitor_mgmt.permissions import account_admin_required
from visitor_mgmt.views.common import found_or_404

PREFERENCES_KIOSK = "/preferences/#kiosk"


@require_POST
@account_admin_required
def settings_update(request):
    form = KioskSettingsForm(request.POST)
    if form.is_valid():
        try:
            kiosk_settings_update(
                account=request.account,
                short_names=form.cleaned_data["short_names"],
                fallback_email=form.cleaned_data["fallback_email"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Kiosk settings saved.")
            return redirect(PREFERENCES_KIOSK)
    return render(request, "kiosk/settings_form.html", {"form": form}, status=400)


@never_cache
@require_POST
@account_admin_required
def device_create(request):
    """Enable a device and show its key once, with a button that opens the kiosk here."""
    form = DeviceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the device a name (at most 100 characters).")
        return redirect(PREFERENCES_KIOSK)
    try:
        device, raw_key = kiosk_device_create(
            account=request.account, name=form.cleaned_data["name"], created_by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(PREFERENCES_KIOSK)
    account = request.account
    activate_path = reverse("kiosk:activate", kwargs={"account_slug": account.slug})
    return render(
        request,
        "kiosk/device_created.html",
        {
            "device": device,
            "raw_key": raw_key,
            "activate_path": activate_path,
            "activate_url": request.build_absolute_uri(activate_path),
            "activate_form": ActivateForm(initial={"key": raw_key}),
        },
    )


@require_POST
@account_admin_required
def device_revoke(request, device_id):
    device = found_or_404(
        kiosk_device_get,
        "No such kiosk device in this account.",
        account=request.account,
        device_id=device_id,
    )
    kiosk_device_revoke(device=device)
    messages.success(request, f"“{device.name}” can no longer run the kiosk.")
    return redirect(PREFERENCES_KIOSK)
