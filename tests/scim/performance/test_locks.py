"""PostgreSQL: what a group PATCH locks.

A PATCH that only changes members does not write the group's row, so it takes the row
``FOR KEY SHARE``: other member-only PATCHes of the same group (Entra sends many in a row)
go on at once, while a rename or a delete (``FOR UPDATE``) waits for them, and they for it.
Another connection holds the lock here; the request under test gets a short lock_timeout
(a request that would wait ends as a 503 instead of hanging the test).
"""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from tests.factories import bulk_directory_group, bulk_directory_hosts
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def group(account, token):
    pks = bulk_directory_hosts(account, 5)
    return bulk_directory_group(account, "Locked", pks[:2])


@pytest.fixture
def other_connection():
    """A second session on the test database, through Django with whichever driver is
    installed, holding its locks in an open transaction until it rolls back."""
    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    conn.ensure_connection()
    conn.set_autocommit(False)
    yield conn
    conn.rollback()
    conn.close()


def hold(conn, group, mode):
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM visitor_mgmt_hostgroup WHERE id = %s FOR {mode}", [group.pk]
        )


@pytest.fixture
def short_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


def spare(account, n):
    taken = HostGroupMembership.objects.values("host_id")
    hosts = Host.objects.filter(account=account).exclude(pk__in=taken)
    return [str(p) for p in hosts.values_list("public_id", flat=True)[:n]]


def test_member_patches_of_one_group_do_not_wait_for_each_other(
    api, account, group, other_connection
):
    hold(other_connection, group, "KEY SHARE")  # another member PATCH in flight
    add, remove = (
        spare(account, 1)[0],
        str(Host.objects.filter(group_memberships__group=group).first().public_id),
    )
    resp = api.patch_ops(
        f"/Groups/{group.public_id}", {"op": "Add", "path": "members", "value": [{"value": add}]}
    )
    assert resp.status_code == 204, resp.content
    resp = api.patch_ops(
        f"/Groups/{group.public_id}", {"op": "remove", "path": f'members[value eq "{remove}"]'}
    )
    assert resp.status_code == 204, resp.content


@pytest.mark.parametrize(
    "request_",
    [
        ("PATCH", {"op": "replace", "path": "displayName", "value": "Renamed"}),
        ("PATCH", {"op": "replace", "value": {"displayName": "Renamed", "members": []}}),
        ("DELETE", None),
    ],
)
def test_renames_and_deletes_wait_for_member_patches(
    api, account, group, other_connection, short_lock_timeout, request_
):
    hold(other_connection, group, "KEY SHARE")
    method, operation = request_
    path = f"/Groups/{group.public_id}"
    resp = api.patch_ops(path, operation) if method == "PATCH" else api.delete(path)
    assert resp.status_code == 503, resp.content  # it waited for the lock (then timed out)
    other_connection.rollback()
    assert HostGroup.objects.get(pk=group.pk).name == "Locked"


def test_member_patches_wait_for_a_rename(
    api, account, group, other_connection, short_lock_timeout
):
    hold(other_connection, group, "UPDATE")  # a rename or delete in flight
    add = spare(account, 1)[0]
    resp = api.patch_ops(
        f"/Groups/{group.public_id}", {"op": "Add", "path": "members", "value": [{"value": add}]}
    )
    assert resp.status_code == 503, resp.content
    other_connection.rollback()
    resp = api.patch_ops(
        f"/Groups/{group.public_id}", {"op": "Add", "path": "members", "value": [{"value": add}]}
    )
    assert resp.status_code == 204
