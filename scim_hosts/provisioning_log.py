"""The provisioning log: one ProvisioningEvent per SCIM request that changed data or failed.

A row names the request (method), the resource (type, id, name), what happened (action),
the outcome and HTTP status, and a short reason. Never the token, never a request body.
Writing one costs a single INSERT. Rows older than ``SCIM_LOG_RETENTION_DAYS`` are removed
by ``purge_events`` (``python manage.py purge_provisioning_log``).
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import transaction
from django.db.models import F, Subquery
from django.utils import timezone

from scim_hosts.access.tokens import note_rejection
from scim_hosts.models import ProvisioningEvent
from scim_hosts.sql import insert_provisioning_event

logger = logging.getLogger(__name__)

# What a failed request was trying to do, by method.
FAILED_ACTIONS = {
    "GET": "read",
    "POST": "create",
    "PUT": "replace",
    "PATCH": "update",
    "DELETE": "delete",
}


@dataclass
class Change:
    """What a successful write did; the view records it after the write commits."""

    action: str
    resource_type: str
    resource_id: str = ""
    resource_name: str = ""
    reason: str = ""


def _field(model_field, value):
    limit = ProvisioningEvent._meta.get_field(model_field).max_length
    value = str(value or "")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _insert(**values):
    """Write one provisioning-log row: a single INSERT, the cheapest write there is.

    Every SCIM write request logs a row, so the ORM's per-call overhead (compiling the
    INSERT, fetching the new id back) would be paid tens of thousands of times in a sync.
    """
    values.setdefault("created_at", timezone.now())
    insert_provisioning_event(values)


def record_change(*, account, method, change, status, token_hint=""):
    _insert(
        account_id=account.pk,
        method=method,
        token_hint=token_hint,
        resource_type=_field("resource_type", change.resource_type),
        resource_id=_field("resource_id", change.resource_id),
        resource_name=_field("resource_name", change.resource_name),
        action=_field("action", change.action),
        outcome=ProvisioningEvent.Outcome.SUCCESS,
        status=status,
        reason=_field("reason", change.reason),
    )


def record_failure(
    *,
    account,
    method,
    resource_type,
    resource_id,
    status,
    reason,
    action=None,
    resource_name="",
    scim_type="",
    token_hint="",
):
    """Log a failed request. Never raises: the error response matters more than the log."""
    try:
        _insert(
            account_id=account.pk,
            method=method,
            scim_type=_field("scim_type", scim_type),
            token_hint=token_hint,
            resource_type=_field("resource_type", resource_type),
            resource_id=_field("resource_id", resource_id),
            resource_name=_field("resource_name", resource_name),
            action=_field("action", action or FAILED_ACTIONS.get(method, method.lower())),
            outcome=ProvisioningEvent.Outcome.FAILURE,
            status=status,
            reason=_field("reason", reason),
        )
    except Exception:  # noqa: BLE001 - e.g. the database is down; the response still goes out
        logger.exception("Could not write a provisioning-log row.")


# One row a minute per account and kind of refusal, however many requests were refused.
AGGREGATION_SECONDS = 60
clock = time.time  # tests pin it


def record_repeated_failure(*, account, kind, **fields):
    """Log a refusal that may come in floods (a rate limit, a replaced token) as one row a
    minute per account and ``kind``, whose ``repeat_count`` says how many there were.

    The row's id is kept in Django's cache for the minute (shared by every worker with
    Redis); later refusals of that minute add one to its count. Never raises.
    """
    minute = int(clock() // AGGREGATION_SECONDS)
    key = f"scim-log-repeat:{account.pk}:{kind}:{minute}"
    try:
        row_id = default_cache.get(key)
        # The row must still be that minute's row of this account and kind (a cache that
        # outlived its database, e.g. after a restore, must not count into another row).
        same_row = ProvisioningEvent.objects.filter(
            pk=row_id, account=account, action=fields.get("action", "")
        )
        if row_id is not None and same_row.update(repeat_count=F("repeat_count") + 1):
            return
        values = {k: _field(k, v) if isinstance(v, str) else v for k, v in fields.items()}
        event = ProvisioningEvent.objects.create(
            account=account, outcome=ProvisioningEvent.Outcome.FAILURE, **values
        )
        default_cache.set(key, event.pk, timeout=AGGREGATION_SECONDS * 2)
    except Exception:  # noqa: BLE001 - the refusal still goes out
        logger.exception("Could not write a provisioning-log row.")


REFUSAL_REASONS = {
    "disabled": "Refused: provisioning is disabled for this account.",
    "replaced": "Refused: the token ending …{hint} was replaced on {when}.",
    "revoked": "Refused: the token ending …{hint} was revoked when provisioning was "
    "disconnected on {when}.",
    "wrong-secret": "Refused: a token with this account's key that is not its token "
    "(ending …{hint}): mistyped, or replaced more than 30 days ago.",
}


def record_rejection(rejection, *, method, resource_type, status):
    """Log a refused token that belongs to an account (see ``tokens.Rejection``)."""
    when = ""
    if rejection.retired is not None:
        when = f"{rejection.retired.retired_at:%Y-%m-%d %H:%M %Z}"
    record_repeated_failure(
        account=rejection.account,
        kind=f"auth-{rejection.refusal}",
        method=method,
        resource_type=resource_type,
        action=f"refused-{rejection.refusal}",
        status=status,
        token_hint=rejection.hint,
        reason=REFUSAL_REASONS[rejection.refusal].format(hint=rejection.hint, when=when),
    )
    note_rejection(rejection.account)


PURGE_BATCH_SIZE = 5000


def purge_events(*, days=None, now=None, batch_size=PURGE_BATCH_SIZE):
    """Delete provisioning-log rows older than ``days`` (default: the retention setting).

    In batches of ``batch_size`` rows, oldest first, each its own short transaction: a
    retention run over millions of rows then never holds its row locks, its WAL or a
    snapshot for minutes, and SCIM requests writing new rows meanwhile never wait for it.
    Each batch is one DELETE of the ids the created_at index yields first.
    """
    days = settings.SCIM_LOG_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = ProvisioningEvent.objects.filter(created_at__lt=cutoff).order_by("created_at")
    deleted = 0
    while True:
        batch = old.values("pk")[:batch_size]
        with transaction.atomic():
            count, _ = ProvisioningEvent.objects.filter(pk__in=Subquery(batch)).delete()
        deleted += count
        if count < batch_size:
            return deleted
