"""PostgreSQL-only: the matching filters use the unique indexes; parallel writes are safe."""

import threading

import pytest
from django.db import connection
from django.test import Client

from scim_hosts.filters import HostFilterQuery, HostGroupFilterQuery
from tests.scim.conftest import TOKEN, Api
from tests.scim.test_queries import bulk_hosts
from visitor_mgmt.models import HostGroup

pytestmark = pytest.mark.postgres


class _Request:
    def __init__(self, account):
        self.scim_account = account


@pytest.mark.django_db
def test_matching_filters_use_the_unique_indexes(account, other_account):
    bulk_hosts(account, 3000)
    bulk_hosts(other_account, 3000)
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
def test_parallel_group_patches_lose_nothing(account, token):
    api = Api(Client(), TOKEN)
    users = [api.create_user(f"p{i}@acme.test")["id"] for i in range(6)]
    group_id = api.create_group("Race")["id"]
    calls = [{"op": "add", "path": "members", "value": [{"value": users[i]}]} for i in range(6)] + [
        {"op": "replace", "path": "externalId", "value": "ext"}
    ]
    barrier = threading.Barrier(len(calls))
    statuses = []

    def worker(op):
        try:
            client = Api(Client(), TOKEN)
            barrier.wait()
            statuses.append(client.patch(f"/Groups/{group_id}", op).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(op,)) for op in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [204] * len(calls)
    assert api.members(group_id) == set(users)
    assert api.get(f"/Groups/{group_id}").json()["externalId"] == "ext"
