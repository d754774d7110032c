"""Preferences at a large tenant's size (100,000 hosts, a million log rows over 90 days).

- The SCIM section's count of directory-managed hosts is read from the account's HostTally
  row (kept by the host table's triggers), never counted over the host table.

- The page counts events only LOG_COUNT_LOOKAHEAD rows past the page asked for: page 1
  costs the same for the largest tenant as for a small one, the page says "More than N",
  and every older page stays reachable (each counts further on).
- On PostgreSQL the filters have indexes of their own (failures; resource types other than
  User), partial so that a successful User write pays for neither.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scim_hosts.models import ProvisioningEvent
from scim_hosts.preferences import services as preferences_services
from tests.factories import DirectoryHostFactory, HostFactory, ScimTokenFactory
from tests.preferences.helpers import LOG_URL, section_html
from tests.preferences.test_log import make_events, rows

pytestmark = pytest.mark.django_db

FAILURE = ProvisioningEvent.Outcome.FAILURE


@pytest.fixture
def lookahead_20(monkeypatch):
    monkeypatch.setattr(preferences_services, "LOG_COUNT_LOOKAHEAD", 20)


def test_a_long_log_is_counted_only_a_little_past_the_page(admin_client, account, lookahead_20):
    make_events(account, 130)
    with CaptureQueriesContext(connection) as ctx:
        html = admin_client.get(LOG_URL).content.decode()
    assert "More than 70 events" in html  # page 1: 50 rows + 20 of lookahead
    assert "Page 1 of more than 2" in html
    assert '?page=2"' in html
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 71" in counts[0]


def test_every_older_page_stays_reachable(admin_client, account, lookahead_20):
    make_events(account, 130)
    page2 = admin_client.get(LOG_URL, {"page": 2}).content.decode()
    assert "More than 120 events" in page2 and '?page=3"' in page2
    page3 = admin_client.get(LOG_URL, {"page": 3})
    assert rows(page3) == 30
    html = page3.content.decode()
    assert "130 events" in html and "More than" not in html
    assert "Page 3 of 3" in html


def test_an_exact_count_when_the_log_ends_within_the_lookahead(admin_client, account):
    make_events(account, 60)
    html = admin_client.get(LOG_URL).content.decode()
    assert "60 events" in html and "More than" not in html and "Page 1 of 2" in html


def test_a_log_exactly_at_the_limit_is_not_called_longer(admin_client, account, lookahead_20):
    make_events(account, 70)
    html = admin_client.get(LOG_URL).content.decode()
    assert "70 events" in html and "More than" not in html


@pytest.mark.postgres
@pytest.mark.parametrize(
    "params,index",
    [
        ({"outcome": "failure"}, "provevent_account_failures"),
        ({"resource_type": "Token"}, "provevent_account_type"),
        ({"resource_type": "Group", "outcome": "failure"}, None),  # either index serves
        ({}, "provevent_account_time"),
    ],
)
def test_each_log_filter_has_an_index(account, params, index):
    make_events(account, 5)
    make_events(account, 5, outcome=FAILURE, resource_type="Group")
    page = preferences_services.log_page(account=account, **params)
    sql, sql_params = page.paginator.object_list[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table: ask which index fits
        try:
            cursor.execute("EXPLAIN " + sql, sql_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    if index is None:
        assert "provevent_account_failures" in plan or "provevent_account_type" in plan, plan
    else:
        assert index in plan, plan


def test_the_section_reads_the_directory_host_count_from_the_tally(admin_client, account):
    # A connected account: before connecting, the section counts the account's hosts once
    # to say how many will be linked (docs/linking.md).
    ScimTokenFactory(account=account)
    DirectoryHostFactory.create_batch(3, account=account)
    HostFactory.create_batch(2, account=account)
    with CaptureQueriesContext(connection) as ctx:
        html = section_html(admin_client)
    assert "<dt>Directory-managed hosts</dt>\n  <dd>3</dd>" in html
    host_counts = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper()
        and "visitor_mgmt_host" in q["sql"]
        and "visitor_mgmt_hostgroup" not in q["sql"]
    ]
    assert host_counts == []
