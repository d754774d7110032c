"""rotate_scim_token and purge_provisioning_log."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scim_hosts.access.tokens import TOKEN_PREFIX, tenant_url
from scim_hosts.models import ProvisioningEvent, ScimToken
from tests.factories import ProvisioningEventFactory
from tests.scim.support import ScimClient


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_rotate_text_prints_tenant_url_and_token_once(client, account, settings):
    settings.PUBLIC_BASE_URL = "https://vm.example.com"
    output = run("rotate_scim_token", "acme")
    assert "Tenant URL:   https://vm.example.com/scim/v2\n" in output
    token = next(
        line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("Secret Token:")
    )
    assert token.startswith(TOKEN_PREFIX) and len(token) >= 40
    assert output.count(token) == 1
    stored = ScimToken.objects.get(account=account)
    assert token not in stored.token_hash and stored.hint == token[-4:]
    assert ScimClient(client, token).get("/Users").status_code == 200


def test_rotate_json_and_old_token_stops_working(client, account):
    first = json.loads(run("rotate_scim_token", "acme", "--format", "json"))
    assert set(first) == {"tenant_url", "token", "previous_token_until"}
    assert first["previous_token_until"] is None
    assert first["tenant_url"] == tenant_url() == "http://127.0.0.1:8000/scim/v2"
    assert ScimClient(client, first["token"]).get("/Users").status_code == 200
    second = json.loads(run("rotate_scim_token", "acme", "--format=json"))
    assert second["token"] != first["token"]
    assert ScimClient(client, first["token"]).get("/Users").status_code == 401
    assert ScimClient(client, second["token"]).get("/Users").status_code == 200
    assert ScimToken.objects.filter(account=account).count() == 1
    assert list(
        ProvisioningEvent.objects.filter(account=account).values_list("action", flat=True)
    ) == ["refused-replaced", "token-rotated", "token-generated"]  # the old token's try


def test_rotate_with_grace_keeps_the_old_token_until_the_deadline(client, account):
    first = json.loads(run("rotate_scim_token", "acme", "--format", "json"))["token"]
    text = run("rotate_scim_token", "acme", "--grace", "1h")
    second = re.search(r"Secret Token: (\S+)", text).group(1)
    assert "the previous token keeps working until" in text
    assert ScimClient(client, first).get("/Users").status_code == 200  # still, for an hour
    assert ScimClient(client, second).get("/Users").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert ScimClient(client, first).get("/Users").status_code == 401
        assert ScimClient(client, second).get("/Users").status_code == 200


def test_rotate_refuses_an_unknown_grace(account):
    with pytest.raises(CommandError):
        run("rotate_scim_token", "acme", "--grace", "2h")


def test_json_output_is_exactly_one_object(account):
    output = run("rotate_scim_token", "acme", "--format", "json")
    assert output.count("\n") <= 1
    json.loads(output)


def test_unknown_slug_is_a_command_error(db):
    with pytest.raises(CommandError, match="nope"):
        call_command("rotate_scim_token", "nope")
    assert not ScimToken.objects.exists()


def test_bad_format_is_rejected(account):
    with pytest.raises(CommandError):
        call_command("rotate_scim_token", "acme", "--format", "yaml")


def test_purge_deletes_only_rows_older_than_the_retention(account, other_account, settings):
    settings.SCIM_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = ProvisioningEventFactory(account=account)
    older = ProvisioningEventFactory(account=other_account)
    recent = ProvisioningEventFactory(account=account)
    ProvisioningEvent.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=31))
    ProvisioningEvent.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=400))
    ProvisioningEvent.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=29))
    output = run("purge_provisioning_log")
    assert "Deleted 2 provisioning event(s) older than 30 day(s)." in output
    assert list(ProvisioningEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_purge_days_option(account):
    event = ProvisioningEventFactory(account=account)
    ProvisioningEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    assert "Deleted 0" in run("purge_provisioning_log", "--days", "5")
    assert "Deleted 1" in run("purge_provisioning_log", "--days", "2")
    with pytest.raises(CommandError):
        call_command("purge_provisioning_log", "--days", "-1")


@pytest.mark.django_db(transaction=True)
def test_purge_deletes_in_batches_each_its_own_transaction(account, other_account):
    """A retention run over millions of rows must not be one long transaction: it deletes
    ``--batch-size`` rows at a time, oldest first, and commits after each batch."""
    now = timezone.now()
    events = [ProvisioningEventFactory(account=a) for a in (account, other_account) * 6]
    for age, event in enumerate(events):  # ages 100..111 days, and two recent rows
        ProvisioningEvent.objects.filter(pk=event.pk).update(
            created_at=now - timedelta(days=100 + age)
        )
    recent = [ProvisioningEventFactory(account=account) for _ in range(2)]
    with CaptureQueriesContext(connection) as ctx:
        output = run("purge_provisioning_log", "--batch-size", "5")
    assert "Deleted 12 provisioning event(s)" in output
    assert sorted(ProvisioningEvent.objects.values_list("pk", flat=True)) == sorted(
        e.pk for e in recent
    )
    deletes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('DELETE FROM "scim_hosts_provisioningevent"')
    ]
    assert len(deletes) == 3  # 5 + 5 + 2 rows
    assert all("LIMIT 5" in sql for sql in deletes)
    if connection.vendor == "postgresql":  # SQLite's savepoint-free atomic shows no BEGIN
        commits = [q for q in ctx.captured_queries if q["sql"] == "COMMIT"]
        assert len(commits) >= 3


def test_purge_batch_size_must_be_positive(db):
    with pytest.raises(CommandError):
        call_command("purge_provisioning_log", "--batch-size", "0")
