"""Issuing, checking and rotating an account's SCIM secret token."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scim_hosts.models import ProvisioningEvent, ScimToken

TOKEN_PREFIX = "vmscim_"
# last_used_at is a display hint; writing it on every request would cost a write per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def tenant_url():
    """The address an admin pastes into Entra's "Tenant URL" field."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + "/scim/v2"


def hash_token(raw_token):
    # The token carries 256 random bits, so a fast unsalted hash is enough: nobody can
    # brute-force the preimage, and the lookup stays one indexed equality.
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def generate_raw_token():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def rotate_token(*, account, actor=None):
    """Create or replace the account's token. Returns (ScimToken, raw token shown once).

    The previous token stops working when this commits: its hash is overwritten in the
    one row the account has, so exactly one token is ever valid.
    """
    raw = generate_raw_token()
    now = timezone.now()
    with transaction.atomic():
        token = ScimToken.objects.select_for_update().filter(account=account).first()
        action = "token-rotated" if token else "token-generated"
        if token is None:
            token = ScimToken(account=account, enabled=True)
        token.token_hash = hash_token(raw)
        token.hint = raw[-4:]
        token.created_at = now
        token.created_by = actor
        token.last_used_at = None
        token.save()
        ProvisioningEvent.objects.create(
            account=account,
            resource_type="Token",
            action=action,
            outcome=ProvisioningEvent.Outcome.SUCCESS,
            actor=actor,
            reason=f"Token ending …{token.hint}",
        )
    return token, raw


def set_enabled(*, account, enabled, actor=None):
    """Turn provisioning on or off; the token is kept either way."""
    with transaction.atomic():
        token = ScimToken.objects.select_for_update().filter(account=account).first()
        if token is None:
            raise ValueError("Generate a token before enabling provisioning.")
        if token.enabled != enabled:
            token.enabled = enabled
            token.save(update_fields=["enabled"])
            ProvisioningEvent.objects.create(
                account=account,
                resource_type="Token",
                action="enabled" if enabled else "disabled",
                outcome=ProvisioningEvent.Outcome.SUCCESS,
                actor=actor,
            )
    return token


def authenticate(raw_token):
    """The enabled ScimToken (with its account) for a presented token, or None."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        return None
    token = (
        ScimToken.objects.select_related("account")
        .filter(token_hash=hash_token(raw_token), enabled=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
