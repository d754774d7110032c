"""Visits: signing visitors in and out, telling their hosts.

Sign-in owns its transaction and sends the notification only after it commits
(``transaction.on_commit``): a rolled-back sign-in never e-mails anyone, and a failed
send is recorded on the visit (status, error, attempts) without ever failing the sign-in.
``retry_visit_notifications`` retries failed sends a bounded number of times.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from visitor_mgmt.models import Host, Visit

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
# A visit still "pending" this long after sign-in lost its send (e.g. the process died).
PENDING_STALE_AFTER = timedelta(minutes=10)
# Telling a host about a visitor a day later helps nobody.
RETRY_MAX_AGE = timedelta(hours=24)
# The send runs while the visitor waits for the confirmation: never wait long for a mail
# server (settings.EMAIL_TIMEOUT, when set, wins).
SEND_TIMEOUT_SECONDS = 10


def _clean_text(value, *, field, max_length, required=False):
    value = " ".join(str(value or "").split())
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"Use at most {max_length} characters."})
    return value


# --- sign in / sign out --------------------------------------------------------------


def visit_sign_in(
    *,
    account,
    visitor_name,
    visitor_email="",
    visitor_company="",
    host=None,
    host_group=None,
    to_reception=False,
):
    """Record a visitor's arrival for exactly one of: a host, a host group, or reception.

    The host must be an active, live host of ``account``; the group must belong to it;
    reception needs the account's fallback e-mail. Names are copied onto the visit so the
    history survives the host's deactivation or deletion. The notification is sent after
    commit.
    """
    if sum([host is not None, host_group is not None, bool(to_reception)]) != 1:
        raise ValueError("Choose exactly one of host, host_group or to_reception.")
    visitor_name = _clean_text(visitor_name, field="visitor_name", max_length=200, required=True)
    visitor_company = _clean_text(visitor_company, field="visitor_company", max_length=200)
    visitor_email = (visitor_email or "").strip()
    if visitor_email:
        try:
            validate_email(visitor_email)
        except ValidationError:
            raise ValidationError({"visitor_email": "Enter a valid e-mail address."}) from None

    values = {}
    if host is not None:
        if host.account_id != account.pk or host.is_deleted or not host.is_active:
            raise ValidationError({"host": "That person cannot receive visitors here."})
        values = {"host": host, "host_name": host.name or str(host)}
    elif host_group is not None:
        if host_group.account_id != account.pk:
            raise ValidationError({"host_group": "That group cannot receive visitors here."})
        values = {"host_group": host_group, "host_group_name": host_group.name}
    elif not account.kiosk_fallback_email:
        raise ValidationError({"to_reception": "Reception has no e-mail address set up."})

    with transaction.atomic():
        visit = Visit.objects.create(
            account=account,
            visitor_name=visitor_name,
            visitor_email=visitor_email,
            visitor_company=visitor_company,
            **values,
        )
        # robust: a bug in sending must never turn a committed sign-in into an error page.
        transaction.on_commit(partial(visit_notify, visit_id=visit.pk), robust=True)
    return visit


def visit_sign_out(*, visit):
    """Mark the visitor as gone; signing out twice keeps the first time."""
    if visit.signed_out_at is None:
        now = timezone.now()
        updated = Visit.objects.filter(pk=visit.pk, signed_out_at__isnull=True).update(
            signed_out_at=now
        )
        if updated:
            visit.signed_out_at = now
        else:
            visit.refresh_from_db(fields=["signed_out_at"])
    return visit


def visit_welcome_mark_shown(*, visit):
    """Record that the kiosk showed the visit's confirmation page. True the first time
    only: the page is shown once, never again from the tablet's history."""
    return bool(
        Visit.objects.filter(pk=visit.pk, welcome_shown_at__isnull=True).update(
            welcome_shown_at=timezone.now()
        )
    )


def is_reception_visit(visit):
    """A visit made with "Let reception know" (no host or group was ever chosen)."""
    return (
        visit.host_id is None
        and visit.host_group_id is None
        and not visit.host_name
        and not visit.host_group_name
    )


# --- notifications -------------------------------------------------------------------


def _host_addresses(host):
    return [a for a in (host.email, host.alternate_email) if a]


def host_has_no_address(host):
    """A host nobody can tell about a visitor: no e-mail and no alternate e-mail."""
    return not _host_addresses(host)


def visit_goes_to_reception(visit):
    """Whether reception is told about this visit instead of a host: visits sent there, and
    visits to a host with no e-mail address (the kiosk still lets visitors choose them)."""
    if is_reception_visit(visit):
        return True
    return visit.host_id is not None and host_has_no_address(visit.host)


def _notification_messages(visit):
    """One e-mail per recipient host (to the host's e-mail and alternate e-mail).

    Only active, live hosts are told; a group's members are each told once, and an address
    shared by two members is used once.
    """
    fallback = visit.account.kiosk_fallback_email
    if visit.host_id is not None and host_has_no_address(visit.host) and fallback:
        host = visit.host
        if host.is_active and not host.is_deleted:
            return [_message(visit, [fallback], recipient=None)]
    if visit.host_id is not None:
        host = visit.host
        hosts = [host] if host.is_active and not host.is_deleted else []
        target = host.name
    elif visit.host_group_id is not None:
        hosts = list(
            Host.objects.live()
            .filter(account_id=visit.account_id, is_active=True)
            .filter(group_memberships__group_id=visit.host_group_id)
            .order_by("id")
        )
        target = visit.host_group_name
    elif is_reception_visit(visit) and visit.account.kiosk_fallback_email:
        return [_message(visit, [visit.account.kiosk_fallback_email], recipient=None)]
    else:
        return []

    seen = set()
    messages = []
    for host in hosts:
        addresses = [a for a in _host_addresses(host) if a.lower() not in seen]
        seen.update(a.lower() for a in addresses)
        if addresses:
            messages.append(_message(visit, addresses, recipient=host, target=target))
    return messages


def _message(visit, to, *, recipient, target=""):
    context = {
        "visit": visit,
        "recipient": recipient,
        "target": target,
        "group_name": visit.host_group_name if visit.host_group_id else "",
        "reception": recipient is None,
    }
    if recipient is None:
        subject = f"A visitor is waiting at reception: {visit.visitor_name}"
    elif visit.host_group_id:
        subject = f"{visit.visitor_name} is here to see {visit.host_group_name}"
    else:
        subject = f"{visit.visitor_name} is here to see you"
    body = render_to_string("visits/notification_email.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split())[:200],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=[visit.visitor_email] if visit.visitor_email else None,
    )


def visit_notify(*, visit_id):
    """Send (or re-send) the visit's notification and record the outcome.

    The attempt is claimed with a conditional UPDATE, so two workers never send the same
    attempt twice. Errors are recorded on the visit, never raised.
    """
    visit = Visit.objects.select_related("account", "host").filter(pk=visit_id).first()
    if visit is None or visit.notification_status in (
        Visit.Notification.SENT,
        Visit.Notification.NONE,
    ):
        return visit
    claimed = Visit.objects.filter(
        pk=visit.pk,
        notification_status=visit.notification_status,
        notification_attempts=visit.notification_attempts,
    ).update(
        notification_status=Visit.Notification.PENDING,
        notification_attempts=F("notification_attempts") + 1,
    )
    if not claimed:
        return visit
    visit.notification_attempts += 1

    try:
        messages = _notification_messages(visit)
        if not messages:
            status, error = Visit.Notification.NONE, ""
        else:
            timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT_SECONDS
            connection = get_connection(fail_silently=False, timeout=timeout)
            connection.send_messages(messages)
            status, error = Visit.Notification.SENT, ""
    except Exception as exc:  # any backend failure (SMTP, DNS, TLS, ...) is recorded
        logger.warning("Visit %s: notification failed: %s", visit.pk, exc)
        status = Visit.Notification.FAILED
        error = (f"{type(exc).__name__}: {exc}")[:500]

    Visit.objects.filter(pk=visit.pk).update(notification_status=status, notification_error=error)
    visit.notification_status, visit.notification_error = status, error
    return visit


def visit_notifications_retry(*, max_attempts=DEFAULT_MAX_ATTEMPTS, now=None):
    """Retry failed (and lost pending) notifications of the last day, each at most
    ``max_attempts`` times in all. Returns counts by outcome."""
    now = now or timezone.now()
    due = (
        Visit.objects.filter(
            Q(notification_status=Visit.Notification.FAILED)
            | Q(
                notification_status=Visit.Notification.PENDING,
                signed_in_at__lt=now - PENDING_STALE_AFTER,
            ),
            notification_attempts__lt=max_attempts,
            signed_in_at__gte=now - RETRY_MAX_AGE,
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )
    counts = {"retried": 0, "sent": 0, "failed": 0, "none": 0}
    for visit_id in list(due):
        visit = visit_notify(visit_id=visit_id)
        counts["retried"] += 1
        if visit is not None and visit.notification_status in counts:
            counts[visit.notification_status] += 1
    return counts
