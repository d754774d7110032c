"""The one SCIM test client and the one set of SCIM assertions, used by every SCIM test.

Everything speaks HTTP through Django's test client, as an identity provider would: a
bearer token (or Basic credentials), ``Content-Type: application/scim+json``, query strings
encoded with ``+`` for spaces and ``%22`` for quotes. Responses are Django's own test
responses (``status_code``, ``json()``, ``content``, ``headers``).
"""

import base64
import json
import threading
import uuid
from datetime import datetime
from urllib.parse import quote, quote_plus

from django.db import connection
from django.test import Client
from django_scim.constants import SchemaURI

from scim_hosts.protocol.responses import ERROR_URN as ERROR
from scim_hosts.protocol.responses import LIST_RESPONSE_URN as LIST_RESPONSE
from scim_hosts.protocol.responses import SCIM_CONTENT_TYPE as SCIM_JSON
from scim_hosts.protocol.schema import CORE_GROUP_URN as CORE_GROUP
from scim_hosts.protocol.schema import CORE_USER_URN as CORE_USER
from scim_hosts.protocol.schema import ENTERPRISE_URN as ENTERPRISE

PATCH_OP = SchemaURI.PATCH_OP
SEARCH_REQUEST = SchemaURI.SERACH_REQUEST  # sic: django-scim2's spelling
# Entra's TUT group POST names this extension schema (docs/identity-providers/entra.md §1.10).
ADSCIM_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
# Appended to the Tenant URL, it switches Entra to RFC-conformant PATCH wording.
FLAG = "aadOptscim062020"

__all__ = [
    "ADSCIM_GROUP",
    "CORE_GROUP",
    "CORE_USER",
    "ENTERPRISE",
    "ERROR",
    "FLAG",
    "LIST_RESPONSE",
    "PATCH_OP",
    "SCIM_JSON",
    "SEARCH_REQUEST",
]

# One token per account the fixtures create (tests/scim/conftest.py).
TOKEN = "vmscim_acme-token-0123456789abcdefghijklmnopqrstuvwxyzABCD"
OTHER_TOKEN = "vmscim_globex-token-0123456789abcdefghijklmnopqrstuvwxyzAB"
CONTOSO_TOKEN = "vmscim_contoso-entra-token-0123456789abcdefghijklmnopqrstuv"
FABRIKAM_TOKEN = "vmscim_fabrikam-entra-token-0123456789abcdefghijklmnopqrstu"
INITECH_TOKEN = "vmscim_initech-provider-token-0123456789abcdefghijklmnopqrst"
UMBRELLA_TOKEN = "vmscim_umbrella-provider-token-0123456789abcdefghijklmnopqr"

_DEFAULT = object()


class ScimClient:
    """``scim.get("/Users")`` etc.: requests to /scim/v2 as one identity provider sends them.

    ``auth`` is "bearer" (``Authorization: Bearer <token>``) or "basic" (the token as the
    password of Basic credentials, ``basic_user`` as the name). ``flag`` appends Entra's
    ``aadOptscim062020`` to every URL. ``headers`` go with every request (User-Agent, ...).
    """

    def __init__(
        self,
        client,
        token,
        *,
        account=None,
        flag=False,
        auth="bearer",
        basic_user="okta",
        headers=None,
    ):
        self.client = client
        self.token = token
        self.account = account
        self.flag = flag
        self.auth = auth
        self.basic_user = basic_user
        self.default_headers = dict(headers or {})

    def url(self, path, *, flag=None):
        url = "/scim/v2" + path
        if self.flag if flag is None else flag:
            url += ("&" if "?" in url else "?") + FLAG
        return url

    def authorization(self, token):
        if self.auth == "basic":
            pair = f"{self.basic_user}:{token}".encode()
            return "Basic " + base64.b64encode(pair).decode()
        return f"Bearer {token}"

    def request(
        self,
        method,
        path,
        body=None,
        *,
        token=_DEFAULT,
        content_type=SCIM_JSON,
        flag=None,
        headers=None,
        **extra,
    ):
        """``body`` is JSON-encoded unless it is already ``str``/``bytes`` (sent as is);
        ``token=None`` sends no credentials; ``extra`` are WSGI environ keys."""
        token = self.token if token is _DEFAULT else token
        if token is not None:
            extra.setdefault("HTTP_AUTHORIZATION", self.authorization(token))
        for name, value in {**self.default_headers, **(headers or {})}.items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        if body is None:
            data = ""
        elif isinstance(body, (str, bytes)):
            data = body
        else:
            data = json.dumps(body)
        return self.client.generic(
            method, self.url(path, flag=flag), data=data, content_type=content_type, **extra
        )

    __call__ = request

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        """PATCH with a whole body (see ``patch_ops`` for a list of operations)."""
        return self.request("PATCH", path, body, **kw)

    def patch_ops(self, path, *operations, **kw):
        return self.patch(path, patch_body(*operations), **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # Shorthands that assert success ------------------------------------------------------

    def create_user(self, user_name="alice@acme.test", **attrs):
        """POST a core User; the created resource."""
        resp = self.post("/Users", {"schemas": [CORE_USER], "userName": user_name, **attrs})
        assert resp.status_code == 201, resp.content
        return resp.json()

    def create_group(self, name="Reception", **attrs):
        """POST a core Group; the created resource."""
        resp = self.post("/Groups", {"schemas": [CORE_GROUP], "displayName": name, **attrs})
        assert resp.status_code == 201, resp.content
        return resp.json()

    def post_user(self, body):
        """POST ``body`` as a User; the new id."""
        resp = self.post("/Users", body)
        assert resp.status_code == 201, resp.content
        return resp.json()["id"]

    def post_group(self, display_name, external_id=None):
        """POST Entra's TUT group body; the new id."""
        resp = self.post("/Groups", group_body(display_name, external_id))
        assert resp.status_code == 201, resp.content
        return resp.json()["id"]

    def user(self, user_id):
        resp = self.get(f"/Users/{user_id}")
        assert resp.status_code == 200, resp.content
        assert_scim_content_type(resp)
        return resp.json()

    def members(self, group_id):
        resp = self.get(f"/Groups/{group_id}")
        assert resp.status_code == 200, resp.content
        return {m["value"] for m in resp.json()["members"]}

    def patch_user(self, user_id, body):
        """PATCH a user, accepting 200 (the full resource) or 204; the resource a GET returns."""
        resp = self.patch(f"/Users/{user_id}", body)
        assert resp.status_code in (200, 204), resp.content
        fetched = self.user(user_id)
        if resp.status_code == 200:
            assert_scim_content_type(resp)
            assert resp.json() == fetched, "PATCH 200 body differs from the GET that follows"
        else:
            assert resp.content == b"", resp.content
        return fetched


def run_in_parallel(token, calls, **client_options):
    """Run ``calls`` (functions of a ScimClient) at the same moment, each in its own thread
    with its own client and database connection; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            scim = ScimClient(Client(), token, **client_options)
            barrier.wait()
            results[i] = call(scim)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def patch_body(*operations):
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def group_body(display_name, external_id=None):
    """TUT group POST with the ADSCIM schema URN (docs/identity-providers/entra.md §1.10)."""
    return {
        "schemas": [CORE_GROUP, ADSCIM_GROUP],
        "externalId": external_id or str(uuid.uuid4()),
        "displayName": display_name,
        "meta": {"resourceType": "Group"},
    }


# --------------------------------------------------------------------------- URLs


def filter_qs(expression, *, space="+"):
    """A filter query string encoded as Entra does: ``+`` for spaces (or ``%20``), ``%22``
    for quotes, ``%40`` for @."""
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
    assert resp["Content-Type"] == SCIM_JSON, resp["Content-Type"]


def assert_scim_error(resp, status, scim_type=None):
    """A SCIM Error body (RFC 7644 §3.12), ``status`` as a string. ``scim_type`` None means
    no scimType; a tuple accepts any of its values."""
    assert resp.status_code == status, resp.content
    assert_scim_content_type(resp)
    body = resp.json()
    assert isinstance(body, dict), resp.content
    assert body["schemas"] == [ERROR], body
    assert body["status"] == str(status), body
    assert set(body) <= {"schemas", "status", "scimType", "detail"}, body
    if isinstance(scim_type, tuple):
        assert body.get("scimType") in scim_type, body
    else:
        assert body.get("scimType") == scim_type, body
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), body
    return body


def assert_unauthorized(resp):
    assert_scim_error(resp, 401)
    assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer"), resp.headers


def assert_list_response(resp, *, total, count=None, start=1):
    """A ListResponse with exactly its five members; returns its Resources."""
    assert resp.status_code == 200, resp.content
    assert_scim_content_type(resp)
    body = resp.json()
    count = total if count is None else count
    assert set(body) == {"schemas", "totalResults", "Resources", "startIndex", "itemsPerPage"}, body
    assert body["schemas"] == [LIST_RESPONSE], body
    assert body["totalResults"] == total, body
    assert body["startIndex"] == start, body
    assert body["itemsPerPage"] == count, body
    assert isinstance(body["Resources"], list) and len(body["Resources"]) == count, body
    return body["Resources"]


def assert_empty_list(resp):
    assert assert_list_response(resp, total=0) == []


def assert_resource_ids(resp, *ids):
    """A ListResponse whose resources are exactly the given ids (any order)."""
    resources = assert_list_response(resp, total=len(ids))
    assert sorted(r["id"] for r in resources) == sorted(ids), resp.content
    return resources


def resource_ids(resources):
    return {r["id"] for r in resources}


def member_ids(resource):
    return sorted(m["value"] for m in resource.get("members") or [])


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
    """The attributes of a User a client sent or got (id/meta/schemas taken off)."""
    return _canon({k: v for k, v in resource.items() if k not in ("id", "meta", "schemas")})


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
    want = user_view(expected)
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
