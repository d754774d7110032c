"""The account's time zone: every date and time a page shows is in it, and says so.

An account's ``time_zone`` is empty until someone sets it; until then the server's
``TIME_ZONE`` applies. The first admin to open a page while it is empty has their
browser's zone proposed (static/js/app.js posts ``Intl...timeZone`` once), and can change
it on the General section of Preferences.
"""

import zoneinfo
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


@cache
def time_zone_names():
    """Every IANA zone name this system knows, sorted (about 600)."""
    return sorted(zoneinfo.available_timezones())


def account_zone(account):
    """The ZoneInfo the account's pages use."""
    name = (account.time_zone if account is not None else "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@contextmanager
def account_time_zone(account):
    """Run the block (a view and its template) in the account's time zone."""
    with timezone.override(account_zone(account)):
        yield


def validate_time_zone(name):
    if name not in set(time_zone_names()):
        raise ValidationError(
            {"time_zone": "Choose a time zone from the list, e.g. Europe/London."}
        )


def account_time_zone_set(*, account, time_zone):
    """Set the zone the account's dates and times are shown in."""
    time_zone = (time_zone or "").strip()
    validate_time_zone(time_zone)
    account.time_zone = time_zone
    account.save(update_fields=["time_zone"])
    return account


def account_time_zone_propose(*, account, time_zone):
    """Set the zone from a browser, only while the account has none: a first default that
    never overrides an admin's choice. Returns whether it was set."""
    time_zone = (time_zone or "").strip()
    validate_time_zone(time_zone)
    from visitor_mgmt.models import Account  # here: models import this module's callers

    updated = Account.objects.filter(pk=account.pk, time_zone="").update(time_zone=time_zone)
    if updated:
        account.time_zone = time_zone
    return bool(updated)
