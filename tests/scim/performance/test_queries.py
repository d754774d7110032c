"""Every SCIM request costs a small, constant number of queries, whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import bulk_directory_hosts
from tests.scim.support import assert_list_response, filter_qs
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        resp = fn()
    assert resp.status_code < 400, resp.content
    real = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    return len(real), real, resp


def test_a_page_of_100_costs_the_same_with_100_or_300_hosts(api, account, other_account):
    bulk_directory_hosts(account, 100)
    bulk_directory_hosts(other_account, 50)
    n_small, _, resp = queries(lambda: api.get("/Users"))
    assert_list_response(resp, total=100, count=100)
    bulk_directory_hosts(account, 200)
    n_big, sqls, resp = queries(lambda: api.get("/Users"))
    assert_list_response(resp, total=300, count=100)
    assert n_small <= n_big == 3  # token, page, COUNT (the page is full, so it cannot tell)
    page_sql = sqls[1].upper()
    assert "LIMIT" in page_sql and "ACCOUNT_ID" in page_sql


def test_filter_query_count_is_constant(api, account):
    bulk_directory_hosts(account, 10)
    small, _, _ = queries(lambda: api.get("/Users?" + filter_qs('userName eq "nobody@acme.test"')))
    bulk_directory_hosts(account, 1000)
    big, sqls, resp = queries(
        lambda: api.get("/Users?" + filter_qs('userName eq "nobody@acme.test"'))
    )
    assert_list_response(resp, total=0)
    assert small == big == 2  # token + one SELECT ... LIMIT (an empty first page is the total)
    target = Host.objects.filter(account=account).last()
    n, _, resp = queries(lambda: api.get("/Users?" + filter_qs(f'userName eq "{target.username}"')))
    assert_list_response(resp, total=1)
    assert n == 2


def test_get_by_id_and_post_and_patch_are_constant(api, account, django_assert_max_num_queries):
    bulk_directory_hosts(account, 2000)
    host = Host.objects.filter(account=account).last()
    n, _, _ = queries(lambda: api.get(f"/Users/{host.public_id}"))
    assert n == 2
    with django_assert_max_num_queries(8):  # includes savepoints
        resp = api.post("/Users", {"userName": "new@acme.test", "name": {"givenName": "N"}})
    n, sqls, _ = queries(lambda: api.post("/Users", {"userName": "new2@acme.test"}))
    # token, the matching SELECT (a create may link an existing host), INSERT host,
    # INSERT provisioning event (the unique index checks)
    assert n == 4
    user_id = resp.json()["id"]
    n, _, _ = queries(
        lambda: api.patch_ops(f"/Users/{user_id}", {"op": "Replace", "path": "title", "value": "x"})
    )
    assert n == 4  # token, SELECT ... FOR UPDATE, UPDATE host, INSERT event
    n, _, _ = queries(
        lambda: api.patch_ops(
            f"/Users/{user_id}", {"op": "Replace", "path": "userName", "value": "renamed@acme.test"}
        )
    )
    assert n == 4  # the same: the unique index checks the new userName


@pytest.fixture
def big_group(api, account):
    """A directory group with 5,000 members (bulk inserted)."""
    group_id = api.create_group("Everyone")["id"]
    group = HostGroup.objects.get(public_id=group_id)
    pks = bulk_directory_hosts(account, 5000)
    HostGroupMembership.objects.bulk_create(
        [HostGroupMembership(group=group, host_id=pk) for pk in pks], batch_size=1000
    )
    return group


def test_group_get_without_members_never_reads_them(api, big_group):
    path = f"/Groups/{big_group.public_id}?excludedAttributes=members"
    n, sqls, resp = queries(lambda: api.get(path))
    assert n == 2
    assert "members" not in resp.json()
    assert not any("hostgroupmembership" in s.lower() for s in sqls)
    n, sqls, resp = queries(
        lambda: api.get(
            "/Groups?excludedAttributes=members&" + filter_qs('displayName eq "everyone"')
        )
    )
    assert n == 2
    assert not any("hostgroupmembership" in s.lower() for s in sqls)


def test_group_get_with_members_is_one_query_for_them(api, big_group):
    n, _, resp = queries(lambda: api.get(f"/Groups/{big_group.public_id}"))
    assert n == 3
    assert len(resp.json()["members"]) == 5000


def test_adding_one_member_to_a_big_group_is_constant(api, account, big_group):
    small_id = api.create_group("Small")["id"]
    newcomers = [api.create_user(f"n{i}@acme.test")["id"] for i in range(2)]

    def add(group_id, user_id):
        return lambda: api.patch_ops(
            f"/Groups/{group_id}", {"op": "Add", "path": "members", "value": [{"value": user_id}]}
        )

    n_small, _, _ = queries(add(small_id, newcomers[0]))
    n_big, sqls, _ = queries(add(big_group.public_id, newcomers[1]))
    assert n_small == n_big <= 8
    assert HostGroupMembership.objects.filter(group=big_group).count() == 5001
    # no statement reads the whole membership of the group
    for sql in sqls:
        if "hostgroupmembership" in sql.lower() and sql.lstrip().upper().startswith("SELECT"):
            assert "host_id" in sql.lower() and " IN " in sql.upper()

    remove = lambda: api.patch_ops(  # noqa: E731
        f"/Groups/{big_group.public_id}",
        {"op": "remove", "path": f'members[value eq "{newcomers[1]}"]'},
    )
    n, _, _ = queries(remove)
    assert n <= 7


def test_a_page_of_groups_loads_all_their_members_in_one_query(api, account):
    pks = bulk_directory_hosts(account, 30)
    groups = [api.create_group(f"G{i}")["id"] for i in range(12)]
    for group_id in groups:
        group = HostGroup.objects.get(public_id=group_id)
        HostGroupMembership.objects.bulk_create(
            [HostGroupMembership(group=group, host_id=pk) for pk in pks]
        )
    n, _, resp = queries(lambda: api.get("/Groups"))
    assert n == 3  # token, page, members of every group on the page
    assert all(len(g["members"]) == 30 for g in resp.json()["Resources"])


def test_successful_get_writes_nothing(api, account):
    user = api.create_user("quiet@acme.test")
    events = account.provisioning_events.count()
    api.get("/Users")  # the first request of the minute may stamp token.last_used_at
    _, sqls, _ = queries(lambda: api.get(f"/Users/{user['id']}"))
    _, sqls2, _ = queries(lambda: api.get("/Users?" + filter_qs('userName eq "quiet@acme.test"')))
    assert all(s.lstrip().upper().startswith("SELECT") for s in sqls + sqls2)
    assert account.provisioning_events.count() == events
