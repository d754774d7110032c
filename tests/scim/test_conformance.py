"""Conformance gaps third-party SCIM suites found, and what RFC 7644 lets a generic client
send: each fixed, over HTTP (docs/scim-conformance.md)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import HostFactory
from tests.scim.conftest import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    SEARCH_REQUEST,
    assert_error,
    assert_list,
    q,
)
from visitor_mgmt.models import Host

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


# ------------------------------------------------------------------ manager reference


def test_manager_on_get_carries_ref_and_display_name(api):
    boss = api.create_user("boss@acme.test", displayName="Barbara Boss")["id"]
    worker = api.create_user("worker@acme.test", **{ENTERPRISE: {"manager": {"value": boss}}})
    ref = f"http://127.0.0.1:8000/scim/v2/Users/{boss}"
    expected = {"value": boss, "$ref": ref, "displayName": "Barbara Boss"}
    assert worker[ENTERPRISE]["manager"] == expected  # the POST answer
    assert api.user(worker["id"])[ENTERPRISE]["manager"] == expected
    listed = api.get("/Users?" + q('userName eq "worker@acme.test"')).json()["Resources"]
    assert listed[0][ENTERPRISE]["manager"] == expected
    # The name is the manager's as it is now, not as it was when the reference was written.
    api.patch(f"/Users/{boss}", {"op": "replace", "path": "displayName", "value": "B. Boss"})
    assert api.user(worker["id"])[ENTERPRISE]["manager"]["displayName"] == "B. Boss"
    # Only what is asked for (RFC 7644 §3.9).
    picked = api.get(f"/Users/{worker['id']}?attributes={ENTERPRISE}:manager.$ref").json()
    assert picked[ENTERPRISE] == {"manager": {"$ref": ref}}


def test_manager_without_display_name_or_not_here_has_value_and_ref(api):
    nameless = api.create_user("nameless@acme.test")["id"]
    unknown = str(uuid.uuid4())
    for manager in (nameless, unknown):
        worker = api.create_user(
            f"w-{manager[:8]}@acme.test", **{ENTERPRISE: {"manager": {"value": manager}}}
        )
        assert api.user(worker["id"])[ENTERPRISE]["manager"] == {
            "value": manager,
            "$ref": f"http://127.0.0.1:8000/scim/v2/Users/{manager}",
        }
    # A manager deleted later: its name is no longer known.
    named = api.create_user("named@acme.test", displayName="Named")["id"]
    worker = api.create_user("w3@acme.test", **{ENTERPRISE: {"manager": named}})["id"]
    api.delete(f"/Users/{named}")
    assert "displayName" not in api.user(worker)[ENTERPRISE]["manager"]


def test_a_page_of_users_reads_every_managers_name_in_one_query(api, account):
    boss = api.create_user("boss@acme.test", displayName="Boss")["id"]
    for i in range(5):
        api.create_user(f"w{i}@acme.test", **{ENTERPRISE: {"manager": boss}})
    with CaptureQueriesContext(connection) as ctx:
        resources = assert_list(api.get("/Users"), total=6)
    # token, page, managers' names (the short page tells the total)
    assert len([x for x in ctx.captured_queries if "SAVEPOINT" not in x["sql"]]) == 3
    managed = [r for r in resources if ENTERPRISE in r and "manager" in r[ENTERPRISE]]
    assert len(managed) == 5
    assert {r[ENTERPRISE]["manager"]["displayName"] for r in managed} == {"Boss"}


# ------------------------------------------------------------------ remove = unassigned


@pytest.mark.parametrize(
    "path,gone",
    [
        ("title", lambda r: "title" not in r),
        ("displayName", lambda r: "displayName" not in r),
        ("externalId", lambda r: "externalId" not in r),
        ("name.givenName", lambda r: r["name"] == {"familyName": "Doe"}),
        (f"{ENTERPRISE}:department", lambda r: ENTERPRISE not in r),
        ("nickName", lambda r: "nickName" not in r),
    ],
)
def test_remove_of_a_single_valued_attribute_leaves_it_unassigned(api, path, gone):
    user = api.create_user(
        "pat@acme.test",
        title="Engineer",
        displayName="Pat Doe",
        externalId="pat-1",
        nickName="Pat",
        name={"givenName": "Pat", "familyName": "Doe"},
        **{ENTERPRISE: {"department": "Ops"}},
    )
    resp = api.patch(f"/Users/{user['id']}", {"op": "remove", "path": path})
    assert resp.status_code == 200, resp.content
    assert gone(resp.json()), resp.json()
    assert gone(api.user(user["id"]))


def test_remove_active_leaves_it_unassigned_and_the_host_active(api):
    user = api.create_user("off@acme.test", active=False)
    resp = api.patch(f"/Users/{user['id']}", {"op": "remove", "path": "active"})
    assert resp.status_code == 200, resp.content
    assert "active" not in resp.json()
    assert "active" not in api.user(user["id"])
    assert Host.objects.get(public_id=user["id"]).is_active is True  # at the kiosk again
    # Filters see what GET shows: an unassigned value equals neither true nor false.
    for expression in ("active eq true", "active eq false", "active pr"):
        assert_list(api.get("/Users?" + q(expression)), total=0)
    assert_list(api.get("/Users?" + q("not (active pr)")), total=1)
    assert_list(api.get("/Users?" + q("active ne true")), total=1)
    # Assigned again by the next write that sends it.
    resp = api.patch(f"/Users/{user['id']}", {"op": "replace", "path": "active", "value": False})
    assert resp.json()["active"] is False
    assert_list(api.get("/Users?" + q("active eq false")), total=1)


def test_replace_active_with_null_is_a_remove(api):
    user = api.create_user("null@acme.test")
    resp = api.patch(f"/Users/{user['id']}", {"op": "replace", "value": {"active": None}})
    assert "active" not in resp.json()


def test_a_whole_user_without_active_is_active(api):
    """POST and PUT send the whole resource: the server's default for "active" is true."""
    user = api.create_user("new@acme.test")
    assert user["active"] is True
    api.patch(f"/Users/{user['id']}", {"op": "replace", "path": "active", "value": False})
    put = api.put(f"/Users/{user['id']}", {"schemas": [CORE_USER], "userName": "new@acme.test"})
    assert put.json()["active"] is True
    assert Host.objects.get(public_id=user["id"]).is_active is True


def test_a_host_written_by_hand_shows_and_filters_by_its_column(api, account):
    HostFactory(account=account, email="hand@acme.test", is_active=False)
    (found,) = assert_list(api.get("/Users?" + q("active eq false")), total=1)
    assert found["active"] is False
