"""Kiosk rules: device keys, the account's kiosk settings, and the search rate limit.

A kiosk device is a front-desk tablet enabled by an admin. It holds a random key in a
signed cookie; only the key's SHA-256 hash is stored. What a visitor may see is read
through visitor_mgmt/kiosk/selectors.py.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from visitor_mgmt.models import KioskDevice
from visitor_mgmt.ratelimit import count_hit

DEVICE_KEY_PREFIX = "vmkiosk_"
# last_seen_at is a display hint; writing it on every kiosk request would cost a write each.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


# --- devices -------------------------------------------------------------------------


def hash_device_key(raw_key):
    # The key carries 256 random bits: a fast unsalted hash cannot be brute-forced and
    # keeps the lookup one indexed equality.
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def kiosk_device_create(*, account, name, created_by=None):
    """Enable a kiosk device. Returns (device, raw key); the raw key is never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the device a name, e.g. “Front desk iPad”."})
    if len(name) > KioskDevice._meta.get_field("name").max_length:
        raise ValidationError({"name": "Use at most 100 characters."})
    raw_key = DEVICE_KEY_PREFIX + secrets.token_urlsafe(32)
    device = KioskDevice.objects.create(
        account=account, name=name, key_hash=hash_device_key(raw_key), created_by=created_by
    )
    return device, raw_key


def kiosk_device_revoke(*, device):
    """End the device's kiosk session at once (its next request is refused)."""
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    return device


def kiosk_device_authenticate(*, account, raw_key, device_id=None):
    """The enabled (unrevoked) device of ``account`` holding ``raw_key``, or None."""
    if not raw_key or not isinstance(raw_key, str) or len(raw_key) > 200:
        return None
    key_hash = hash_device_key(raw_key)
    device = (
        KioskDevice.objects.filter(account=account, key_hash=key_hash, revoked_at__isnull=True)
        .only("id", "account_id", "name", "key_hash", "last_seen_at", "revoked_at")
        .first()
    )
    if device is None or not hmac.compare_digest(device.key_hash, key_hash):
        return None
    if device_id is not None and str(device.pk) != str(device_id):
        return None
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_RESOLUTION:
        KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device


# --- account settings ----------------------------------------------------------------


def kiosk_settings_update(*, account, short_names, fallback_email):
    fallback_email = (fallback_email or "").strip()
    if fallback_email:
        try:
            validate_email(fallback_email)
        except ValidationError:
            raise ValidationError({"fallback_email": "Enter a valid e-mail address."}) from None
    account.kiosk_short_names = bool(short_names)
    account.kiosk_fallback_email = fallback_email
    account.save(update_fields=["kiosk_short_names", "kiosk_fallback_email"])
    return account


# --- rate limiting -------------------------------------------------------------------


def search_rate_limited(*, device):
    """Count one search for ``device``; True when it went over the limit.

    A fixed window through Django's cache (Redis in production): the first search opens a
    window of KIOSK_SEARCH_RATE_WINDOW seconds allowing KIOSK_SEARCH_RATE_LIMIT searches.
    """
    limit = getattr(settings, "KIOSK_SEARCH_RATE_LIMIT", 10)
    window = getattr(settings, "KIOSK_SEARCH_RATE_WINDOW", 1)
    if not limit:
        return False
    count = count_hit(f"kiosk-search-rate:{device.pk}", timeout=window, label="Kiosk search")
    return count is not None and count > limit


def search_retry_after():
    return max(1, int(getattr(settings, "KIOSK_SEARCH_RATE_WINDOW", 1)))
