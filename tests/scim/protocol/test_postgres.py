"""PostgreSQL-only: the matching filters use the unique indexes; parallel writes are safe."""

import re

import pytest
from django.db import connection
from django.test import Client

from scim_hosts.filters import HostFilterQuery, HostGroupFilterQuery
from scim_hosts.listing import page_queryset
from tests.factories import bulk_directory_hosts
from tests.scim.support import TOKEN, ScimClient, run_in_parallel
from visitor_mgmt.models import HostGroup

pytestmark = pytest.mark.postgres


class _Request:
    def __init__(self, account):
        self.scim_account = account


@pytest.mark.django_db
def test_matching_filters_use_the_unique_indexes(account, other_account):
    bulk_directory_hosts(account, 3000)
    bulk_directory_hosts(other_account, 3000)
    HostGroup.objects.bulk_create([HostGroup(account=account, name=f"G{i}") for i in range(3000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE visitor_mgmt_host")
        cursor.execute("ANALYZE visitor_mgmt_hostgroup")
    request = _Request(account)
    plan = HostFilterQuery.search('userName eq "h1@acme.test"', request).order_by("pk")[:100]
    assert "host_username_ci_unique_live" in plan.explain()
    plan = HostGroupFilterQuery.search('displayName eq "g7"', request).order_by("pk")[:100]
    assert "hostgroup_name_ci_unique" in plan.explain()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("offset", [0, 150])
def test_a_page_reads_only_its_own_accounts_rows_even_with_a_generic_plan(
    account, other_account, offset
):
    """psycopg prepares a statement after a few runs and PostgreSQL may then keep one
    generic plan for every account. For a plain ``ORDER BY id LIMIT 100`` that plan walks
    the primary key and filters, reading every row of the accounts created before this one
    (a small account behind a big one paid for the big one on each first page). The page's
    id subquery walks this account's own index whatever the plan."""
    bulk_directory_hosts(other_account, 4000)  # lower ids: before this account's hosts
    bulk_directory_hosts(account, 300)
    qs = HostFilterQuery.search(None, _Request(account)).order_by("pk")
    sql, params = page_queryset(qs, offset, 100).query.sql_with_params()
    placeholders = iter(range(1, len(params) + 1))
    prepared = re.sub("%s", lambda _: f"${next(placeholders)}", sql)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE visitor_mgmt_host")  # what autovacuum does
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE page_plan AS {prepared}")
        try:
            values = ", ".join(str(int(value)) for value in params)  # ids: integers
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE page_plan({values})")
            plan = cursor.fetchone()[0][0]["Plan"]
        finally:
            cursor.execute("DEALLOCATE page_plan")
            cursor.execute("RESET plan_cache_mode")
    # The LIMIT (the page's ids) walks this account's live hosts only.
    (limit,) = [node for node in plan_nodes(plan) if node["Node Type"] == "Limit"]
    walked = list(plan_nodes(limit))
    assert {node.get("Index Name") for node in walked} >= {"host_account_live_id"}, walked
    assert all(node.get("Rows Removed by Filter", 0) == 0 for node in walked), walked


def plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


@pytest.mark.django_db(transaction=True)
def test_parallel_group_patches_lose_nothing(account, token):
    api = ScimClient(Client(), TOKEN)
    users = [api.create_user(f"p{i}@acme.test")["id"] for i in range(6)]
    group_id = api.create_group("Race")["id"]
    calls = [{"op": "add", "path": "members", "value": [{"value": users[i]}]} for i in range(6)] + [
        {"op": "replace", "path": "externalId", "value": "ext"}
    ]
    statuses = run_in_parallel(
        TOKEN, [lambda scim, op=op: scim.patch_ops(f"/Groups/{group_id}", op) for op in calls]
    )
    statuses = [resp.status_code for resp in statuses]
    assert statuses == [204] * len(calls)
    assert api.members(group_id) == set(users)
    assert api.get(f"/Groups/{group_id}").json()["externalId"] == "ext"
