"""Rotation without a gap (the old token may keep working for an hour or a day) and
leaving the directory (Disconnect), from the SCIM section."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from scim_hosts.access.tokens import account_key_of
from scim_hosts.models import ProvisioningEvent, ScimToken
from tests.factories import DirectoryHostFactory, HostGroupFactory
from tests.preferences.helpers import (
    GENERATE_URL,
    ROTATE_URL,
    section_html,
    tokens_in,
)
from visitor_mgmt.models import Host, HostGroup, Source

pytestmark = pytest.mark.django_db

PROBE = "/scim/v2/Users?filter=userName+eq+%22ada%40contoso.com%22"
END_GRACE_URL = "/preferences/scim/token/end-grace/"
DISCONNECT_URL = "/preferences/scim/disconnect/"
T0 = timezone.now().replace(microsecond=0)


def probe(raw, url=PROBE):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(url)


def new_token(admin_client, url=GENERATE_URL, data=None):
    # The new token is in the response to the POST (never kept in the session).
    (raw,) = set(tokens_in(admin_client.post(url, data or {})))
    return raw


def test_the_rotation_page_offers_the_grace_periods(admin_client):
    new_token(admin_client)
    html = admin_client.get(ROTATE_URL).content.decode()
    for label in ("Stops working now", "Keeps working for 1 hour", "Keeps working for 24 hours"):
        assert label in html
    assert 'value="0" required' not in html and 'value="0"' in html
    assert 'aria-describedby="id_grace_helptext"' in html  # help tied to its field


@pytest.mark.parametrize("grace, hours", [("1h", 1), ("24h", 24)])
def test_both_tokens_work_until_the_deadline_then_only_the_new(admin_client, grace, hours):
    with time_machine.travel(T0, tick=False) as clock:
        old = new_token(admin_client)
        new = new_token(admin_client, ROTATE_URL, {"grace": grace})
        assert new != old
        html = section_html(admin_client)
        until = T0 + timedelta(hours=hours)
        assert f'keeps working until <time datetime="{until.isoformat()}"' in html
        assert probe(old).status_code == 200
        assert probe(new).status_code == 200
        hints = set(
            ProvisioningEvent.objects.exclude(token_hint="").values_list("token_hint", flat=True)
        )
        clock.shift(timedelta(hours=hours, seconds=-1))
        created = Client(HTTP_AUTHORIZATION=f"Bearer {old}").post(
            "/scim/v2/Users",
            json.dumps({"userName": "ada@contoso.com"}),
            content_type="application/scim+json",
        )
        assert created.status_code == 201
        row = ProvisioningEvent.objects.get(action="created")
        assert row.token_hint == old[-4:]  # the log says which token a request used
        clock.shift(timedelta(seconds=2))
        assert probe(old).status_code == 401
        assert probe(new).status_code == 200
        assert "Stop the previous token now" not in section_html(admin_client)
        assert ProvisioningEvent.objects.filter(action="refused-replaced").count() == 1
        assert hints == set()  # GETs are not logged: only writes and failures


def test_the_previous_token_can_be_stopped_early(admin_client):
    old = new_token(admin_client)
    new_token(admin_client, ROTATE_URL, {"grace": "24h"})
    assert probe(old).status_code == 200
    assert "Stop the previous token now" in section_html(admin_client)
    response = admin_client.post(END_GRACE_URL)
    assert response.status_code == 302
    assert probe(old).status_code == 401
    assert "Stop the previous token now" not in section_html(admin_client)
    assert ProvisioningEvent.objects.filter(action="grace-ended").count() == 1


def test_another_rotation_ends_the_earlier_grace(admin_client):
    first = new_token(admin_client)
    second = new_token(admin_client, ROTATE_URL, {"grace": "1h"})
    third = new_token(admin_client, ROTATE_URL, {"grace": "1h"})
    assert probe(first).status_code == 401  # at most one old token works
    assert probe(second).status_code == 200
    assert probe(third).status_code == 200


def test_an_unknown_grace_is_a_form_error(admin_client):
    old = new_token(admin_client)
    response = admin_client.post(ROTATE_URL, {"grace": "7d"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert 'id="id_grace_error"' in html
    assert probe(old).status_code == 200  # nothing rotated


def test_disconnect_confirms_with_counts_then_releases_everything(
    admin_client, account, admin_user
):
    raw = new_token(admin_client)
    hosts = DirectoryHostFactory.create_batch(3, account=account)
    HostGroupFactory.create_batch(2, account=account, source=Source.DIRECTORY)
    html = " ".join(admin_client.get(DISCONNECT_URL).content.decode().split())
    assert "<strong>3</strong> directory-managed hosts and <strong>2</strong> host groups" in html
    assert probe(raw).status_code == 200  # a GET changes nothing

    response = admin_client.post(DISCONNECT_URL)
    assert response.status_code == 302
    assert probe(raw).status_code == 401
    assert not ScimToken.objects.filter(account=account).exists()
    assert not Host.objects.filter(account=account, source=Source.DIRECTORY).exists()
    assert not HostGroup.objects.filter(account=account, source=Source.DIRECTORY).exists()
    event = ProvisioningEvent.objects.get(action="disconnected")
    assert event.actor == admin_user
    assert "3 host(s) and 2 group(s) are manual again" in event.reason
    assert ProvisioningEvent.objects.filter(action="refused-revoked").count() == 1
    # Editable again, on the product's own pages.
    edit = admin_client.post(
        f"/hosts/{hosts[0].public_id}/edit/",
        {"first_name": "Edited", "last_name": "Host", "email": "edited@contoso.com"},
    )
    assert edit.status_code == 302, edit.content.decode()[:2000]
    hosts[0].refresh_from_db()
    assert hosts[0].first_name == "Edited"
    state_html = section_html(admin_client)
    assert 'data-status="not-configured"' in state_html
    assert "used a token that was revoked when provisioning was disconnected" not in state_html


def test_reconnecting_links_the_released_hosts_again(admin_client, account):
    first = new_token(admin_client)
    host = DirectoryHostFactory(account=account, username="ada@contoso.com")
    admin_client.post(DISCONNECT_URL)
    raw = new_token(admin_client)
    # A new secret under the account's same key, so a request still carrying a token of
    # before the disconnect is told apart as this account's (logged as revoked).
    assert raw != first and account_key_of(raw) == account_key_of(first) != ""
    found = probe(raw).json()["Resources"]
    assert [r["id"] for r in found] == [str(host.public_id)]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").patch(
        f"/scim/v2/Users/{host.public_id}",
        json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "title", "value": "CEO"}],
            }
        ),
        content_type="application/scim+json",
    )
    assert response.status_code == 200
    host.refresh_from_db()
    assert host.source == Source.DIRECTORY
    assert Host.objects.filter(account=account).count() == 1
    assert ProvisioningEvent.objects.filter(action="linked").count() == 1


def test_disconnect_needs_an_admin_post_with_csrf(admin_client, admin_user, staff_user):
    raw = new_token(admin_client)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(DISCONNECT_URL).status_code == 403
    staff = Client()
    staff.force_login(staff_user)
    assert staff.post(DISCONNECT_URL).status_code == 403
    assert staff.get(DISCONNECT_URL).status_code == 403
    assert probe(raw).status_code == 200
