"""Conformance gaps third-party SCIM suites found, and what RFC 7644 lets a generic client
send: each fixed, over HTTP (docs/scim-conformance.md)."""

import pytest

from tests.scim.conftest import (
    CORE_GROUP,
    CORE_USER,
    SEARCH_REQUEST,
    assert_error,
    assert_list,
    q,
)

# ------------------------------------------------------------------ endpoint letter case


@pytest.mark.parametrize("users", ["users", "USERS", "uSeRs"])
def test_users_endpoint_answers_in_any_letter_case(api, users):
    created = api.post(f"/{users}", {"schemas": [CORE_USER], "userName": "case@acme.test"})
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    assert created["Location"].endswith(f"/scim/v2/Users/{user_id}")  # canonical spelling
    assert api.get(f"/{users}/{user_id}").json()["userName"] == "case@acme.test"
    (found,) = assert_list(api.get(f"/{users}?" + q('userName eq "case@acme.test"')), total=1)
    assert found["id"] == user_id
    search = api.post(f"/{users}/.search", {"schemas": [SEARCH_REQUEST], "filter": "userName pr"})
    assert_list(search, total=1)
    patched = api.patch(f"/{users}/{user_id}", {"op": "replace", "path": "title", "value": "CTO"})
    assert patched.status_code == 200 and patched.json()["title"] == "CTO"
    put = api.put(f"/{users}/{user_id}", {"schemas": [CORE_USER], "userName": "case@acme.test"})
    assert put.status_code == 200, put.content
    assert api.delete(f"/{users}/{user_id}").status_code == 204
    assert_error(api.get(f"/{users}/{user_id}"), 404)


@pytest.mark.parametrize("groups", ["groups", "GROUPS"])
def test_groups_endpoint_answers_in_any_letter_case(api, groups):
    created = api.post(f"/{groups}", {"schemas": [CORE_GROUP], "displayName": "Lobby"})
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    assert created["Location"].endswith(f"/scim/v2/Groups/{group_id}")
    assert api.get(f"/{groups}/{group_id}").json()["displayName"] == "Lobby"
    assert_list(api.get(f"/{groups}?" + q('displayName eq "lobby"')), total=1)
    assert_list(api.post(f"/{groups}/.search", {"schemas": [SEARCH_REQUEST]}), total=1)
    renamed = api.patch(
        f"/{groups}/{group_id}", {"op": "replace", "path": "displayName", "value": "Hall"}
    )
    assert renamed.status_code == 204
    assert api.delete(f"/{groups}/{group_id}").status_code == 204


def test_lower_case_endpoints_are_still_authenticated_and_scoped(api, other_api):
    user_id = api.create_user("mine@acme.test")["id"]
    assert_error(api.get("/users", token=None), 401)
    assert_error(other_api.get(f"/users/{user_id}"), 404)
    assert_error(api.get("/userz"), 404)
