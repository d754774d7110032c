"""Is provisioning working? The status an admin sees, why it fails, and the alert e-mails.

The status is derived from what is already kept, never from a background job:

- the token row: exists, enabled, ``last_success_at`` / ``last_failure_at`` (the latest
  answered request of each outcome, exact as to which came last) and ``last_used_at``;
- the provisioning log: failures of the last hour (with their aggregated counts) against
  its successful writes, and the newest failure, whose words explain the status.

Statuses, in the order they are decided:

=================  ===============================================================
Not configured     no token
Disabled           the admin switched provisioning off (requests are refused)
Failing            the latest request failed, or a clear share of the last hour's
                   requests failed (``FAILING_MIN`` or more, at least ``FAILING_SHARE``)
Waiting            a token exists and no request has succeeded yet
Stalled            it was connected, and no request came for ``STALL_AFTER`` (only for a
                   provider that syncs on a schedule: Entra; see scim_hosts.providers)
Connected          otherwise (with the last successful request time)
=================  ===============================================================

A 404 is not a failure: identity providers ask for resources that are gone as a matter of
course (Entra reads a user before deleting it).

Every text names the identity provider the account's admins chose (Entra by default) and
its own field and button names.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.timesince import timesince

from scim_hosts.models import (
    ProvisioningAlertOptOut,
    ProvisioningEvent,
    ProvisioningIncident,
    RetiredScimToken,
    ScimToken,
)
from scim_hosts.providers import ENTRA, account_provider
from visitor_mgmt.models import Account, Membership
from visitor_mgmt.templatetags.datetimes import when_text

logger = logging.getLogger(__name__)

# Entra's incremental cycle runs about every 40 minutes: two hours is three missed cycles.
STALL_AFTER = timedelta(hours=2)
FAILING_WINDOW = timedelta(hours=1)
FAILING_MIN = 5
FAILING_SHARE = 0.25
ALERT_STATUSES = frozenset({"failing", "stalled"})


@dataclass
class Status:
    key: str
    label: str
    badge: str
    detail: str = ""  # one sentence under the badge
    explanation: str = ""  # what went wrong and what to do, when something did

    @property
    def alerting(self):
        return self.key in ALERT_STATUSES


def _ago(moment, now):
    if now - moment < timedelta(minutes=1):
        return "Less than a minute ago"
    return f"{timesince(moment, now, depth=1)} ago".capitalize()


def _when(moment):
    # The product's one date-and-time format, in the account's zone (set by the view).
    return when_text(moment)


def _failures(account):
    return ProvisioningEvent.objects.filter(
        account=account, outcome=ProvisioningEvent.Outcome.FAILURE
    ).exclude(status=404)


def _last_hour_counts(account, now):
    """(failed requests, successful writes) of the last hour, from the log."""
    rows = ProvisioningEvent.objects.filter(
        account=account, created_at__gte=now - FAILING_WINDOW
    ).exclude(resource_type="Token")
    totals = rows.aggregate(
        failed=Sum(
            "repeat_count",
            filter=Q(outcome=ProvisioningEvent.Outcome.FAILURE) & ~Q(status=404),
        ),
        succeeded=Sum("repeat_count", filter=Q(outcome=ProvisioningEvent.Outcome.SUCCESS)),
    )
    return totals["failed"] or 0, totals["succeeded"] or 0


def latest_failure(account, *, since=None):
    events = _failures(account).exclude(resource_type="Token")
    if since is not None:
        events = events.filter(created_at__gte=since)
    return events.order_by("-created_at", "-id").first()


def explain(event, now, provider=ENTRA):
    """What an admin can act on, in words, for one failure row of the log."""
    name = provider.name
    ago = _ago(event.created_at, now)
    times = f" ({event.repeat_count} requests)" if event.repeat_count > 1 else ""
    action = event.action
    if action in ("refused-replaced", "refused-revoked"):
        retired = (
            RetiredScimToken.objects.filter(account=event.account_id, hint=event.token_hint)
            .order_by("-retired_at")
            .first()
        )
        when = f" on {_when(retired.retired_at)}" if retired else ""
        if action == "refused-replaced":
            return (
                f"{ago} {name} used a token that was replaced{when}{times}: paste the new "
                f"token into {name}'s {provider.token_place}, then {provider.test_and_save}."
            )
        return (
            f"{ago} {name} used a token that was revoked when provisioning was "
            f"disconnected{when}{times}. Generate a new token here to connect again, or turn "
            f"provisioning off in {name}."
        )
    if action == "refused-disabled":
        return (
            f"{ago} {name}'s requests were refused{times} because provisioning is "
            "disabled here. Enable provisioning below to let it sync again."
        )
    if action == "refused-wrong-secret":
        return (
            f"{ago} {name} sent a {provider.token_label} that is not this account's current "
            f"token (it ends …{event.token_hint}){times}. Copy the token again into "
            f"{provider.credentials}; if nobody has it any more, rotate it here."
        )
    if action == "rate-limited":
        return (
            f"{ago} {name} sent requests faster than this account's limit{times}; they "
            "were refused with HTTP 429 and are retried automatically. If this keeps "
            "happening, ask your operator to raise SCIM_RATE_LIMIT."
        )
    if action == "link-conflict":
        return (
            f'{ago} {name} could not link "{event.resource_name}": more than one host '
            "matches it (see the conflicts below). Edit or delete one of them; the next sync "
            "links the other."
        )
    status = event.status or 0
    if status >= 500:
        return (
            f"{ago} a request from {name} failed because the service was temporarily "
            f"unavailable (HTTP {status}). {name} retries on its own."
        )
    what = f"{event.method} {event.resource_type}".strip() or "A request"
    kind = f", {event.scim_type}" if event.scim_type else ""
    return (
        f"{ago} {name}'s {what} request was refused (HTTP {status}{kind}): "
        f"{event.reason or 'no reason given'}{times}"
    )


def provisioning_status(*, account, token=None, now=None, provider=None):
    """The Status of an account's provisioning (a bounded number of queries)."""
    now = now or timezone.now()
    provider = provider or account_provider(account)
    name = provider.name
    if token is None:
        token = ScimToken.objects.filter(account=account).first()
    if token is None:
        return Status("not-configured", "Not configured", "warn", "No Secret Token yet.")
    if not token.enabled:
        event = latest_failure(account, since=now - FAILING_WINDOW)
        return Status(
            "disabled",
            "Disabled",
            "disabled",
            f"Provisioning is switched off: {name}'s requests are refused.",
            explain(event, now, provider) if event else "",
        )
    failed, succeeded = _last_hour_counts(account, now)
    latest_failed = token.last_failure_at is not None and (
        token.last_success_at is None or token.last_failure_at > token.last_success_at
    )
    share_failed = failed >= FAILING_MIN and failed >= FAILING_SHARE * (failed + succeeded)
    if latest_failed or share_failed:
        since = (token.last_failure_at or now) - timedelta(minutes=2)
        event = latest_failure(account, since=min(since, now - FAILING_WINDOW))
        detail = (
            "The latest request failed."
            if latest_failed
            else f"{failed} of the last hour's requests failed."
        )
        explanation = explain(event, now, provider) if event else ""
        return Status("failing", "Failing", "off", detail, explanation)
    if token.last_success_at is None:
        return Status(
            "waiting",
            f"Waiting for {name}",
            "warn",
            f"The token is ready; {name} has not connected yet. Paste the "
            f"{provider.url_label} and {provider.token_label} into {name}, then "
            f"{provider.test}.",
        )
    last_seen = max(filter(None, (token.last_success_at, token.last_used_at)))
    if provider.sync_note and now - last_seen > STALL_AFTER:
        return Status(
            "stalled",
            "Stalled",
            "warn",
            f"Connected before, but no request for {timesince(last_seen, now, depth=1)}: "
            f"{name} {provider.sync_note}. Check that provisioning is On in "
            f"{name} and not in quarantine.",
        )
    return Status(
        "connected",
        "Connected",
        "active",
        f"Last successful request {_ago(token.last_success_at, now).lower()}.",
    )


# ------------------------------------------------------------------ alerts


def alert_recipients(account):
    """E-mail addresses of the account's active admins who did not switch alerts off."""
    opted_out = ProvisioningAlertOptOut.objects.values("user_id")
    return list(
        Membership.objects.filter(account=account, role=Membership.Role.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .exclude(user_id__in=opted_out)
        .values_list("user__email", flat=True)
    )


def alerts_enabled_for(user):
    return not ProvisioningAlertOptOut.objects.filter(user=user).exists()


def set_alerts_enabled(*, user, enabled):
    if enabled:
        ProvisioningAlertOptOut.objects.filter(user=user).delete()
    else:
        ProvisioningAlertOptOut.objects.get_or_create(user=user)


def _send(account, subject, body):
    recipients = alert_recipients(account)
    if not recipients:
        return 0
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # noqa: BLE001 - one account's mail failure must not stop the others
        logger.exception("Could not send the provisioning alert for account %s.", account.pk)
        return 0
    return len(recipients)


def _preferences_url():
    return settings.PUBLIC_BASE_URL.rstrip("/") + "/preferences/#scim"


def check_account(*, account, now=None):
    """Open or close the account's incident; e-mail its admins once for each.

    Returns "opened", "closed", "ongoing" or "" (nothing to tell). The incident row is
    written first (under a lock on the account, so two overlapping runs cannot both
    open it); the e-mail goes out after that commits.
    """
    now = now or timezone.now()
    mail = None
    with transaction.atomic():
        list(Account.objects.select_for_update().filter(pk=account.pk).values_list("pk"))
        status = provisioning_status(account=account, now=now)
        incident = ProvisioningIncident.objects.filter(account=account).first()
        if status.alerting and incident is not None:
            return "ongoing"  # never twice for one incident
        if status.alerting:
            ProvisioningIncident.objects.create(account=account, status=status.key, opened_at=now)
            outcome = "opened"
            mail = (
                f"[Visitor Management] Provisioning {status.label.lower()}",
                _alert(account, status),
            )
        elif incident is None:
            return ""
        else:
            incident.delete()
            outcome = "closed"
            if status.key == "connected":  # disabled or disconnected by an admin: no mail
                mail = ("[Visitor Management] Provisioning recovered", _recovery(account, status))
    if mail:
        _send(account, *mail)
    return outcome


def _alert(account, status):
    return "\n\n".join(
        p
        for p in (
            f"SCIM host provisioning for {account.name} is {status.label.lower()}.",
            status.detail,
            status.explanation,
            f"Details: {_preferences_url()}",
            "You get one e-mail when this starts and one when it recovers. Switch these "
            "e-mails off in Preferences → SCIM Host Provisioning.",
        )
        if p
    )


def _recovery(account, status):
    return (
        f"SCIM host provisioning for {account.name} works again: {status.detail}\n\n"
        f"Details: {_preferences_url()}"
    )


def check_all(*, now=None):
    """``check_account`` for every account with a token or an open incident."""
    accounts = Account.objects.filter(
        Q(pk__in=ScimToken.objects.values("account_id"))
        | Q(pk__in=ProvisioningIncident.objects.values("account_id"))
    ).order_by("pk")
    outcomes = {}
    for account in accounts.iterator():
        outcomes[account.slug] = check_account(account=account, now=now)
    return outcomes
