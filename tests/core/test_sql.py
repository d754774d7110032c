"""The core's raw SQL (visitor_mgmt/sql.py) against its ORM twins, on SQLite and PostgreSQL."""

import pytest
from django.db import connection

from tests.factories import HostFactory, HostGroupFactory
from visitor_mgmt import sql
from visitor_mgmt.models import Host, HostGroupMembership

pytestmark = pytest.mark.django_db


def orm_new_members(group, ids, *, by):
    """What the INSERT ... SELECT must add, said with the ORM: live hosts of the group's
    account among ``ids`` that are not members yet."""
    return set(
        Host.objects.live()
        .filter(account_id=group.account_id, **{f"{by}__in": ids})
        .exclude(group_memberships__group=group)
        .values_list("pk", flat=True)
    )


def members(group):
    return set(HostGroupMembership.objects.filter(group=group).values_list("host_id", flat=True))


@pytest.fixture
def scene(account, other_account):
    group = HostGroupFactory(account=account)
    live = HostFactory.create_batch(3, account=account)
    member = HostFactory(account=account)
    HostGroupMembership.objects.create(group=group, host=member)
    gone = HostFactory(account=account, deleted_at="2024-01-01T00:00Z")
    foreign = HostFactory(account=other_account)
    return group, [*live, member, gone, foreign]


@pytest.mark.parametrize("by", ["id", "public_id"])
def test_insert_group_members_adds_what_the_orm_selects(scene, by):
    group, hosts = scene
    if by == "id":
        ids = [h.pk for h in hosts]
    else:
        field = Host._meta.get_field("public_id")
        ids = [field.get_db_prep_value(h.public_id, connection) for h in hosts]
    expected = orm_new_members(group, [getattr(h, by) for h in hosts], by=by)
    before = members(group)
    assert len(expected) == 3  # the live non-members only

    added = sql.insert_group_members(group, ids, by=by)

    assert added == len(expected)
    assert members(group) == before | expected
    assert sql.insert_group_members(group, ids, by=by) == 0  # members already


def test_insert_group_members_in_batches(scene):
    group, hosts = scene
    # More ids than one statement takes: the real ones sit in the last batch.
    ids = [*range(10**9, 10**9 + sql.MEMBER_BATCH + 7), *(h.pk for h in hosts)]
    expected = orm_new_members(group, ids, by="id")
    assert sql.insert_group_members(group, ids) == len(expected) == 3
    assert expected <= members(group)


def test_ping_answers_one_row(db):
    assert sql.ping() == (1,)


def test_names_are_quoted_by_the_backend():
    assert sql.quote_name("visitor_mgmt_host") == connection.ops.quote_name("visitor_mgmt_host")
    statement = sql._insert_members_sql(by="public_id", count=2)
    assert connection.ops.quote_name(Host._meta.db_table) in statement
    assert statement.count("%s") == 5
