"""Every raw SQL statement of the core, in one place.

Two things the ORM does not say: adding group members as one ``INSERT ... SELECT ... ON
CONFLICT DO NOTHING`` that reports how many rows were new, and the readiness probe's
``SELECT 1`` (the least a database can answer). Table and column names come from the
models' ``_meta`` and are quoted by :func:`quote_name` only; every value is a parameter.
tests/core/test_sql.py checks each statement against its ORM twin.
"""

from django.db import connection
from django.utils import timezone

from visitor_mgmt.models import Host, HostGroupMembership

# Ids per INSERT: well under every backend's limit on query parameters.
MEMBER_BATCH = 500


def quote_name(name):
    return connection.ops.quote_name(name)


def _table(model):
    return quote_name(model._meta.db_table)


def _column(model, field_name):
    return quote_name(model._meta.get_field(field_name).column)


def ping():
    """One round trip that needs nothing but a working connection: returns ``(1,)``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()


def insert_group_members(group, ids, *, by="id"):
    """Add the live hosts of the group's account among ``ids`` that are not members yet.

    ``ids`` are host primary keys, or public ids (prepared for the database) with
    ``by="public_id"``. One ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per batch: the
    SELECT keeps only live hosts of the group's own account (tenant scoping in SQL), the
    unique constraint makes existing members and parallel requests adding the same member
    a no-op, and the row count says how many were new. The group's current members are
    never read, so the cost does not depend on the size of the group. Returns how many
    were added.
    """
    if not ids:
        return 0
    membership = HostGroupMembership._meta
    created_at = membership.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    added = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), MEMBER_BATCH):
            batch = ids[start : start + MEMBER_BATCH]
            cursor.execute(
                _insert_members_sql(by=by, count=len(batch)),
                [group.pk, created_at, group.account_id, *batch],
            )
            added += max(cursor.rowcount, 0)
    return added


def _insert_members_sql(*, by, count):
    member, host_id = HostGroupMembership, _column(Host, "id")
    # Names from the models, quoted; every value is a parameter.
    return (
        f"INSERT INTO {_table(member)}"  # noqa: S608
        f" ({_column(member, 'group')}, {_column(member, 'host')}, {_column(member, 'created_at')})"
        f" SELECT %s, h.{host_id}, %s FROM {_table(Host)} h"
        f" WHERE h.{_column(Host, 'account')} = %s AND h.{_column(Host, 'deleted_at')} IS NULL"
        f" AND h.{_column(Host, by)} IN ({', '.join(['%s'] * count)})"
        f" ORDER BY h.{host_id} ON CONFLICT DO NOTHING"
    )
