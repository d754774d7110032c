"""Issuing, checking and rotating an account's SCIM secret token."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scim_hosts.models import ProvisioningEvent, RetiredScimToken, ScimToken
from scim_hosts.sql import token_with_account
from visitor_mgmt.models import Account

TOKEN_PREFIX = "vmscim_"
ACCOUNT_KEY_LENGTH = 16  # hex characters
# last_used_at and the outcome times are display hints; writing them on every request would
# cost a write per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# How long a replaced or revoked token is still recognised (and its use logged as such).
RETIRED_TOKEN_MEMORY = timedelta(days=30)
# What a rotation may leave the old token: nothing (the default), an hour or a day.
GRACE_PERIODS = {"0": timedelta(0), "1h": timedelta(hours=1), "24h": timedelta(hours=24)}


class Refusal(StrEnum):
    """Why a token that belongs to an account was refused (logged for that account)."""

    DISABLED = "disabled"  # provisioning is switched off
    REPLACED = "replaced"  # rotated away, grace over
    REVOKED = "revoked"  # the account disconnected provisioning
    WRONG_SECRET = "wrong-secret"  # the account's key with a secret that is not its token


@dataclass
class Rejection:
    account: Account
    refusal: Refusal
    hint: str = ""
    retired: RetiredScimToken | None = None


def tenant_url():
    """The address an admin pastes into Entra's "Tenant URL" field (settings give the base
    without a trailing slash)."""
    return settings.PUBLIC_BASE_URL + "/scim/v2"


def hash_token(raw_token):
    # The token carries 256 random bits, so a fast unsalted hash is enough: nobody can
    # brute-force the preimage, and the lookup stays one indexed equality.
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def generate_account_key():
    return secrets.token_hex(ACCOUNT_KEY_LENGTH // 2)


def generate_raw_token(account_key):
    return f"{TOKEN_PREFIX}{account_key}_{secrets.token_urlsafe(32)}"


ACCOUNT_KEY_RE = re.compile(rf"{TOKEN_PREFIX}([0-9a-f]{{{ACCOUNT_KEY_LENGTH}}})_.+")


def account_key_of(raw_token):
    """The public account key a token carries, or "" (tokens from before keys existed)."""
    match = ACCOUNT_KEY_RE.fullmatch(raw_token or "")
    return match.group(1) if match else ""


def log_token_event(*, account, action, actor, reason=""):
    """A provisioning-log row for an admin's action on the connection (token, provider)."""
    ProvisioningEvent.objects.create(
        account=account,
        resource_type="Token",
        action=action,
        outcome=ProvisioningEvent.Outcome.SUCCESS,
        actor=actor,
        reason=reason,
    )


def _retire(token, *, reason, now, grace=timedelta(0)):
    return RetiredScimToken.objects.create(
        account_id=token.account_id,
        token_hash=token.token_hash,
        hint=token.hint,
        account_key=token.account_key,
        reason=reason,
        retired_at=now,
        works_until=now + grace,
    )


def rotate_token(*, account, actor=None, grace=timedelta(0)):
    """Create or replace the account's token. Returns (ScimToken, raw token shown once).

    The previous token is retired: it stops working when this commits, or keeps working
    for ``grace`` (an hour or a day) so the admin can paste the new one into the identity
    provider without a failed cycle. At most one old token works at a time: a rotation
    ends the grace of the one before.
    """
    now = timezone.now()
    with transaction.atomic():
        token = ScimToken.objects.select_for_update().filter(account=account).first()
        action = "token-rotated" if token else "token-generated"
        reason = ""
        if token is None:
            token = ScimToken(account=account, enabled=True)
        else:
            RetiredScimToken.objects.filter(account=account, works_until__gt=now).update(
                works_until=now
            )
            old = _retire(token, reason=RetiredScimToken.Reason.ROTATED, now=now, grace=grace)
            reason = f"Token ending …{old.hint} replaced"
            if grace:
                reason += f"; it keeps working until {old.works_until:%Y-%m-%d %H:%M %Z}"
        token.account_key = token.account_key or _free_account_key(account)
        raw = generate_raw_token(token.account_key)
        token.token_hash = hash_token(raw)
        token.hint = raw[-4:]
        token.created_at = now
        token.created_by = actor
        token.last_used_at = token.last_success_at = token.last_failure_at = None
        token.save()
        reason = f"Token ending …{token.hint}" + (f" ({reason})" if reason else "")
        log_token_event(account=account, action=action, actor=actor, reason=reason)
    return token, raw


def _free_account_key(account):
    """The account's key: the one its earlier tokens carried, else a new one."""
    retired = RetiredScimToken.objects.filter(account=account).exclude(account_key="").first()
    return retired.account_key if retired else generate_account_key()


def end_grace(*, account, actor=None):
    """Stop the previous token now (ends a rotation's grace period). Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        ended = list(
            RetiredScimToken.objects.select_for_update().filter(
                account=account, works_until__gt=now
            )
        )
        for retired in ended:
            retired.works_until = now
            retired.save(update_fields=["works_until"])
            log_token_event(
                account=account,
                action="grace-ended",
                actor=actor,
                reason=f"Previous token ending …{retired.hint} stopped early",
            )
    return len(ended)


def grace_token(account):
    """The previous token that still works (a rotation's grace period), or None."""
    return (
        RetiredScimToken.objects.filter(account=account, works_until__gt=timezone.now())
        .order_by("-works_until")
        .first()
    )


def revoke_token(*, account, now):
    """Disconnect: the account's token (and any grace token) stop now; the hashes are kept
    so that the identity provider's next requests are logged as using a revoked token."""
    token = ScimToken.objects.select_for_update().filter(account=account).first()
    RetiredScimToken.objects.filter(account=account, works_until__gt=now).update(works_until=now)
    if token is None:
        return None
    retired = _retire(token, reason=RetiredScimToken.Reason.DISCONNECTED, now=now)
    token.delete()
    return retired


def purge_retired_tokens(*, now=None):
    """Forget replaced tokens after RETIRED_TOKEN_MEMORY (their use is then just a 401)."""
    cutoff = (now or timezone.now()) - RETIRED_TOKEN_MEMORY
    deleted, _ = RetiredScimToken.objects.filter(works_until__lt=cutoff).delete()
    return deleted


def set_enabled(*, account, enabled, actor=None):
    """Turn provisioning on or off; the token is kept either way."""
    with transaction.atomic():
        token = ScimToken.objects.select_for_update().filter(account=account).first()
        if token is None:
            raise ValueError("Generate a token before enabling provisioning.")
        if token.enabled != enabled:
            token.enabled = enabled
            # Refusals while it was off say nothing about the connection once it is on.
            token.last_failure_at = None if enabled else token.last_failure_at
            token.save(update_fields=["enabled", "last_failure_at"])
            log_token_event(
                account=account, action="enabled" if enabled else "disabled", actor=actor
            )
    return token


def authenticate(raw_token):
    """(ScimToken with its account, None) for a token that may call SCIM now, else
    (None, Rejection) when the refused token can be tied to an account, else (None, None).

    The token's ``used_hint`` says which token the request used: the current one, or the
    previous one during a rotation's grace period.
    """
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        return None, None
    digest = hash_token(raw_token)
    token = token_with_account(digest)
    now = timezone.now()
    if token is not None:
        token.used_hint = token.hint
    else:
        token, rejection = _retired_or_unknown(raw_token, digest, now)
        if token is None:
            return None, rejection
    if not token.enabled:
        return None, Rejection(token.account, Refusal.DISABLED, hint=token.used_hint)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, None


def _retired_or_unknown(raw_token, digest, now):
    """The failure path of the lookup (and a rotation's grace period)."""
    retired = RetiredScimToken.objects.select_related("account").filter(token_hash=digest).first()
    if retired is not None:
        current = ScimToken.objects.filter(account_id=retired.account_id).first()
        if retired.works_until > now and current is not None:
            current.account = retired.account
            current.used_hint = retired.hint
            return current, None
        refusal = (
            Refusal.REVOKED
            if retired.reason == RetiredScimToken.Reason.DISCONNECTED
            else Refusal.REPLACED
        )
        return None, Rejection(retired.account, refusal, hint=retired.hint, retired=retired)
    key = account_key_of(raw_token)
    if key:
        current = ScimToken.objects.select_related("account").filter(account_key=key).first()
        if current is not None:
            return None, Rejection(current.account, Refusal.WRONG_SECRET, hint=raw_token[-4:])
    return None, None  # belongs to no account: nothing to log, nobody to tell


def note_outcome(token, *, failed, now=None):
    """Remember when the account's latest request succeeded or failed (status badge).

    Written at most once a minute for a run of the same outcome, and at once when the
    outcome changes, so "the latest request failed" is always known exactly.
    """
    now = now or timezone.now()
    if failed:
        latest, other, field = token.last_failure_at, token.last_success_at, "last_failure_at"
    else:
        latest, other, field = token.last_success_at, token.last_failure_at, "last_success_at"
    recent = latest is not None and now - latest < LAST_USED_RESOLUTION
    if recent and (other is None or other <= latest):
        return
    ScimToken.objects.filter(pk=token.pk).update(**{field: now})
    setattr(token, field, now)


def note_rejection(account, *, now=None):
    ScimToken.objects.filter(account=account).update(last_failure_at=now or timezone.now())
