"""``attributes`` / ``excludedAttributes`` are bounded: one request cannot make the service
apply thousands of paths to every resource of a page (issue 14: 20,000 paths held a worker
for 30 s). Over HTTP, on GET and on POST /.search."""

from urllib.parse import urlencode

import pytest

from scim_hosts.protocol import projection as adapters
from scim_hosts.protocol.patch import MAX_OPERATIONS
from scim_hosts.protocol.projection import MAX_SELECTED_PATHS
from tests.scim.support import assert_scim_error

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
# 20,000 distinct paths, about 430 KB: what the attacker sent (under the body limit).
MANY_PATHS = [f"emails{n:05d}.value" for n in range(20_000)]


@pytest.fixture
def users(api):
    return [api.create_user(f"user{n}@acme.test", displayName=f"User {n}") for n in range(3)]


@pytest.fixture
def parse_calls(monkeypatch):
    """How many paths the selection parses (the real parser runs; the calls are counted)."""
    calls = []
    real = adapters.parse_path

    def counting(text, schema):
        calls.append(text)
        return real(text, schema)

    monkeypatch.setattr(adapters, "parse_path", counting)
    return calls


@pytest.mark.parametrize("param", ["attributes", "excludedAttributes"])
def test_get_with_too_many_paths_is_a_400(api, users, param, parse_calls):
    resp = api.get("/Users?" + urlencode({param: ",".join(MANY_PATHS[:5000])}))
    body = assert_scim_error(resp, 400, "invalidValue")
    assert param in body["detail"] and str(MAX_SELECTED_PATHS) in body["detail"]
    assert parse_calls == []  # refused before any path was looked at


@pytest.mark.parametrize("param", ["attributes", "excludedAttributes"])
def test_search_with_too_many_paths_is_a_400(api, users, param, parse_calls):
    resp = api.post("/Users/.search", {"schemas": [SEARCH], param: MANY_PATHS})
    body = assert_scim_error(resp, 400, "invalidValue")
    assert param in body["detail"]
    assert parse_calls == []


def test_search_with_a_comma_separated_string_is_capped_too(api, users):
    resp = api.post(
        "/Groups/.search", {"schemas": [SEARCH], "attributes": ",".join(MANY_PATHS[:100])}
    )
    assert_scim_error(resp, 400, "invalidValue")


def test_repeated_paths_count_once_and_are_applied_once(api, users, parse_calls):
    """20,000 copies of two paths (any case) are two paths: the answer is the same as for
    the two, and only two are parsed."""
    repeated = ["userName", "USERNAME", "displayName"] * 6_667
    resp = api.post("/Users/.search", {"schemas": [SEARCH], "attributes": repeated})
    assert resp.status_code == 200, resp.content
    plain = api.post(
        "/Users/.search", {"schemas": [SEARCH], "attributes": ["userName", "displayName"]}
    )
    assert resp.json() == plain.json()
    resources = resp.json()["Resources"]
    assert len(resources) == 3
    assert {tuple(sorted(r)) for r in resources} == {("displayName", "id", "schemas", "userName")}
    assert len(parse_calls) == 4  # two distinct paths, in each of the two requests


def test_up_to_the_cap_works(api, users):
    names = ["userName", "displayName", "emails.value", "name.givenName"] + [
        f"x{n}" for n in range(MAX_SELECTED_PATHS - 4)
    ]
    resp = api.get("/Users?" + urlencode({"excludedAttributes": ",".join(names)}))
    assert resp.status_code == 200, resp.content
    for resource in resp.json()["Resources"]:
        assert "displayName" not in resource and "id" in resource
    resp = api.get("/Users?" + urlencode({"attributes": ",".join(names + ["extra"])}))
    assert_scim_error(resp, 400, "invalidValue")


# ------------------------------------------------------------------ PATCH operations


def test_patch_with_more_operations_than_the_cap_is_a_400_and_changes_nothing(api, users):
    user = users[0]
    rename = {"op": "replace", "path": "displayName", "value": "Renamed"}
    resp = api.patch_ops(f"/Users/{user['id']}", *[rename] * (MAX_OPERATIONS + 1))
    assert "1000 operations" in assert_scim_error(resp, 400, "invalidValue")["detail"]
    assert api.user(user["id"])["displayName"] == user["displayName"]
    resp = api.patch_ops(f"/Users/{user['id']}", *[rename] * MAX_OPERATIONS)
    assert resp.status_code == 200, resp.content
    assert api.user(user["id"])["displayName"] == "Renamed"


def test_group_patch_with_too_many_operations_is_a_400(api, users):
    group = api.create_group("Team")
    add = {"op": "add", "path": "members", "value": [{"value": users[0]["id"]}]}
    resp = api.patch_ops(f"/Groups/{group['id']}", *[add] * (MAX_OPERATIONS + 1))
    assert_scim_error(resp, 400, "invalidValue")
    assert api.members(group["id"]) == set()
