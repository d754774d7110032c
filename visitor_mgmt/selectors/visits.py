"""Reads of visits: scoped to one account; times in the local day."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from visitor_mgmt.models import Visit
from visitor_mgmt.services.visits import RETRY_MAX_AGE


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _today_start():
    return _day_start(timezone.localdate())


def open_visits_today(*, account, visitor_name):
    """Today's visits of ``account`` not yet signed out, by the visitor's exact name
    (case and spacing ignored). Used by kiosk sign-out."""
    name = " ".join(str(visitor_name or "").split())
    if not name:
        return Visit.objects.none()
    return visits_on_site(account=account).filter(visitor_name__iexact=name)


RECEPTION_LABEL = "Reception"
# Visits sent to reception: no host and no group, then or now (services.visits.is_reception_visit).
RECEPTION_VISITS = Q(host__isnull=True, host_group__isnull=True, host_name="", host_group_name="")


def visits_for_account(*, account, host_query="", date_from=None, date_to=None, host=None):
    """The account's visits, newest first, filtered by host or group name (part of it),
    by host, and by a date range (local days, both ends included)."""
    visits = Visit.objects.filter(account=account)
    host_query = " ".join((host_query or "").split())
    if host_query:
        condition = Q(host_name__icontains=host_query) | Q(host_group_name__icontains=host_query)
        # Reception visits have no host or group name; the list shows them as "Reception",
        # so searching for (part of) that word finds them too.
        if host_query.casefold() in RECEPTION_LABEL.casefold():
            condition |= RECEPTION_VISITS
        visits = visits.filter(condition)
    if host is not None:
        visits = visits.filter(host=host)
    if date_from:
        visits = visits.filter(signed_in_at__gte=_day_start(date_from))
    if date_to:
        visits = visits.filter(signed_in_at__lt=_day_start(date_to + timedelta(days=1)))
    return visits.order_by("-signed_in_at", "-id")


def visit_target_label(visit):
    """Who the visitor came to see, as recorded at sign-in."""
    if visit.host_name:
        return visit.host_name
    if visit.host_group_name:
        return f"{visit.host_group_name} (group)"
    return RECEPTION_LABEL


def visit_get(*, account, visit_id):
    """The visit ``visit_id`` of ``account``; raises Visit.DoesNotExist otherwise."""
    return Visit.objects.get(account=account, pk=visit_id)


def visit_with_host_get(*, account, visit_id):
    """The visit ``visit_id`` of ``account`` with its host loaded, or None."""
    return Visit.objects.filter(pk=visit_id, account=account).select_related("host").first()


TODAY_VISITS_SHOWN = 20
FAILED_SHOWN = 20


def visits_on_site(*, account):
    """Visitors signed in today and not signed out yet, earliest first."""
    return Visit.objects.filter(
        account=account, signed_out_at__isnull=True, signed_in_at__gte=_today_start()
    ).order_by("signed_in_at", "id")


def visits_today(*, account):
    """Today's visits (local day), newest first."""
    return Visit.objects.filter(account=account, signed_in_at__gte=_today_start()).order_by(
        "-signed_in_at", "-id"
    )


def failed_notifications(*, account, now=None):
    """Visits of the last day whose notification failed: they can still be retried."""
    now = now or timezone.now()
    return Visit.objects.filter(
        account=account,
        notification_status=Visit.Notification.FAILED,
        signed_in_at__gte=now - RETRY_MAX_AGE,
    ).order_by("-signed_in_at", "-id")
