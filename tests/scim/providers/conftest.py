"""Helpers for replaying Okta's, OneLogin's, JumpCloud's and PingOne's SCIM traffic.

Black box over HTTP through Django's test client, like tests/scim_entra/: each provider's
client sends the headers, query strings and bodies its documentation (docs/identity-
providers/) describes. The transport and the assertions are the Entra suite's own.
"""

import base64
import uuid

import pytest

from tests.factories import AccountFactory, ScimTokenFactory
from tests.scim_entra.conftest import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    PATCH_OP,
    ScimClient,
    assert_list,
    get_user,
)

TOKEN = "vmscim_initech-provider-token-0123456789abcdefghijklmnopqrst"
OTHER_TOKEN = "vmscim_umbrella-provider-token-0123456789abcdefghijklmnopqr"

__all__ = [
    "CORE_GROUP",
    "CORE_USER",
    "ENTERPRISE",
    "PATCH_OP",
    "assert_list",
    "get_user",
]


class ProviderClient(ScimClient):
    """A ScimClient that authenticates the way one provider is configured to.

    ``auth`` is "bearer" (``Authorization: Bearer <token>``) or "basic" (the token as the
    password of Basic credentials, with ``basic_user`` as the name). ``headers`` are sent
    with every request (a provider's User-Agent, Accept, ...).
    """

    def __init__(self, client, account, token, *, auth="bearer", basic_user="okta", headers=None):
        super().__init__(client, account, token)
        self.auth = auth
        self.basic_user = basic_user
        self.default_headers = dict(headers or {})

    def __call__(self, method, path, body=None, *, token="__default__", headers=None, **kw):
        token = self.token if token == "__default__" else token
        merged = dict(self.default_headers)
        if token is not None and self.auth == "basic":
            pair = f"{self.basic_user}:{token}".encode()
            merged["Authorization"] = "Basic " + base64.b64encode(pair).decode()
            token = None
        merged.update(headers or {})
        return super().__call__(method, path, body, token=token, headers=merged, **kw)

    def put(self, path, body, **kw):
        return self("PUT", path, body, **kw)


def patch_ops(*operations):
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def new_id():
    return str(uuid.uuid4())


def assert_host_ids(resp, *ids):
    """A ListResponse whose resources are exactly the given ids (any order)."""
    resources = assert_list(resp, total=len(ids))
    assert sorted(r["id"] for r in resources) == sorted(ids), resp
    return resources


def member_ids(resource):
    return sorted(m["value"] for m in resource.get("members") or [])


@pytest.fixture
def initech(db):
    return AccountFactory(name="Initech", slug="initech")


@pytest.fixture
def initech_token(initech):
    return ScimTokenFactory(account=initech, raw_token=TOKEN)


@pytest.fixture
def umbrella(db):
    return AccountFactory(name="Umbrella", slug="umbrella")


@pytest.fixture
def umbrella_token(umbrella):
    return ScimTokenFactory(account=umbrella, raw_token=OTHER_TOKEN)


# --------------------------------------------------------------------------- product side


def host_of(account, resource_id):
    """The Host behind a SCIM id (tombstones included)."""
    from visitor_mgmt.models import Host

    return Host.objects.get(account=account, public_id=resource_id)


def group_of(account, resource_id):
    from visitor_mgmt.models import HostGroup

    return HostGroup.objects.get(account=account, public_id=resource_id)


def group_member_ids(account, resource_id):
    group = group_of(account, resource_id)
    return sorted(str(h.public_id) for h in group.members.all())


def manual_host_with_history(account, *, email, first_name, last_name, group_name="Reception"):
    """A host added by hand before the directory was connected, with a visit and a group."""
    from tests.factories import (
        HostFactory,
        HostGroupFactory,
        HostGroupMembershipFactory,
        VisitFactory,
    )
    from visitor_mgmt.models import Source

    host = HostFactory(
        account=account,
        first_name=first_name,
        last_name=last_name,
        display_name=f"{first_name} {last_name}",
        email=email,
        username="",
        source=Source.MANUAL,
    )
    group = HostGroupFactory(account=account, name=group_name)
    HostGroupMembershipFactory(group=group, host=host)
    visit = VisitFactory(account=account, host=host)
    return host, group, visit


def assert_linked(account, host, visit, group):
    """The manual host became the directory's: same row, same visits and memberships,
    one host for that person, and the log says it was linked."""
    from scim_hosts.models import ProvisioningEvent
    from visitor_mgmt.models import Host, Source, Visit

    host.refresh_from_db()
    assert host.source == Source.DIRECTORY
    assert Host.objects.filter(account=account, deleted_at__isnull=True).count() == 1
    assert Visit.objects.get(pk=visit.pk).host_id == host.pk
    assert list(group.members.all()) == [host]
    (row,) = ProvisioningEvent.objects.filter(account=account, action="linked")
    assert row.resource_id == str(host.public_id)
    assert row.reason.startswith("Linked existing host")
    return host
