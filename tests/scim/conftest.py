"""Helpers for the SCIM service tests: real HTTP through Django's test client."""

import json
from urllib.parse import quote

import pytest

from tests.factories import AccountFactory, ScimTokenFactory

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SCIM_JSON = "application/scim+json"

TOKEN = "vmscim_acme-token-0123456789abcdefghijklmnopqrstuvwxyzABCD"
OTHER_TOKEN = "vmscim_globex-token-0123456789abcdefghijklmnopqrstuvwxyzAB"


class Api:
    """``api.get("/Users")`` etc.: requests to /scim/v2 with the account's bearer token."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    def request(
        self, method, path, body=None, *, token="default", content_type=SCIM_JSON, raw=None, **extra
    ):
        token = self.token if token == "default" else token
        if token is not None:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
        if raw is not None:
            data = raw
        elif body is None:
            data = ""
        else:
            data = json.dumps(body)
        return self.client.generic(
            method, "/scim/v2" + path, data=data, content_type=content_type, **extra
        )

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, *operations, **kw):
        return self.request(
            "PATCH", path, {"schemas": [PATCH_OP], "Operations": list(operations)}, **kw
        )

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # shorthands
    def create_user(self, user_name="alice@acme.test", **attrs):
        body = {"schemas": [CORE_USER], "userName": user_name, **attrs}
        resp = self.post("/Users", body)
        assert resp.status_code == 201, resp.content
        return resp.json()

    def create_group(self, name="Reception", **attrs):
        body = {"schemas": [CORE_GROUP], "displayName": name, **attrs}
        resp = self.post("/Groups", body)
        assert resp.status_code == 201, resp.content
        return resp.json()

    def user(self, user_id):
        resp = self.get(f"/Users/{user_id}")
        assert resp.status_code == 200, resp.content
        return resp.json()

    def members(self, group_id):
        resp = self.get(f"/Groups/{group_id}")
        assert resp.status_code == 200, resp.content
        return {m["value"] for m in resp.json()["members"]}


def q(expression):
    """A filter query string encoded like Entra does (+ for spaces, %22 for quotes)."""
    return "filter=" + quote(expression, safe="").replace("%20", "+")


def assert_error(resp, status, scim_type=None):
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"] == SCIM_JSON, resp["Content-Type"]
    body = resp.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"schemas", "status", "scimType", "detail"}
    return body


def assert_list(resp, *, total, start=1, count=None):
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"] == SCIM_JSON
    body = resp.json()
    count = total if count is None else count
    assert body["schemas"] == [LIST_RESPONSE]
    assert body["totalResults"] == total, body
    assert body["startIndex"] == start, body
    assert body["itemsPerPage"] == count, body
    assert len(body["Resources"]) == count, body
    return body["Resources"]


def ids(resources):
    return {r["id"] for r in resources}


@pytest.fixture
def token(account):
    return ScimTokenFactory(account=account, raw_token=TOKEN)


@pytest.fixture
def api(client, token):
    return Api(client, TOKEN)


@pytest.fixture
def other_token(other_account):
    return ScimTokenFactory(account=other_account, raw_token=OTHER_TOKEN)


@pytest.fixture
def other_api(client, other_token):
    return Api(client, OTHER_TOKEN)


@pytest.fixture
def third_account(db):
    return AccountFactory(name="Initech", slug="initech")
