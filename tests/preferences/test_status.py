"""Provisioning an admin can see working: the status badge, refused requests in the log,
and the failure explained in words (docs/provisioning-health.md). Over HTTP, with the
clock under the test's control."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from scim_hosts import provisioning_log as events
from scim_hosts.access.tokens import rotate_token
from scim_hosts.models import ProvisioningEvent, ScimToken
from tests.preferences.helpers import (
    ENABLED_URL,
    GENERATE_URL,
    ROTATE_URL,
    section_html,
    tokens_in,
)
from visitor_mgmt.templatetags.datetimes import when_text

pytestmark = pytest.mark.django_db

SCIM_JSON = "application/scim+json"
PROBE = "/scim/v2/Users?filter=userName+eq+%22nobody%40contoso.com%22"
T0 = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def status_of(admin_client):
    html = section_html(admin_client)
    start = html.index('data-status="') + len('data-status="')
    return html[start : html.index('"', start)], " ".join(html.split())


def entra(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def generate(admin_client):
    (raw,) = set(tokens_in(admin_client.post(GENERATE_URL)))
    return raw


def post_user(raw, user_name="ada@contoso.com", **extra):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name}
    body.update(extra)
    return entra(raw).post("/scim/v2/Users", json.dumps(body), content_type=SCIM_JSON)


def test_every_status_in_turn(admin_client, account):
    with time_machine.travel(T0, tick=False) as clock:
        assert status_of(admin_client)[0] == "not-configured"
        raw = generate(admin_client)
        state, html = status_of(admin_client)
        assert state == "waiting"
        assert "Waiting for Microsoft Entra ID" in html

        clock.shift(timedelta(minutes=5))
        assert entra(raw).get(PROBE).status_code == 200  # Entra's Test Connection
        state, html = status_of(admin_client)
        assert state == "connected"
        assert "Last successful request less than a minute ago" in html

        clock.shift(timedelta(minutes=10))
        assert post_user(raw, "x" * 300).status_code == 400  # a value this service refuses
        state, html = status_of(admin_client)
        assert state == "failing"
        assert "The latest request failed." in html
        assert "request was refused (HTTP 400, invalidValue)" in html

        clock.shift(timedelta(seconds=20))  # a success within the same minute recovers
        assert post_user(raw).status_code == 201
        assert status_of(admin_client)[0] == "connected"

        clock.shift(timedelta(hours=1, minutes=59))
        assert status_of(admin_client)[0] == "connected"
        clock.shift(timedelta(minutes=2))  # two hours without a request
        state, html = status_of(admin_client)
        assert state == "stalled"
        assert "no request for 2" in html

        assert entra(raw).get(PROBE).status_code == 200
        assert status_of(admin_client)[0] == "connected"

        admin_client.post(ENABLED_URL, {"enabled": "false"})
        assert entra(raw).get(PROBE).status_code == 401
        state, html = status_of(admin_client)
        assert state == "disabled"
        assert "requests were refused because provisioning is disabled here" in html


def test_a_clear_share_of_failures_in_the_last_hour_is_failing(admin_client, account):
    with time_machine.travel(T0, tick=False) as clock:
        raw = generate(admin_client)
        for n in range(6):
            clock.shift(timedelta(minutes=2))
            assert post_user(raw, f"u{n}@contoso.com").status_code == 201
            clock.shift(timedelta(minutes=2))
            assert post_user(raw, f"u{n}@contoso.com").status_code == 409  # a duplicate
            clock.shift(timedelta(minutes=2))
            assert entra(raw).get(PROBE).status_code == 200  # the latest request succeeds
        state, html = status_of(admin_client)
        assert state == "failing"
        assert "6 of the last hour&#x27;s requests failed." in html
        assert "(HTTP 409, uniqueness)" in html
        clock.shift(timedelta(hours=1))  # the failures age out of the window
        assert status_of(admin_client)[0] == "connected"


def test_not_found_is_no_failure(admin_client, account):
    raw = generate(admin_client)
    missing = "/scim/v2/Users/00000000-0000-0000-0000-000000000000"
    assert entra(raw).get(missing).status_code == 404
    assert status_of(admin_client)[0] == "connected"


def refused(account, action):
    return list(ProvisioningEvent.objects.filter(account=account, action=action))


def test_requests_while_disabled_are_logged_with_their_reason(admin_client, account):
    raw = generate(admin_client)
    admin_client.post(ENABLED_URL, {"enabled": "false"})
    for _ in range(3):
        assert entra(raw).get(PROBE).status_code == 401
    (row,) = refused(account, "refused-disabled")
    assert row.repeat_count == 3  # one row a minute, with the count
    assert row.status == 401 and row.outcome == "failure"
    assert row.reason == "Refused: provisioning is disabled for this account."
    assert row.token_hint == raw[-4:]


def test_a_replaced_token_is_recognised_and_explained(admin_client, account):
    with time_machine.travel(T0, tick=False) as clock:
        old = generate(admin_client)
        assert entra(old).get(PROBE).status_code == 200
        admin_client.post(ROTATE_URL)  # stops now (the default)
        clock.shift(timedelta(minutes=12))
        response = entra(old).get(PROBE)
        assert response.status_code == 401
        assert response.json()["detail"].startswith("Authentication failed")  # same 401
        (row,) = refused(account, "refused-replaced")
        assert row.token_hint == old[-4:]
        assert (
            row.reason
            == (  # T0 is in UTC: the moment the token was replaced
                f"Refused: the token ending …{old[-4:]} was replaced on {T0:%Y-%m-%d %H:%M} UTC."
            )
        )
        state, html = status_of(admin_client)
        assert state == "failing"
        local = timezone.localtime(T0)
        assert (
            "Less than a minute ago Microsoft Entra ID used a token that was replaced on "
            f"{when_text(local)}: paste the new token into Microsoft Entra ID&#x27;s "
            "Admin Credentials"
        ) in html
        clock.shift(timedelta(minutes=12))
        assert (
            "12 minutes ago Microsoft Entra ID used a token that was replaced"
            in (status_of(admin_client)[1])
        )


def test_a_replaced_token_is_forgotten_after_30_days(admin_client, account):
    from django.core.management import call_command

    old = generate(admin_client)
    rotate_token(account=account)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        call_command("purge_provisioning_log", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert entra(old).get(PROBE).status_code == 401
    assert not refused(account, "refused-replaced")
    # Its account key still names the account: logged, but no longer as "replaced".
    (row,) = refused(account, "refused-wrong-secret")
    assert "replaced more than 30 days ago" in row.reason


def test_a_wrong_secret_with_the_accounts_key_is_logged(admin_client, account):
    raw = generate(admin_client)
    key = ScimToken.objects.get(account=account).account_key
    assert raw.startswith(f"vmscim_{key}_")
    forged = f"vmscim_{key}_" + "x" * 43
    assert entra(forged).get(PROBE).status_code == 401
    (row,) = refused(account, "refused-wrong-secret")
    assert row.token_hint == "xxxx"
    assert "is not its token" in row.reason


def test_an_unknown_token_is_logged_nowhere(admin_client, account, other_account):
    generate(admin_client)
    before = ProvisioningEvent.objects.count()
    for token in ("vmscim_" + "a" * 43, "vmscim_0123456789abcdef_" + "b" * 43, "nonsense"):
        response = entra(token).get(PROBE)
        assert response.status_code == 401
        assert response.json()["detail"].startswith("Authentication failed")
    assert ProvisioningEvent.objects.count() == before
    assert ScimToken.objects.get(account=account).last_failure_at is None


def test_rate_limited_requests_are_one_row_a_minute(admin_client, account, settings):
    settings.SCIM_RATE_LIMIT = 2
    settings.SCIM_RATE_BURST = 2
    raw = generate(admin_client)
    with time_machine.travel(T0.replace(second=5), tick=False) as clock:
        codes = [entra(raw).get(PROBE).status_code for _ in range(7)]
        assert codes.count(429) >= 4
        (row,) = refused(account, "rate-limited")
        assert row.repeat_count == codes.count(429)
        assert row.status == 429 and row.token_hint == raw[-4:]
        clock.shift(timedelta(minutes=1))
        events.clock = lambda: T0.timestamp() + 65  # the aggregation's own clock
        try:
            codes = [entra(raw).get(PROBE).status_code for _ in range(5)]
        finally:
            events.clock = __import__("time").time
        assert codes.count(429) >= 2
        assert len(refused(account, "rate-limited")) == 2
        state, html = status_of(admin_client)
        assert state == "failing"
        assert "faster than this account&#x27;s limit" in html


def test_errors_are_logged_with_their_scim_type_and_token_hint(admin_client, account):
    raw = generate(admin_client)
    response = entra(raw).get("/scim/v2/Users?filter=bogus+zz+1")
    assert response.status_code == 400
    row = ProvisioningEvent.objects.filter(account=account, outcome="failure").get()
    assert (row.status, row.scim_type, row.token_hint) == (400, "invalidFilter", raw[-4:])
    assert post_user(raw).status_code == 201
    created = ProvisioningEvent.objects.get(account=account, action="created")
    assert created.token_hint == raw[-4:]


def test_the_log_page_shows_the_hint_and_the_count(admin_client, account):
    raw = generate(admin_client)
    admin_client.post(ENABLED_URL, {"enabled": "false"})
    for _ in range(2):
        entra(raw).get(PROBE)
    html = " ".join(admin_client.get("/preferences/scim/log/").content.decode().split())
    assert "Refused: provisioning disabled" in html
    assert f"…{raw[-4:]}" in html
    assert "&times;2" in html
