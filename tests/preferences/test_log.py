"""The full provisioning log page: account-scoped, paginated, filterable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scim_hosts.models import ProvisioningEvent
from tests.factories import ProvisioningEventFactory
from tests.preferences.helpers import LOG_URL

pytestmark = pytest.mark.django_db

FAILURE = ProvisioningEvent.Outcome.FAILURE


def rows(response):
    assert response.status_code == 200
    return response.content.decode().count('<tr class="scim-event">')


def make_events(account, count, **kwargs):
    events = ProvisioningEventFactory.create_batch(count, account=account, **kwargs)
    # Spread the times so "newest first" is unambiguous.
    now = timezone.now()
    for n, event in enumerate(events):
        ProvisioningEvent.objects.filter(pk=event.pk).update(
            created_at=now - timedelta(seconds=len(events) - n)
        )
    return events


def test_paginates_fifty_per_page_newest_first(admin_client, account):
    for n in range(120):
        ProvisioningEventFactory(account=account, resource_name=f"u{n:03d}@contoso.com")
    first = admin_client.get(LOG_URL)
    assert rows(first) == 50
    html = first.content.decode()
    assert "u119@contoso.com" in html and "u070@contoso.com" in html
    assert "u069@contoso.com" not in html
    assert "Page 1 of 3" in html
    assert '?page=2"' in html
    last = admin_client.get(LOG_URL, {"page": 3})
    assert rows(last) == 20
    assert "u000@contoso.com" in last.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "999", "-1"])
def test_bad_page_numbers_still_answer(admin_client, account, page):
    make_events(account, 60)
    assert rows(admin_client.get(LOG_URL, {"page": page})) in (50, 10)


def test_filters_by_outcome_and_resource_type(admin_client, account):
    make_events(account, 3, resource_type="User")
    make_events(account, 2, resource_type="Group", outcome=FAILURE, reason="group failed")
    make_events(account, 4, resource_type="User", outcome=FAILURE, reason="user failed")
    make_events(account, 1, resource_type="Token", action="token-rotated")
    make_events(account, 1, resource_type="", method="POST", outcome=FAILURE, status=413)
    make_events(account, 1, resource_type="Bulk", method="POST", outcome=FAILURE, status=501)

    assert rows(admin_client.get(LOG_URL)) == 12
    assert rows(admin_client.get(LOG_URL, {"outcome": "failure"})) == 8
    assert rows(admin_client.get(LOG_URL, {"outcome": "success"})) == 4
    assert rows(admin_client.get(LOG_URL, {"resource_type": "Group"})) == 2
    assert rows(admin_client.get(LOG_URL, {"resource_type": "Token"})) == 1
    assert rows(admin_client.get(LOG_URL, {"resource_type": "other"})) == 2
    both = admin_client.get(LOG_URL, {"outcome": "failure", "resource_type": "User"})
    assert rows(both) == 4
    assert "group failed" not in both.content.decode()


def test_filters_are_kept_across_pages(admin_client, account):
    make_events(account, 60, outcome=FAILURE)
    make_events(account, 60)
    html = admin_client.get(LOG_URL, {"outcome": "failure"}).content.decode()
    assert "Page 1 of 2" in html
    assert "?outcome=failure&amp;page=2" in html
    assert rows(admin_client.get(LOG_URL, {"outcome": "failure", "page": 2})) == 10


def test_unknown_filter_values_are_reported_not_a_500(admin_client, account):
    make_events(account, 3)
    response = admin_client.get(LOG_URL, {"outcome": "bogus", "resource_type": "<x>"})
    assert rows(response) == 3
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "<x>" not in html


def test_only_this_accounts_events(admin_client, account, other_account):
    make_events(account, 2, resource_name="mine@acme.com")
    make_events(other_account, 70, resource_name="theirs@globex.com")
    response = admin_client.get(LOG_URL)
    assert rows(response) == 2
    html = response.content.decode()
    assert "theirs@globex.com" not in html
    assert "Page 1 of" not in html


def test_empty_log(admin_client):
    assert "No events match." in admin_client.get(LOG_URL).content.decode()


def test_log_costs_a_bounded_number_of_queries(
    admin_client, account, admin_user, django_assert_max_num_queries
):
    make_events(account, 120, actor=admin_user)
    admin_client.get(LOG_URL)
    with django_assert_max_num_queries(8):
        admin_client.get(LOG_URL, {"page": 2})
