"""Host search at the kiosk: who is found, what a visitor sees, and how often."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    AccountFactory,
    HostFactory,
    HostGroupFactory,
    HostGroupMembershipFactory,
)
from tests.kiosk.helpers import visitor
from visitor_mgmt.kiosk.services import kiosk_device_create
from visitor_mgmt.services.hosts import host_delete, host_update

pytestmark = pytest.mark.django_db


def search(client, account, q):
    response = client.get(f"/kiosk/{account.slug}/api/hosts/", {"q": q})
    assert response.status_code == 200, response.content
    return response.json()


def names(data):
    return [entry["name"] for entry in data["results"]]


def test_search_finds_by_first_last_and_display_name(kiosk_client, account):
    HostFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        display_name="Jane Doe (Finance)",
        email="jdoe@acme.example",
    )
    HostFactory(account=account, first_name="Max", last_name="Power", display_name="Maxi")
    assert names(search(kiosk_client, account, "jan")) == ["Jane Doe (Finance)"]
    assert names(search(kiosk_client, account, "DOE")) == ["Jane Doe (Finance)"]
    assert names(search(kiosk_client, account, "finance")) == ["Jane Doe (Finance)"]
    assert names(search(kiosk_client, account, "jane doe")) == ["Jane Doe (Finance)"]
    assert names(search(kiosk_client, account, "max pow")) == ["Maxi"]
    assert names(search(kiosk_client, account, "jane power")) == []


def test_email_never_matches(kiosk_client, account):
    HostFactory(
        account=account, first_name="Ann", last_name="Lee", email="zq.hidden@secret-domain.example"
    )
    for query in ("zq", "zq.hidden", "zq.hidden@secret-domain.example", "secret-domain"):
        assert names(search(kiosk_client, account, query)) == []


def test_prefix_attack_cannot_rebuild_an_email_address(kiosk_client, account, settings):
    """The attack of issue 14: extend a prefix one letter at a time while the search still
    finds someone. With names only, no prefix of the address finds anyone."""
    settings.KIOSK_SEARCH_RATE_LIMIT = 0
    HostFactory(account=account, first_name="Ann", last_name="Lee", email="qx7@acme.example")
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.@-_"
    recovered = "q"
    while len(recovered) < 40:
        extended = next(
            (
                recovered + c
                for c in alphabet
                if search(kiosk_client, account, recovered + c)["results"]
            ),
            None,
        )
        if extended is None:
            break
        recovered = extended
    assert recovered == "q"


def test_search_excludes_inactive_tombstoned_and_other_account_hosts(kiosk_client, account):
    HostFactory(account=account, first_name="Sam", last_name="Active")
    inactive = HostFactory(account=account, first_name="Sam", last_name="Inactive")
    host_update(host=inactive, is_active=False)
    deleted = HostFactory(account=account, first_name="Sam", last_name="Deleted")
    host_delete(host=deleted)
    HostFactory(account=AccountFactory(), first_name="Sam", last_name="Elsewhere")
    assert names(search(kiosk_client, account, "sam")) == ["Sam Active"]


def test_short_queries_list_nobody(kiosk_client, account):
    HostFactory(account=account, first_name="Al", last_name="Bo")
    assert search(kiosk_client, account, "a")["results"] == []
    assert search(kiosk_client, account, " ")["results"] == []
    assert search(kiosk_client, account, "")["results"] == []


def test_json_never_exposes_contact_details(kiosk_client, account, host):
    data = search(kiosk_client, account, "jane")
    assert data["results"] == [
        {"public_id": str(host.public_id), "name": "Jane Doe", "department": "Finance"}
    ]
    raw = json.dumps(data)
    for secret in (host.email, host.alternate_email, host.mobile, host.alternate_mobile):
        assert secret not in raw
    # A search for the e-mail address finds nobody (names only).
    raw = json.dumps(search(kiosk_client, account, "jane.doe@"))
    assert str(host.public_id) not in raw
    assert host.email not in raw
    assert "email" not in raw
    assert "phone" not in raw
    assert "mobile" not in raw


def test_no_js_search_shows_result_buttons_without_contact_details(kiosk_client, account, host):
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "doe"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="host" value="{host.public_id}"' in page
    assert "Jane Doe" in page
    assert host.email not in page
    assert host.mobile not in page


def test_no_js_search_with_no_match_offers_reception(kiosk_client, account):
    account.kiosk_fallback_email = "desk@acme.example"
    account.save()
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "nobody"})
    page = response.content.decode()
    assert "Nobody matches" in page
    assert 'name="reception"' in page
    assert "desk@acme.example" not in page


def test_without_fallback_email_there_is_no_reception_button(kiosk_client, account):
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "nobody"})
    page = response.content.decode()
    assert 'name="reception"' not in page
    assert "ask at the front desk" in page


def test_privacy_setting_shows_first_name_and_last_initial(kiosk_client, account, host):
    HostFactory(account=account, first_name="", last_name="", display_name="Mary Ann Smith")
    account.kiosk_short_names = True
    account.save()
    assert names(search(kiosk_client, account, "doe")) == ["Jane D."]
    # Only a display name: not known to be a person's first and last name, kept whole.
    assert names(search(kiosk_client, account, "smith")) == ["Mary Ann Smith"]
    page = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "doe"})
    text = page.content.decode()
    assert "Jane D." in text
    assert "Doe" not in text


def test_privacy_setting_applies_to_the_confirmation(
    kiosk_client, account, host, django_capture_on_commit_callbacks
):
    account.kiosk_short_names = True
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = kiosk_client.post(
            f"/kiosk/{account.slug}/sign-in/",
            {**visitor(), "host": str(host.public_id)},
            follow=True,
        )
    text = response.content.decode()
    assert "Jane D. has been notified" in text
    assert "Doe" not in text


def test_groups_are_offered_only_with_active_members(kiosk_client, account):
    live = HostGroupFactory(account=account, name="Sales")
    HostGroupMembershipFactory(group=live)
    idle = HostGroupFactory(account=account, name="Former team")
    gone = HostGroupMembershipFactory(group=idle)
    host_update(host=gone.host, is_active=False)
    HostGroupFactory(account=account, name="Empty")
    other = HostGroupFactory(account=AccountFactory(), name="Sales elsewhere")
    HostGroupMembershipFactory(group=other)

    data = search(kiosk_client, account, "")
    assert [g["name"] for g in data["groups"]] == ["Sales"]
    assert [g["name"] for g in search(kiosk_client, account, "sal")["groups"]] == ["Sales"]
    assert search(kiosk_client, account, "zzz")["groups"] == []


def test_search_is_rate_limited_per_device(kiosk_client, account, settings):
    settings.KIOSK_SEARCH_RATE_LIMIT = 3
    settings.KIOSK_SEARCH_RATE_WINDOW = 60
    url = f"/kiosk/{account.slug}/api/hosts/"
    statuses = [kiosk_client.get(url, {"q": "ja"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = kiosk_client.get(url, {"q": "ja"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    # The no-JS search counts against the same limit.
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "jane"})
    assert response.status_code == 429
    assert b"Too many searches" in response.content


def test_rate_limit_is_per_device(account, settings):
    settings.KIOSK_SEARCH_RATE_LIMIT = 2
    settings.KIOSK_SEARCH_RATE_WINDOW = 60
    clients = []
    for name in ("A", "B"):
        _, key = kiosk_device_create(account=account, name=name)
        client = Client()
        client.post(f"/kiosk/{account.slug}/activate/", {"key": key})
        clients.append(client)
    url = f"/kiosk/{account.slug}/api/hosts/"
    assert [clients[0].get(url, {"q": "ab"}).status_code for _ in range(3)] == [200, 200, 429]
    assert clients[1].get(url, {"q": "ab"}).status_code == 200


def test_search_costs_a_bounded_number_of_queries(
    kiosk_client, account, django_assert_max_num_queries
):
    HostFactory.create_batch(40, account=account, first_name="Pat")
    group = HostGroupFactory(account=account, name="Patrol")
    for host in HostFactory.create_batch(5, account=account):
        HostGroupMembershipFactory(group=group, host=host)
    search(kiosk_client, account, "pat")  # records last_seen_at
    # account + device + hosts + groups
    with django_assert_max_num_queries(4):
        data = search(kiosk_client, account, "pat")
    assert len(data["results"]) == 8


def test_last_seen_is_written_at_most_once_a_minute(kiosk_client, account, device_and_key):
    device, _ = device_and_key
    search(kiosk_client, account, "ab")
    device.refresh_from_db()
    first = device.last_seen_at
    search(kiosk_client, account, "ab")
    device.refresh_from_db()
    assert device.last_seen_at == first
    stale = timezone.now() - timedelta(minutes=2)
    device.last_seen_at = stale
    device.save()
    search(kiosk_client, account, "ab")
    device.refresh_from_db()
    assert device.last_seen_at > stale
