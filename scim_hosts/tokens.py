"""Issuing, checking and rotating an account's SCIM secret token."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from scim_hosts.models import ProvisioningEvent, ScimToken
from visitor_mgmt.models import Account

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


def _converters(model):
    """(attname, [(converter, expression)]) per concrete field: how the ORM reads a column."""
    out = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        convs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        out.append((field.attname, [(conv, col) for conv in convs]))
    return out


def _from_db(model, plan, values):
    converted = []
    for (_, convs), value in zip(plan, values, strict=True):
        for conv, col in convs:
            value = conv(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [name for name, _ in plan], converted)


@cache
def _lookup():
    """One SELECT of the token row joined with its account, written once per process.

    Every SCIM request runs it; compiling the equivalent select_related query costs the ORM
    about 1 ms of CPU each time, several times the query itself.
    """
    qn = connection.ops.quote_name
    token_meta, account_meta = ScimToken._meta, Account._meta
    columns = [f"t.{qn(f.column)}" for f in token_meta.concrete_fields]
    columns += [f"a.{qn(f.column)}" for f in account_meta.concrete_fields]
    # Names come from the models and are quoted; values are parameters.
    sql = (
        f"SELECT {', '.join(columns)} FROM {qn(token_meta.db_table)} t"  # noqa: S608
        f" INNER JOIN {qn(account_meta.db_table)} a"
        f" ON a.{qn(account_meta.pk.column)} = t.{qn(token_meta.get_field('account').column)}"
        f" WHERE t.{qn(token_meta.get_field('token_hash').column)} = %s"
        f" AND t.{qn(token_meta.get_field('enabled').column)} = %s"
    )
    return sql, _converters(ScimToken), _converters(Account)


def authenticate(raw_token):
    """The enabled ScimToken (with its account) for a presented token, or None."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        return None
    sql, token_plan, account_plan = _lookup()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_token(raw_token), True])
        row = cursor.fetchone()
    if row is None:
        return None
    token = _from_db(ScimToken, token_plan, row[: len(token_plan)])
    token.account = _from_db(Account, account_plan, row[len(token_plan) :])
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
