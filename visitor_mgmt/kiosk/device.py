"""The kiosk device cookie: which enabled device this browser is.

The cookie is signed (Django's signing, keyed by SECRET_KEY) and holds the device id and
its random key; the server checks the key's hash and that the device is not revoked on
every kiosk request, so revoking a device locks it out at once.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render

from visitor_mgmt.kiosk.services import kiosk_device_authenticate
from visitor_mgmt.selectors.accounts import account_get_by_slug
from visitor_mgmt.time_zones import account_time_zone

COOKIE_NAME = "vm_kiosk"
COOKIE_SALT = "visitor_mgmt.kiosk.device"
COOKIE_PATH = "/kiosk/"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept


def set_device_cookie(response, device, raw_key):
    response.set_signed_cookie(
        COOKIE_NAME,
        f"{device.pk}:{raw_key}",
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def device_for_request(request, account_slug):
    """(account, device) for this browser; either may be None."""
    account = account_get_by_slug(slug=account_slug)
    if account is None:
        return None, None
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    if not value or ":" not in value:
        return account, None
    device_id, raw_key = value.split(":", 1)
    device = kiosk_device_authenticate(account=account, raw_key=raw_key, device_id=device_id)
    return account, device


def not_enabled(request):
    return render(request, "kiosk/not_enabled.html", status=403)


def kiosk_device_required(view):
    """Kiosk pages run only on an enabled device of the account in the URL.

    Sets request.account and request.kiosk_device; otherwise answers a friendly 403 page
    (the same for an unknown account, so the page does not reveal which accounts exist).
    """

    @wraps(view)
    def wrapper(request, account_slug, *args, **kwargs):
        account, device = device_for_request(request, account_slug)
        if device is None:
            return not_enabled(request)
        request.account = account
        request.kiosk_device = device
        with account_time_zone(account):
            return view(request, account_slug, *args, **kwargs)

    return wrapper
