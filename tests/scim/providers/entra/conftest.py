"""Helpers for replaying Microsoft Entra ID's SCIM traffic against /scim/v2/ (black box).

Everything here speaks HTTP through Django's test client, exactly as Entra would: bearer
token, ``Content-Type: application/scim+json``, query strings encoded with ``+`` for spaces
and ``%22`` for quotes. The ``mode`` fixture runs a test once as a default-mode tenant
(capitalised ops, ``"False"`` strings, value-list member removal) and once as a tenant with
the ``aadOptscim062020`` flag in its Tenant URL (lower-case ops, booleans, path-less
dotted-key replaces, ``members[value eq "x"]`` removal), as Microsoft documents for its
SCIM provisioning service.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, quote_plus

import pytest

from tests.factories import AccountFactory, ScimTokenFactory

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ADSCIM_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
FLAG = "aadOptscim062020"
SCIM_JSON = "application/scim+json"

TOKEN_A = "vmscim_contoso-entra-token-0123456789abcdefghijklmnopqrstuv"
TOKEN_B = "vmscim_fabrikam-entra-token-0123456789abcdefghijklmnopqrstu"


# --------------------------------------------------------------------------- transport


@dataclass
class Resp:
    status: int
    headers: object  # case-insensitive mapping (HttpResponse.headers)
    json: object
    raw: bytes

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")

    def __repr__(self):  # shows up in assertion failures: keep it useful
        return f"<Resp {self.status} {self.content_type} {self.raw[:600]!r}>"


class ScimClient:
    """``scim(method, path, body=None)`` -> Resp. ``path`` is relative to /scim/v2."""

    def __init__(self, client, account, token, *, flag=False):
        self.client = client
        self.account = account
        self.token = token
        self.flag = flag

    def url(self, path, *, flag=None):
        url = "/scim/v2" + path
        if self.flag if flag is None else flag:
            url += ("&" if "?" in url else "?") + FLAG
        return url

    def __call__(
        self,
        method,
        path,
        body=None,
        *,
        token="__default__",
        content_type=SCIM_JSON,
        flag=None,
        headers=None,
    ):
        token = self.token if token == "__default__" else token
        extra = {}
        if token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        if body is None:
            data = ""
        elif isinstance(body, (str, bytes)):
            data = body
        else:
            data = json.dumps(body)
        response = self.client.generic(
            method, self.url(path, flag=flag), data=data, content_type=content_type, **extra
        )
        raw = response.content if not getattr(response, "streaming", False) else b""
        parsed = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        return Resp(response.status_code, response.headers, parsed, raw)

    # Shorthands ------------------------------------------------------------------------

    def get(self, path, **kw):
        return self("GET", path, **kw)

    def post(self, path, body, **kw):
        return self("POST", path, body, **kw)

    def patch(self, path, body, **kw):
        return self("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self("DELETE", path, **kw)


# --------------------------------------------------------------------------- modes


@dataclass(frozen=True)
class Mode:
    """How one Entra tenant words its PATCH requests (docs/identity-providers/entra.md §3)."""

    name: str

    @property
    def flag(self):
        return self.name == "flag"

    def op(self, name):
        return name.lower() if self.flag else name.capitalize()

    def boolean(self, value):
        if self.flag:
            return bool(value)
        return "True" if value else "False"

    def add_members(self, *ids):
        if self.flag:
            return {"op": "add", "path": "members", "value": [{"value": i} for i in ids]}
        return {"op": "Add", "path": "members", "value": [{"$ref": None, "value": i} for i in ids]}

    def remove_member(self, member_id):
        if self.flag:
            return {"op": "remove", "path": f'members[value eq "{member_id}"]'}
        return {"op": "Remove", "path": "members", "value": [{"value": member_id}]}

    def replace_many(self, attrs):
        """Replace several single-valued attributes: one op per path, or one path-less op."""
        if self.flag:
            return [{"op": "replace", "value": dict(attrs)}]
        return [{"op": "Replace", "path": k, "value": v} for k, v in attrs.items()]


DEFAULT = Mode("default")
FLAGGED = Mode("flag")


def patch_body(*operations):
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


# --------------------------------------------------------------------------- URLs


def filter_qs(expression, *, space="+"):
    """Encode a filter as Entra does: ``+`` for spaces, ``%22`` quotes, ``%40`` for @."""
    if space == "+":
        return "filter=" + quote_plus(expression)
    return "filter=" + quote(expression, safe="")


def users_filter(attr, value, *, space="+"):
    return "/Users?" + filter_qs(f'{attr} eq "{value}"', space=space)


def groups_filter(value, *, exclude_members=True, space="+"):
    qs = filter_qs(f'displayName eq "{value}"', space=space)
    return "/Groups?" + ("excludedAttributes=members&" if exclude_members else "") + qs


# --------------------------------------------------------------------------- assertions


def assert_scim_content_type(resp):
    assert resp.content_type.split(";")[0].strip() == SCIM_JSON, resp


def assert_error(resp, status, scim_type=None):
    """A SCIM Error body (RFC 7644 §3.12) with ``status`` as a string."""
    assert resp.status == status, resp
    assert_scim_content_type(resp)
    body = resp.json
    assert isinstance(body, dict), resp
    assert body["schemas"] == [ERROR], body
    assert body["status"] == str(status), body
    assert set(body) <= {"schemas", "status", "scimType", "detail"}, body
    if scim_type is None:
        assert "scimType" not in body or body["scimType"] in (None, ""), body
    elif isinstance(scim_type, tuple):
        assert body.get("scimType") in scim_type, body
    else:
        assert body.get("scimType") == scim_type, body
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), body
    return body


def assert_unauthorized(resp):
    assert_error(resp, 401)
    assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer"), resp


def assert_list(resp, *, total, count=None, start=1):
    """A ListResponse; returns its Resources."""
    assert resp.status == 200, resp
    assert_scim_content_type(resp)
    body = resp.json
    count = total if count is None else count
    assert set(body) == {"schemas", "totalResults", "Resources", "startIndex", "itemsPerPage"}, body
    assert body["schemas"] == [LIST_RESPONSE], body
    assert body["totalResults"] == total, body
    assert body["startIndex"] == start, body
    assert body["itemsPerPage"] == count, body
    assert isinstance(body["Resources"], list) and len(body["Resources"]) == count, body
    return body["Resources"]


EMPTY_LIST = {
    "schemas": [LIST_RESPONSE],
    "totalResults": 0,
    "Resources": [],
    "startIndex": 1,
    "itemsPerPage": 0,
}


def assert_empty_list(resp):
    assert resp.status == 200, resp
    assert_scim_content_type(resp)
    assert resp.json == EMPTY_LIST, resp


def _parse_dt(value):
    assert isinstance(value, str), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _canon(value):
    """Drop nulls and empty values; multi-valued attributes compare as unordered lists."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _canon(v)
            if v is None or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        items = [_canon(v) for v in value]
        items = [v for v in items if v is not None and v != {}]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def user_view(resource):
    """The attributes of a User resource a client sent (id/meta/schemas taken off)."""
    return _canon({k: v for k, v in resource.items() if k not in ("id", "meta", "schemas")})


def sent_view(body):
    return _canon({k: v for k, v in body.items() if k not in ("id", "meta", "schemas")})


def assert_meta(resource, resource_type, resource_id):
    meta = resource["meta"]
    assert meta["resourceType"] == resource_type, resource
    created, modified = _parse_dt(meta["created"]), _parse_dt(meta["lastModified"])
    assert created <= modified, meta
    assert meta["location"].endswith(f"/scim/v2/{resource_type}s/{resource_id}"), meta


def assert_user(resource, expected, *, user_id=None):
    """The whole User: id, schemas, meta, and exactly the attributes in ``expected``.

    ``expected`` is what the client sent (or the result of its PATCHes), in SCIM shape.
    The server may add ``active: true`` when the client never sent ``active``, and the
    read-only ``groups``; nothing else may appear, and nothing sent may be missing.
    """
    assert isinstance(resource, dict), resource
    uuid.UUID(resource["id"])
    if user_id is not None:
        assert resource["id"] == str(user_id), resource
    assert CORE_USER in resource["schemas"], resource
    for key in resource:
        if key.startswith("urn:"):
            assert key in resource["schemas"], f"extension {key} not listed in schemas"
    assert_meta(resource, "User", resource["id"])
    got = user_view(resource)
    want = sent_view(expected)
    got.pop("groups", None)
    if "active" not in want and got.get("active") is True:
        got.pop("active")
    assert got == want


def assert_group(resource, *, display_name, external_id=None, member_ids=None, group_id=None):
    """The whole Group. ``member_ids=None`` means the ``members`` key must be absent."""
    assert isinstance(resource, dict), resource
    uuid.UUID(resource["id"])
    if group_id is not None:
        assert resource["id"] == str(group_id), resource
    assert CORE_GROUP in resource["schemas"], resource
    assert_meta(resource, "Group", resource["id"])
    allowed = {"schemas", "id", "meta", "displayName", "externalId", "members"}
    assert set(resource) <= allowed, resource
    assert resource["displayName"] == display_name, resource
    assert resource.get("externalId") == external_id, resource
    if member_ids is None:
        assert "members" not in resource, resource
        return
    members = resource.get("members")
    assert isinstance(members, list), resource
    values = [m["value"] for m in members]
    assert sorted(values) == sorted(str(m) for m in member_ids), resource
    assert len(values) == len(set(values)), "duplicate member entries"
    for m in members:
        assert set(m) <= {"value", "display", "$ref", "type"}, m
        if m.get("$ref"):
            assert m["$ref"].endswith(f"/scim/v2/Users/{m['value']}"), m


# --------------------------------------------------------------------------- payloads


def tut_user(user_name="Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", **overrides):
    """TUT "Create User" sample body (docs/identity-providers/entra.md §1.3)."""
    body = {
        "schemas": [CORE_USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [
            {
                "primary": True,
                "type": "work",
                "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com",
            }
        ],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": "givenName familyName",
            "familyName": "familyName",
            "givenName": "givenName",
        },
        "roles": [],
    }
    body.update(overrides)
    return body


def minimal_user(user_name):
    return {"schemas": [CORE_USER], "userName": user_name}


def group_body(display_name, external_id=None):
    """TUT group POST with the ADSCIM schema URN (docs/identity-providers/entra.md §1.10)."""
    return {
        "schemas": [CORE_GROUP, ADSCIM_GROUP],
        "externalId": external_id or str(uuid.uuid4()),
        "displayName": display_name,
        "meta": {"resourceType": "Group"},
    }


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def contoso(db):
    return AccountFactory(name="Contoso", slug="contoso")


@pytest.fixture
def fabrikam(db):
    return AccountFactory(name="Fabrikam", slug="fabrikam")


@pytest.fixture
def contoso_token(contoso):
    return ScimTokenFactory(account=contoso, raw_token=TOKEN_A)


@pytest.fixture
def fabrikam_token(fabrikam):
    return ScimTokenFactory(account=fabrikam, raw_token=TOKEN_B)


@pytest.fixture
def scim(client, contoso, contoso_token):
    """Contoso's Entra job, default mode, no flag in the Tenant URL."""
    return ScimClient(client, contoso, TOKEN_A)


@pytest.fixture
def scim_b(client, fabrikam, fabrikam_token):
    """Fabrikam's Entra job (another account)."""
    return ScimClient(client, fabrikam, TOKEN_B)


@pytest.fixture(params=[DEFAULT, FLAGGED], ids=lambda m: m.name)
def mode(request):
    return request.param


@pytest.fixture
def entra(client, contoso, contoso_token, mode):
    """Contoso's Entra job in the parametrised mode (flag appended to every URL)."""
    scim_client = ScimClient(client, contoso, TOKEN_A, flag=mode.flag)
    scim_client.mode = mode
    return scim_client


def create_user(scim_client, body):
    """POST a user, assert 201, return its id."""
    resp = scim_client.post("/Users", body)
    assert resp.status == 201, resp
    return resp.json["id"]


def create_group(scim_client, display_name, external_id=None):
    resp = scim_client.post("/Groups", group_body(display_name, external_id))
    assert resp.status == 201, resp
    return resp.json["id"]


def get_user(scim_client, user_id):
    resp = scim_client.get(f"/Users/{user_id}")
    assert resp.status == 200, resp
    assert_scim_content_type(resp)
    return resp.json


def patch_user(scim_client, user_id, body):
    """PATCH a user; accept 200 (full resource) or 204; return the resource from a GET."""
    resp = scim_client.patch(f"/Users/{user_id}", body)
    assert resp.status in (200, 204), resp
    fetched = get_user(scim_client, user_id)
    if resp.status == 200:
        assert_scim_content_type(resp)
        assert resp.json == fetched, "PATCH 200 body differs from the GET that follows"
    else:
        assert resp.raw == b"", resp
    return fetched
