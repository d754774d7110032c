"""What the home page does: retry a failed notification, and send a test visit."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from visitor_mgmt.models import Host, Visit
from visitor_mgmt.services.visits import RETRY_MAX_AGE, visit_notify, visit_sign_in

TEST_VISITOR_NAME = "Test visitor"


def visit_notification_retry(*, visit, now=None):
    """Send a failed notification again, on a person's request (not bounded by the
    automatic retry's attempts). Returns the visit with the new outcome."""
    now = now or timezone.now()
    if visit.notification_status != Visit.Notification.FAILED:
        raise ValidationError("This notification did not fail; there is nothing to retry.")
    if visit.signed_in_at < now - RETRY_MAX_AGE:
        raise ValidationError("This visit is more than a day old: telling the host now is late.")
    return visit_notify(visit_id=visit.pk)


def visit_notifications_retry_failed(*, account, now=None):
    """Retry every failed notification of the account's last day. Returns (sent, failed)."""
    now = now or timezone.now()
    ids = Visit.objects.filter(
        account=account,
        notification_status=Visit.Notification.FAILED,
        signed_in_at__gte=now - RETRY_MAX_AGE,
    ).values_list("pk", flat=True)
    sent = failed = 0
    for visit_id in list(ids):
        visit = visit_notify(visit_id=visit_id)
        if visit is not None and visit.notification_status == Visit.Notification.FAILED:
            failed += 1
        else:
            sent += 1
    return sent, failed


def trial_visit_send(*, account, host_email):
    """Sign in a "Test visitor" for the active host with ``host_email``, who is e-mailed
    as for a real visit: it shows the whole path from the kiosk to the host's inbox."""
    email = (host_email or "").strip()
    host = (
        Host.objects.live()
        .filter(account=account, is_active=True, email__iexact=email)
        .order_by("id")
        .first()
        if email
        else None
    )
    if host is None:
        raise ValidationError({"host_email": "No active host of this account has that e-mail."})
    return visit_sign_in(account=account, visitor_name=TEST_VISITOR_NAME, host=host)
