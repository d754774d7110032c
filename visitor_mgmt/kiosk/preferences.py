"""The "Kiosk" section of the Preferences page: devices, privacy, reception e-mail."""

from django.urls import reverse

from visitor_mgmt.kiosk.forms import DeviceForm, KioskSettingsForm
from visitor_mgmt.kiosk.selectors import kiosk_device_list
from visitor_mgmt.preferences import PreferencesSection


def get_context(request, account):
    devices = list(kiosk_device_list(account=account))
    return {
        "kiosk_url": request.build_absolute_uri(
            reverse("kiosk:start", kwargs={"account_slug": account.slug})
        ),
        "activate_url": request.build_absolute_uri(
            reverse("kiosk:activate", kwargs={"account_slug": account.slug})
        ),
        "settings_form": KioskSettingsForm(
            initial={
                "short_names": account.kiosk_short_names,
                "fallback_email": account.kiosk_fallback_email,
            }
        ),
        "device_form": DeviceForm(),
        "devices": [d for d in devices if d.revoked_at is None],
        "revoked_devices": [d for d in devices if d.revoked_at is not None][:10],
    }


SECTION = PreferencesSection(
    key="kiosk",
    title="Kiosk",
    template="kiosk/preferences_section.html",
    get_context=get_context,
    order=20,
)
