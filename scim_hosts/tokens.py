"""Issuing, checking and rotating an account's SCIM secret token."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from scim_hosts.models import ProvisioningEvent, ScimToken
from scim_hosts.sql import RowReader, quote
from scim_hosts.sql import select_list as sql_select_list
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


@cache
def _lookup():
    """One SELECT of the token row joined with its account, written once per process.

    Every SCIM request runs it; compiling the equivalent select_related query costs the ORM
    about 1 ms of CPU each time, several times the query itself.
    """
    token_meta, account_meta = ScimToken._meta, Account._meta
    # Names come from the models and are quoted; values are parameters.
    sql = (
        f"SELECT {sql_select_list(ScimToken, 't')}, {sql_select_list(Account, 'a')}"  # noqa: S608
        f" FROM {quote(token_meta.db_table)} t INNER JOIN {quote(account_meta.db_table)} a"
        f" ON a.{quote(account_meta.pk.column)} = t.{quote(token_meta.get_field('account').column)}"
        f" WHERE t.{quote(token_meta.get_field('token_hash').column)} = %s"
        f" AND t.{quote(token_meta.get_field('enabled').column)} = %s"
    )
    return sql, RowReader(ScimToken), RowReader(Account)


def authenticate(raw_token):
    """The enabled ScimToken (with its account) for a presented token, or None."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        return None
    sql, tokens, accounts = _lookup()
    row = _first_statement(sql, [hash_token(raw_token), True])
    if row is None:
        return None
    token = tokens.read(row)
    token.account = accounts.read(row, tokens.width)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _fetchone(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _first_statement(sql, params):
    """Run the token lookup, a SCIM request's first statement, as the connection's health
    check too.

    With persistent connections Django checks a reused connection with a SELECT 1 at the
    start of each request (CONN_HEALTH_CHECKS): one more round trip on every SCIM call. Here
    the lookup itself finds out: if the server dropped the connection (restart, idle
    timeout), the lookup fails, the connection is replaced and the lookup runs again. It is
    a read outside any transaction, so running it twice changes nothing.
    """
    reused = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if not reused:
        return _fetchone(sql, params)
    connection.health_check_done = True  # Django's check is this statement
    try:
        return _fetchone(sql, params)
    except (OperationalError, InterfaceError):
        connection.close()
        return _fetchone(sql, params)
