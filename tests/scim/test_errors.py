"""Every error path answers a SCIM Error (application/scim+json, status as a string)."""

import uuid

import pytest

from scim_hosts.adapters import SCIMHost
from tests.scim.conftest import CORE_USER, SCIM_JSON, assert_error


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
    assert_error(api.request(method, path), 404)


@pytest.mark.parametrize("resource", ["Users", "Groups"])
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("bad_id", [str(uuid.uuid4()), "not-a-uuid", "123", "%00", "a" * 300])
def test_unknown_or_malformed_id_is_a_scim_404(api, resource, method, bad_id):
    body = {
        "schemas": [CORE_USER],
        "userName": "x@acme.test",
        "displayName": "x",
        "Operations": [{"op": "add", "path": "title", "value": "x"}],
    }
    assert_error(api.request(method, f"/{resource}/{bad_id}", body), 404)


@pytest.mark.parametrize(
    "method,path,allow",
    [
        ("PUT", "/Users", "GET, POST"),
        ("PATCH", "/Users", "GET, POST"),
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
    assert_error(resp, 405)
    assert resp["Allow"] == allow


@pytest.mark.parametrize("path", ["/Bulk", "/Me", "/.search"])
def test_unsupported_features_are_501(api, path):
    assert_error(api.post(path, {"schemas": []}), 501)


def test_body_over_the_limit_is_413_by_content_length(api, account, settings):
    settings.SCIM_MAX_BODY_BYTES = 500
    body = {"schemas": [CORE_USER], "userName": "big@acme.test", "nickName": "n" * 600}
    assert_error(api.post("/Users", body), 413)
    assert not account.hosts.exists()
    user = api.create_user("small@acme.test")
    resp = api.patch(f"/Users/{user['id']}", {"op": "add", "path": "nickName", "value": "n" * 600})
    assert_error(resp, 413)
    assert "nickName" not in api.user(user["id"])


def test_body_over_djangos_own_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.SCIM_MAX_BODY_BYTES = 10_000
    body = {"userName": "x" * 300}
    assert_error(api.post("/Users", body), 413)


@pytest.mark.parametrize(
    "raw",
    ['{"userName": ', "not json", '["a list"]', '"a string"', "42", "null", b"\xff\xfe{}"],
    ids=["truncated", "text", "list", "string", "number", "null", "not utf-8"],
)
def test_malformed_json_is_400_invalid_syntax(api, raw):
    assert_error(api.post("/Users", raw=raw), 400, "invalidSyntax")
    user = api.create_user("m@acme.test")
    assert_error(api.request("PATCH", f"/Users/{user['id']}", raw=raw), 400, "invalidSyntax")
    assert_error(api.post("/Groups/.search", raw=raw), 400, "invalidSyntax")


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
    body = assert_error(resp, 500)
    assert body["detail"] == "Internal server error."
    assert b"secret" not in resp.content and b"Traceback" not in resp.content
    assert "secret internals" in caplog.text  # logged server-side
    event = account.provisioning_events.order_by("-id").first()
    assert (event.outcome, event.status, event.method) == ("failure", 500, "GET")


def test_failed_write_is_rolled_back_when_the_response_fails(api, account, monkeypatch):
    def explode(self):
        raise RuntimeError("after the write")

    monkeypatch.setattr(SCIMHost, "to_dict", explode)
    assert_error(api.post("/Users", {"userName": "rolled@acme.test"}), 500)
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
    assert_error(api.post("/Users", body), 400, "invalidValue")
    user = api.create_user("nul@acme.test")
    resp = api.patch(f"/Users/{user['id']}", {"op": "add", "path": "nickName", "value": "\u0000"})
    assert_error(resp, 400, "invalidValue")
    assert account.hosts.count() == 1


def test_nul_in_a_filter_is_400(api):
    from tests.scim.conftest import q

    assert_error(api.get("/Users?" + q('userName eq "a\u0000"')), 400, "invalidFilter")
    assert_error(api.get("/Users?" + q(r'userName eq "a\u0000"')), 400, "invalidFilter")


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deeply_nested_json_is_400(api, depth):
    raw = '{"userName": "deep@acme.test", "x": ' + "[" * depth + "]" * depth + "}"
    assert_error(
        api.post("/Users", raw=raw), 400, ("invalidValue" if depth < 1000 else "invalidSyntax")
    )
