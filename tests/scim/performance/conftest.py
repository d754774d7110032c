"""Fixtures for the performance locks: the SCIM test client of tests/scim, bulk data."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.scim.conftest import api, other_api, other_token, token  # noqa: F401 - fixtures
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership, Source

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def bulk_hosts(account, n, prefix="h"):
    """``n`` live directory hosts of ``account`` in a few INSERTs; their pks in order."""
    tag = uuid.uuid4().hex[:6]
    Host.objects.bulk_create(
        [
            Host(
                account=account,
                username=f"{prefix}{tag}{i}@acme.test",
                first_name=f"F{i}",
                last_name=f"L{i}",
                email=f"{prefix}{tag}{i}@acme.test",
                source=Source.DIRECTORY,
                directory_data={"userName": f"{prefix}{tag}{i}@acme.test", "active": True},
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    return list(Host.objects.filter(account=account).order_by("pk").values_list("pk", flat=True))


def directory_group(account, name, host_pks):
    group = HostGroup.objects.create(account=account, name=name, source=Source.DIRECTORY)
    HostGroupMembership.objects.bulk_create(
        [HostGroupMembership(group=group, host_id=pk) for pk in host_pks], batch_size=1000
    )
    return group


def statements(fn):
    """(SQL statements run by ``fn()`` without transaction control, the response)."""
    with CaptureQueriesContext(connection) as ctx:
        resp = fn()
    sqls = [q["sql"] for q in ctx.captured_queries]
    return [s for s in sqls if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)], resp


@pytest.fixture(autouse=True)
def _warm_token(request):
    """The first request of a minute stamps token.last_used_at; measure the others."""
    if "api" in request.fixturenames:
        request.getfixturevalue("api").get("/ServiceProviderConfig")
