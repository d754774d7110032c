"""Every error path answers a SCIM Error (application/scim+json, status as a string)."""

import json
import uuid

import pytest

from scim_hosts.adapters import SCIMHost
from tests.scim.support import (
    CORE_USER,
    ENTERPRISE,
    PATCH_OP,
    SCIM_JSON,
    assert_scim_error,
    filter_qs,
)


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/"),
        ("GET", "/Nope"),
        ("POST", "/Nope"),
        ("DELETE", "/Users/x/y"),
        ("GET", "/Userz"),
        ("GET", "/Groups/a/b/c"),
        ("PUT", "/Schemas/x/y"),
    ],
)
def test_unknown_endpoint_is_a_scim_404(api, method, path):
    assert_scim_error(api.request(method, path), 404)


# Fixed values: a test's id must be the same at every collection (mutmut reruns tests by id).
UNKNOWN_UUID = "3f2a9c1e-6b1d-4e8a-9f0c-2d7b5e4a1c90"


@pytest.mark.parametrize("resource", ["Users", "Groups"])
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "bad_id",
    # 5171a35d82074e068ce2: a hex id shaped like the ids in Entra's samples, not a UUID here.
    [UNKNOWN_UUID, "not-a-uuid", "123", "%00", "a" * 300, "5171a35d82074e068ce2"],
    ids=["unknown uuid", "not-a-uuid", "123", "NUL", "300 chars", "entra-hex-id"],
)
def test_unknown_or_malformed_id_is_a_scim_404(api, resource, method, bad_id):
    body = {
        "schemas": [CORE_USER],
        "userName": "x@acme.test",
        "displayName": "x",
        "Operations": [{"op": "add", "path": "title", "value": "x"}],
    }
    assert_scim_error(api.request(method, f"/{resource}/{bad_id}", body), 404)


@pytest.mark.parametrize(
    "method,path,allow",
    [
        ("PUT", "/Users", "GET, POST"),
        ("PATCH", "/Users", "GET, POST"),
        ("DELETE", "/Users", "GET, POST"),
        ("DELETE", "/Groups", "GET, POST"),
        ("POST", "/Users/ID", "GET, PUT, PATCH, DELETE"),
        ("HEAD", "/Users", "GET, POST"),
        ("OPTIONS", "/Users", "GET, POST"),
        ("GET", "/Users/.search", "POST"),
        ("POST", "/ServiceProviderConfig", "GET"),
        ("DELETE", "/Schemas", "GET"),
        ("PATCH", "/ResourceTypes/User", "GET"),
    ],
)
def test_method_not_allowed_is_a_scim_405(api, method, path, allow):
    user = api.create_user("x@acme.test")
    resp = api.request(method, path.replace("ID", user["id"]), {"userName": "y@acme.test"})
    if method == "HEAD":
        assert resp.status_code == 405 and resp["Allow"] == allow
        return
    assert_scim_error(resp, 405)
    assert resp["Allow"] == allow


@pytest.mark.parametrize("path", ["/Bulk", "/Me", "/.search"])
def test_unsupported_features_are_501(api, path):
    assert_scim_error(api.post(path, {"schemas": []}), 501)


def test_body_over_the_limit_is_413_by_content_length(api, account, settings):
    settings.SCIM_MAX_BODY_BYTES = 500
    body = {"schemas": [CORE_USER], "userName": "big@acme.test", "nickName": "n" * 600}
    assert_scim_error(api.post("/Users", body), 413)
    assert not account.hosts.exists()
    user = api.create_user("small@acme.test")
    resp = api.patch_ops(
        f"/Users/{user['id']}", {"op": "add", "path": "nickName", "value": "n" * 600}
    )
    assert_scim_error(resp, 413)
    assert "nickName" not in api.user(user["id"])


def test_body_over_djangos_own_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.SCIM_MAX_BODY_BYTES = 10_000
    body = {"userName": "x" * 300}
    assert_scim_error(api.post("/Users", body), 413)


@pytest.mark.parametrize(
    "raw",
    ['{"userName": ', "not json", '["a list"]', '"a string"', "42", "null", b"\xff\xfe{}"],
    ids=["truncated", "text", "list", "string", "number", "null", "not utf-8"],
)
def test_malformed_json_is_400_invalid_syntax(api, raw):
    assert_scim_error(api.post("/Users", raw), 400, "invalidSyntax")
    user = api.create_user("m@acme.test")
    assert_scim_error(api.request("PATCH", f"/Users/{user['id']}", raw), 400, "invalidSyntax")
    assert_scim_error(api.post("/Groups/.search", raw), 400, "invalidSyntax")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/scim+json",
        "application/scim+json; charset=utf-8",
        "application/json",
        "application/json; charset=UTF-8",
    ],
)
def test_accepted_content_types(api, content_type):
    resp = api.post("/Users", {"userName": f"{uuid.uuid4()}@acme.test"}, content_type=content_type)
    assert resp.status_code == 201
    assert resp["Content-Type"] == SCIM_JSON


def test_unexpected_exception_is_a_scim_500_without_details(api, account, monkeypatch, caplog):
    user = api.create_user("boom@acme.test")

    def explode(self):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(SCIMHost, "to_dict", explode)
    resp = api.get(f"/Users/{user['id']}")
    body = assert_scim_error(resp, 500)
    assert body["detail"] == "Internal server error."
    assert b"secret" not in resp.content and b"Traceback" not in resp.content
    assert "secret internals" in caplog.text  # logged server-side
    event = account.provisioning_events.order_by("-id").first()
    assert (event.outcome, event.status, event.method) == ("failure", 500, "GET")


def test_failed_write_is_rolled_back_when_the_response_fails(api, account, monkeypatch):
    def explode(self):
        raise RuntimeError("after the write")

    monkeypatch.setattr(SCIMHost, "to_dict", explode)
    assert_scim_error(api.post("/Users", {"userName": "rolled@acme.test"}), 500)
    assert not account.hosts.exists()
    assert list(account.provisioning_events.values_list("outcome", "action")) == [
        ("failure", "create")
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"userName": "a\u0000b@acme.test"},
        {"userName": "ok@acme.test", "nickName": "n\u0000"},
        {"userName": "ok@acme.test", "x\u0000": 1},
        {"userName": "ok@acme.test", "roles": [{"value": ["\u0000"]}]},
    ],
)
def test_nul_characters_are_400_on_every_database(api, account, body):
    assert_scim_error(api.post("/Users", body), 400, "invalidValue")
    user = api.create_user("nul@acme.test")
    resp = api.patch_ops(
        f"/Users/{user['id']}", {"op": "add", "path": "nickName", "value": "\u0000"}
    )
    assert_scim_error(resp, 400, "invalidValue")
    assert account.hosts.count() == 1


def _nested(levels):
    value = 0
    for _ in range(levels):
        value = [value]
    return value


BODY_REFUSALS = {
    # RFC 7644 §3.12: each refusal of a body says what is wrong with it.
    "nul": (
        '{"userName": "ok@acme.test", "nickName": "n\\u0000"}',
        "invalidValue",
        "Text values must not contain NUL (\\u0000) characters.",
    ),
    "unpaired-surrogate": (
        '{"userName": "s\\ud800@acme.test"}',
        "invalidValue",
        "Text values must not contain unpaired UTF-16 surrogates.",
    ),
    # The object is level 1, "x" level 2: 31 lists put the 0 at level 33.
    "nested-deeper-than-32": (
        json.dumps({"userName": "deep@acme.test", "x": _nested(31)}),
        "invalidValue",
        "The request body is nested deeper than 32 levels.",
    ),
    "not-utf-8": (b'{"userName": "\xff"}', "invalidSyntax", "The request body is not UTF-8."),
    # Deeper than Python's JSON parser recurses, yet far below the size limit.
    "nested-beyond-the-parser": (
        "[" * 5000 + "]" * 5000,
        "invalidSyntax",
        "The request body is nested too deeply.",
    ),
}


@pytest.mark.parametrize(
    "raw, scim_type, detail", list(BODY_REFUSALS.values()), ids=list(BODY_REFUSALS)
)
def test_a_refused_body_says_why(api, account, raw, scim_type, detail):
    assert assert_scim_error(api.post("/Users", raw), 400, scim_type)["detail"] == detail
    assert not account.hosts.exists()


def test_a_body_nested_32_levels_deep_is_accepted(api):
    resp = api.post("/Users", {"userName": "deep@acme.test", "x": _nested(30)})
    assert resp.status_code == 201, resp.content


def test_nul_in_a_filter_is_400(api):
    from tests.scim.support import filter_qs

    assert_scim_error(api.get("/Users?" + filter_qs('userName eq "a\u0000"')), 400, "invalidFilter")
    assert_scim_error(
        api.get("/Users?" + filter_qs(r'userName eq "a\u0000"')), 400, "invalidFilter"
    )


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deeply_nested_json_is_400(api, depth):
    raw = '{"userName": "deep@acme.test", "x": ' + "[" * depth + "]" * depth + "}"
    assert_scim_error(
        api.post("/Users", raw), 400, ("invalidValue" if depth < 1000 else "invalidSyntax")
    )


# ------------------------------------------------------------------ the words of each error
# RFC 7644 §3.12: "detail" is the human-readable message; these pin what an admin reads
# (and that each refusal names the right cause), filters (§3.4.2.2) and PATCH (§3.5.2).

FILTER_DETAILS = {
    'userName eq "open': "Unterminated string in filter.",
    'userName eq "a\\u0000"': "The filter contains a NUL character.",
    'userName eq "\\ud800"': "The filter contains an unpaired UTF-16 surrogate.",
    "   ": "The filter is empty.",
    "(" * 21 + 'userName eq "a"' + ")" * 21: "The filter is nested too deeply.",
    " or ".join(['userName eq "a"'] * 102): "The filter has more than 100 and/or operators.",
    "userName zz": "Invalid filter: 'userName zz'.",
    'meta.lastModified co "2020"': "meta.lastModified is a date-time: 'co' is not supported.",
    'meta.lastModified gt "soon"': "meta.lastModified needs an ISO 8601 date-time, got 'soon'.",
    'title eq "a" or active gt true': "active is a boolean: use eq/ne with true or false.",
    "title lt null": "Cannot compare title with null using 'lt'.",
    "title eq true": "title is a string; it cannot be compared with a boolean.",
    "userName co null": "Cannot compare userName with null using 'co'.",
    "nickName lt null": "Cannot compare nickName with null using 'lt'.",
    "nickName eq true": "nickName is a string; it cannot be compared with a boolean.",
    'id gt "x"': "id supports eq, ne and pr.",
    'manager co "x"': "manager supports eq, ne and pr with a string.",
    'meta.resourceType co "U"': "meta.resourceType supports eq, ne and pr with a string.",
    'nosuch eq "x"': "Filtering on 'nosuch' is not supported.",
    'name[type eq "work"].givenName eq "x"': (
        "Filtering on 'name[type eq \"work\"].givenName' is not supported."
    ),
    'name[givenName eq "x"].familyName eq "y"': (
        'Value filters support only [type eq "..."] here.'
    ),
    'name[type eq "a"]': "Unsupported value filter.",
    "emails[value gt true]": "emails.value is a string; compare it with a string.",
    "emails[primary gt true]": "emails.primary is a boolean: use eq/ne with true or false.",
    "emails[value lt null]": "Cannot compare emails.value with null using 'lt'.",
    'emails[nosuch eq "x"]': "Filtering on 'emails.nosuch' is not supported.",
    'emails[type[value eq "x"]]': "Nested value filters are not supported.",
    'urn:example:x:title eq "a"': "Filtering on urn:example:x:title is not supported.",
    'meta.lastModified sw "2020"': "meta.lastModified is a date-time: 'sw' is not supported.",
    'meta.lastModified ew "Z"': "meta.lastModified is a date-time: 'ew' is not supported.",
    "meta.lastModified gt true": "meta.lastModified needs an ISO 8601 date-time, got True.",
    "userName eq true": "userName is a string; it cannot be compared with a boolean.",
    "userName lt null": "Cannot compare userName with null using 'lt'.",
    'name[type eq "a" or givenName eq "Bob"]': "Unsupported value filter.",
    'name[TYPE eq "a" or givenName eq "Bob"]': "Unsupported value filter.",
    'name[givenName eq true or familyName eq "x"]': (
        "name.givenName is a string; it cannot be compared with a boolean."
    ),
    f'{ENTERPRISE}:name[givenName eq "Bob" or familyName eq "x"]': (
        f"Filtering on {ENTERPRISE}:name.givenName is not supported."
    ),
    # An extension attribute's value filter with a type: refused by its name (the URN is
    # the one the extension attributes live under, so it is not the reason).
    f'{ENTERPRISE}:manager[type eq "work"].value eq "x"': (
        "Filtering on 'manager[type eq \"work\"].value' is not supported."
    ),
    f'{ENTERPRISE}:manager[type eq "work" and value eq "x"]': (
        "Filtering on 'manager[type eq \"work\"].value' is not supported."
    ),
    'name[type eq "work" and givenName eq "x"]': (
        "Filtering on 'name[type eq \"work\"].givenName' is not supported."
    ),
    'emails[type eq "work" and value.x eq "y"]': "Unsupported value filter.",
    'name[type eq "a" and type eq "b" and givenName eq "Bob"]': "Unsupported value filter.",
    'name[givenName eq true and familyName eq "x"]': (
        "name.givenName is a string; it cannot be compared with a boolean."
    ),
}


@pytest.mark.parametrize(
    "expression,detail",
    FILTER_DETAILS.items(),
    ids=[k[:60].replace("\\", "/") for k in FILTER_DETAILS],
)
def test_filter_error_detail(api, expression, detail):
    body = assert_scim_error(api.get("/Users?" + filter_qs(expression)), 400, "invalidFilter")
    assert body["detail"] == detail


def test_filter_limits_are_exact_and_named(api):
    """The limits of prepare() (filter_syntax.py) at their edges, and a NUL outside a string
    (RFC 7644 §3.4.2.2 filters, §3.12 details)."""
    # userName eq "..." takes the unique-attribute lookup (filters.py), title the parser.
    for attribute in ("userName", "title"):
        longest = attribute + ' eq "' + "a" * (4000 - len(attribute) - 6) + '"'
        assert len(longest) == 4000
        assert api.get("/Users?" + filter_qs(longest)).status_code == 200
        too_long = api.get("/Users?" + filter_qs(longest + " "))
        body = assert_scim_error(too_long, 400, "invalidFilter")
        assert body["detail"] == "The filter is too long."
    body = assert_scim_error(
        api.get("/Users?" + filter_qs('userName eq "a"\x00')), 400, "invalidFilter"
    )
    assert body["detail"] == "The filter contains a NUL character."
    # Closed groups do not count towards the depth: 20 levels after one are still fine.
    nested = "(" * 20 + 'userName eq "a"' + ")" * 20
    assert api.get("/Users?" + filter_qs("(title pr) and " + nested)).status_code == 200
    body = assert_scim_error(
        api.get("/Users?" + filter_qs("(title pr) and (" + nested + ")")), 400, "invalidFilter"
    )
    assert body["detail"] == "The filter is nested too deeply."


PATCH_DETAILS = {
    "not an object": (["replace"], "invalidSyntax", "Operation 1 must be an object."),
    "bad op": (
        [{"op": "move", "path": "title"}],
        "invalidSyntax",
        'Operation 1: "op" must be add, remove or replace.',
    ),
    "remove without path": (
        [{"op": "remove"}],
        "noTarget",
        'Operation 1: "remove" needs a "path".',
    ),
    "path not a string": (
        [{"op": "add", "path": 1, "value": "x"}],
        "invalidPath",
        'Operation 1: "path" must be a string.',
    ),
    "path-less non-object": (
        [{"op": "add", "value": "x"}],
        "invalidValue",
        'Operation 1: without a "path", "value" must be an object of attributes.',
    ),
    "extension not an object": (
        [{"op": "add", "value": {ENTERPRISE: "x"}}],
        "invalidValue",
        f'Operation 1: "{ENTERPRISE}" must be an object.',
    ),
    "second operation read-only": (
        [{"op": "add", "path": "title", "value": "x"}, {"op": "add", "path": "id", "value": "x"}],
        "mutability",
        'Operation 2: "id" is read-only.',
    ),
    "read-only sub-attribute": (
        [{"op": "replace", "path": "manager.displayName", "value": "x"}],
        "mutability",
        'Operation 1: "manager.displayName" is read-only.',
    ),
    "unbalanced": (
        [{"op": "add", "path": 'emails]type eq "x"[', "value": "x"}],
        "invalidPath",
        "Operation 1: Unbalanced brackets in path 'emails]type eq \"x\"['.",
    ),
    "text after the filter": (
        [{"op": "add", "path": 'emails[type eq "x"]value', "value": "x"}],
        "invalidPath",
        "Operation 1: Unexpected text after the filter in path 'emails[type eq \"x\"]value'.",
    ),
    "schema alone": (
        [{"op": "add", "path": CORE_USER, "value": {}}],
        "invalidPath",
        f"Operation 1: Path '{CORE_USER}' names a schema, not an attribute.",
    ),
    "filter on an extension": (
        [{"op": "add", "path": f"{ENTERPRISE}[x eq 1]", "value": "x"}],
        "invalidPath",
        f"Operation 1: Invalid path '{ENTERPRISE}[x eq 1]'.",
    ),
    "sub-attribute after a filtered sub-attribute": (
        [{"op": "add", "path": 'name.x[type eq "a"].y', "value": "x"}],
        "invalidPath",
        "Operation 1: Invalid path 'name.x[type eq \"a\"].y'.",
    ),
    "three parts": (
        [{"op": "add", "path": "a.b.c", "value": "x"}],
        "invalidPath",
        "Operation 1: Invalid path 'a.b.c'.",
    ),
    "bad filter": (
        [{"op": "add", "path": "emails[type eq].value", "value": "x"}],
        "invalidPath",
        "Operation 1: Invalid filter in path 'emails[type eq].value'.",
    ),
    "nested filter": (
        [{"op": "add", "path": 'emails[type[value eq "x"]].value', "value": "x"}],
        "invalidPath",
        "Operation 1: Nested value filters are not supported in paths.",
    ),
    "no match": (
        [{"op": "replace", "path": 'name[givenName eq "x"].familyName', "value": "y"}],
        "noTarget",
        'Operation 1: nothing matches "name[givenName eq "x"].familyName".',
    ),
    "element needs an object": (
        [{"op": "replace", "path": 'emails[type eq "work"]', "value": "x"}],
        "invalidValue",
        'Operation 1: "emails[type eq "work"]" needs an object.',
    ),
    "complex needs an object": (
        [{"op": "replace", "path": "name", "value": "x"}],
        "invalidValue",
        'Operation 1: "name" must be an object.',
    ),
}


@pytest.mark.parametrize("ops,scim_type,detail", PATCH_DETAILS.values(), ids=PATCH_DETAILS.keys())
def test_patch_error_detail(api, ops, scim_type, detail):
    user = api.create_user(
        "pat@acme.test",
        name={"givenName": "Pat"},
        emails=[{"type": "work", "value": "pat@acme.test"}],
    )
    resp = api.request("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": ops})
    assert assert_scim_error(resp, 400, scim_type)["detail"] == detail


@pytest.mark.parametrize(
    "body,detail",
    [
        ({"Operations": []}, 'A PATCH request needs a non-empty "Operations" list.'),
        (
            {"Operations": [{"op": "add", "path": "title", "value": "x"}] * 1001},
            "A PATCH request may hold at most 1000 operations.",
        ),
    ],
    ids=["no operations", "too many"],
)
def test_patch_body_error_detail(api, body, detail):
    user = api.create_user("pat@acme.test")
    resp = api.request("PATCH", f"/Users/{user['id']}", body)
    assert resp.status_code == 400, resp.content
    assert resp.json()["detail"] == detail


@pytest.mark.parametrize(
    "expression,detail",
    [
        ('members gt "x"', "members supports eq, ne and pr."),
        ('members.value co "x"', "members.value supports eq, ne and pr."),
        (
            'members[type eq "User" and value eq "x"]',
            ("Filtering on 'members[type eq \"user\"].value' is not supported."),
        ),
        ('members[type eq "User" or value eq "x"]', "Unsupported value filter."),
    ],
)
def test_group_filter_error_detail(api, expression, detail):
    body = assert_scim_error(api.get("/Groups?" + filter_qs(expression)), 400, "invalidFilter")
    assert body["detail"] == detail
