"""Query budgets that hold whatever the size of the account or group (docs/architecture.md §7).

The SCIM benchmark (bench/scim_bench/) measures the same requests at 1,000 / 100,000 hosts
and 10 / 20,000 members; these tests lock its query counts in at sizes a test can afford.
Counts are SQL statements; a write adds BEGIN and COMMIT around them (not counted here: the
test's own transaction turns them into savepoints).
"""

import pytest

from tests.factories import HostFactory, bulk_directory_group, bulk_directory_hosts
from tests.scim.performance.conftest import statements
from tests.scim.support import assert_list_response, filter_qs
from visitor_mgmt.models import Host, HostGroupMembership
from visitor_mgmt.services import hosts as host_services


@pytest.mark.parametrize("start", [1, 1001])
def test_a_page_of_100_hosts_costs_the_same_at_any_size(api, account, other_account, start):
    bulk_directory_hosts(other_account, 200)
    bulk_directory_hosts(account, 1200)
    small, _ = statements(lambda: api.get(f"/Users?startIndex={start}&count=100"))
    bulk_directory_hosts(account, 3000)
    big, resp = statements(lambda: api.get(f"/Users?startIndex={start}&count=100"))
    assert_list_response(resp, total=4200, start=start, count=100)
    # token, the page, the total: a full page cannot tell it, and all users' total is
    # read from HostTally instead of counted
    assert len(small) == len(big) == 3
    assert not [s for s in big if "COUNT(" in s.upper()]
    assert len(big) <= 5  # the budget


def test_the_total_of_all_users_follows_every_kind_of_write(api, account, other_account):
    bulk_directory_hosts(other_account, 150)
    pks = bulk_directory_hosts(account, 120)
    created = api.post("/Users", {"userName": "new@acme.test"}).json()["id"]
    HostFactory(account=account)  # a host people added by hand is a SCIM user too
    assert api.delete(f"/Users/{created}").status_code == 204
    host_services.host_delete(host=Host.objects.get(pk=pks[0]), via_directory=True)
    Host.objects.filter(pk=pks[1]).delete()
    sqls, resp = statements(lambda: api.get("/Users?count=100"))
    assert_list_response(resp, total=119, count=100)
    assert not [s for s in sqls if "COUNT(" in s.upper()]
    # A filter is still counted. The manual host has no username: its userName is its
    # e-mail (host…@example.com), which starts with "h" too.
    resp = api.get("/Users?count=100&" + filter_qs('userName sw "h"'))
    assert_list_response(resp, total=119, count=100)


def test_a_later_page_reads_only_its_own_rows(api, account):
    pks = bulk_directory_hosts(account, 500)
    sqls, resp = statements(lambda: api.get("/Users?startIndex=301&count=100"))
    resources = assert_list_response(resp, total=500, start=301, count=100)
    page = [s for s in sqls if "LIMIT" in s.upper()]
    assert len(page) == 1
    # Deferred join: OFFSET is applied to ids inside the subquery; the outer query reads
    # only the rows whose ids it returned.
    outer, _, inner = page[0].upper().partition(" IN (SELECT ")
    assert "OFFSET" in inner and "OFFSET" not in outer
    expected = set(Host.objects.filter(pk__in=pks[300:400]).values_list("public_id", flat=True))
    assert {r["id"] for r in resources} == {str(p) for p in expected}


def test_the_first_page_is_a_deferred_join_too(api, account, other_account):
    """Its ids come from this account's index (see tests/scim/protocol/test_postgres.py for the plan
    a plain LIMIT can get)."""
    bulk_directory_hosts(other_account, 150)
    bulk_directory_hosts(account, 150)
    sqls, resp = statements(lambda: api.get("/Users?count=100"))
    assert_list_response(resp, total=150, count=100)
    (page,) = [s for s in sqls if "LIMIT" in s.upper()]
    outer, _, inner = page.upper().partition(" IN (SELECT ")
    assert "LIMIT 100" in inner and "LIMIT" not in outer


def test_the_page_order_is_stable_across_pages(api, account):
    bulk_directory_hosts(account, 250)
    seen = []
    for start in (1, 101, 201):
        seen += [
            r["id"] for r in api.get(f"/Users?startIndex={start}&count=100").json()["Resources"]
        ]
    assert len(seen) == len(set(seen)) == 250


def test_matching_filter_and_create_cost_the_same_at_any_size(api, account):
    bulk_directory_hosts(account, 20)
    small, _ = statements(lambda: api.get("/Users?" + filter_qs('userName eq "nobody@acme.test"')))
    post_small, _ = statements(lambda: api.post("/Users", {"userName": "new1@acme.test"}))
    bulk_directory_hosts(account, 3000)
    big, resp = statements(lambda: api.get("/Users?" + filter_qs('userName eq "NEW1@acme.test"')))
    assert_list_response(resp, total=1)
    post_big, resp = statements(lambda: api.post("/Users", {"userName": "new2@acme.test"}))
    assert resp.status_code == 201
    assert len(small) == len(big) == 2  # token, one indexed SELECT (no COUNT, no ORDER BY)
    # token, the matching SELECT … FOR UPDATE (a create may link an existing host),
    # INSERT host, INSERT log row
    assert len(post_small) == len(post_big) == 4


@pytest.fixture
def groups(api, account):
    """A 10-member and a 5,000-member directory group, and hosts that belong to neither."""
    pks = bulk_directory_hosts(account, 5020)
    small = bulk_directory_group(account, "Small", pks[:10])
    big = bulk_directory_group(account, "Everyone", pks[:5000])
    spare = list(Host.objects.filter(pk__in=pks[5000:]).values_list("public_id", flat=True))
    return small, big, [str(p) for p in spare]


# RFC 7644 §3.9: a selection without members (excluding them, or naming only other
# attributes, also by their full URN) never reads the memberships.
@pytest.mark.parametrize(
    "selection",
    [
        "excludedAttributes=members",
        "attributes=displayName",
        "attributes=urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
    ],
)
def test_group_without_members_never_reads_them_at_any_size(api, groups, selection):
    counts = []
    for group in groups[:2]:
        path = f"/Groups/{group.public_id}?{selection}"
        sqls, resp = statements(lambda path=path: api.get(path))
        assert resp.status_code == 200 and "members" not in resp.json()
        assert not any("hostgroupmembership" in s.lower() for s in sqls)
        counts.append(len(sqls))
    assert counts[0] == counts[1] == 2  # token, the group
    assert counts[1] <= 6


def test_adding_or_removing_one_member_costs_the_same_at_any_size(api, groups):
    small, big, spare = groups
    counts = {}
    for group, member in ((small, spare[0]), (big, spare[1])):
        add = {"op": "Add", "path": "members", "value": [{"value": member}]}
        sqls, resp = statements(lambda g=group, op=add: api.patch_ops(f"/Groups/{g.public_id}", op))
        assert resp.status_code == 204, resp.content
        # Nothing reads the group's members: the only membership statement is the INSERT.
        membership = [s for s in sqls if "hostgroupmembership" in s.lower()]
        assert len(membership) == 1 and membership[0].lstrip().upper().startswith("INSERT")
        counts.setdefault("add", []).append(len(sqls))
        remove = {"op": "remove", "path": f'members[value eq "{member}"]'}
        sqls, resp = statements(
            lambda g=group, op=remove: api.patch_ops(f"/Groups/{g.public_id}", op)
        )
        assert resp.status_code == 204, resp.content
        counts.setdefault("remove", []).append(len(sqls))
    # token, the group (locked), one INSERT ... SELECT (or DELETE), the log row: with BEGIN
    # and COMMIT, six round trips.
    assert counts == {"add": [4, 4], "remove": [4, 4]}
    assert HostGroupMembership.objects.filter(group=big).count() == 5000


def test_adding_members_in_bulk_is_one_statement(api, account):
    group_id = api.create_group("Bulk")["id"]
    members = [api.create_user(f"b{i}@acme.test")["id"] for i in range(150)]
    sqls, resp = statements(
        lambda: api.patch_ops(
            f"/Groups/{group_id}",
            {"op": "Add", "path": "members", "value": [{"value": m} for m in members]},
        )
    )
    assert resp.status_code == 204
    assert len(sqls) == 4
    assert len(api.members(group_id)) == 150
    # Re-adding them all: nothing new, so one more statement tells unknown ids from members.
    sqls, resp = statements(
        lambda: api.patch_ops(
            f"/Groups/{group_id}",
            {"op": "Add", "path": "members", "value": [{"value": m} for m in members]},
        )
    )
    assert resp.status_code == 204
    assert len(sqls) == 4  # token, group, INSERT (0 rows), the existence check; no log row
