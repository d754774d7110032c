"""Helpers for replaying Okta's, OneLogin's, JumpCloud's and PingOne's SCIM traffic.

Black box over HTTP through Django's test client, like tests/scim_entra/: each provider's
client sends the headers, query strings and bodies its documentation (docs/identity-
providers/) describes. The transport and the assertions are the Entra suite's own.
"""

import base64
import uuid

import pytest
from django.core.cache import cache

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


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.SCIM_RATE_LIMIT = 0
    cache.clear()
    yield
    cache.clear()


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
