"""Conformance gaps third-party SCIM suites found, and what RFC 7644 lets a generic client
send: each fixed, over HTTP (docs/scim-conformance.md)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import HostFactory
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    SEARCH_REQUEST,
    assert_list_response,
    assert_scim_error,
    filter_qs,
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
    (found,) = assert_list_response(
        api.get(f"/{users}?" + filter_qs('userName eq "case@acme.test"')), total=1
    )
    assert found["id"] == user_id
    search = api.post(f"/{users}/.search", {"schemas": [SEARCH_REQUEST], "filter": "userName pr"})
    assert_list_response(search, total=1)
    patched = api.patch_ops(
        f"/{users}/{user_id}", {"op": "replace", "path": "title", "value": "CTO"}
    )
    assert patched.status_code == 200 and patched.json()["title"] == "CTO"
    put = api.put(f"/{users}/{user_id}", {"schemas": [CORE_USER], "userName": "case@acme.test"})
    assert put.status_code == 200, put.content
    assert api.delete(f"/{users}/{user_id}").status_code == 204
    assert_scim_error(api.get(f"/{users}/{user_id}"), 404)


@pytest.mark.parametrize("groups", ["groups", "GROUPS"])
def test_groups_endpoint_answers_in_any_letter_case(api, groups):
    created = api.post(f"/{groups}", {"schemas": [CORE_GROUP], "displayName": "Lobby"})
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    assert created["Location"].endswith(f"/scim/v2/Groups/{group_id}")
    assert api.get(f"/{groups}/{group_id}").json()["displayName"] == "Lobby"
    assert_list_response(api.get(f"/{groups}?" + filter_qs('displayName eq "lobby"')), total=1)
    assert_list_response(api.post(f"/{groups}/.search", {"schemas": [SEARCH_REQUEST]}), total=1)
    renamed = api.patch_ops(
        f"/{groups}/{group_id}", {"op": "replace", "path": "displayName", "value": "Hall"}
    )
    assert renamed.status_code == 204
    assert api.delete(f"/{groups}/{group_id}").status_code == 204


def test_lower_case_endpoints_are_still_authenticated_and_scoped(api, other_api):
    user_id = api.create_user("mine@acme.test")["id"]
    assert_scim_error(api.get("/users", token=None), 401)
    assert_scim_error(other_api.get(f"/users/{user_id}"), 404)
    assert_scim_error(api.get("/userz"), 404)


# ------------------------------------------------------------------ manager reference


def test_manager_on_get_carries_ref_and_display_name(api):
    boss = api.create_user("boss@acme.test", displayName="Barbara Boss")["id"]
    worker = api.create_user("worker@acme.test", **{ENTERPRISE: {"manager": {"value": boss}}})
    ref = f"http://127.0.0.1:8000/scim/v2/Users/{boss}"
    expected = {"value": boss, "$ref": ref, "displayName": "Barbara Boss"}
    assert worker[ENTERPRISE]["manager"] == expected  # the POST answer
    assert api.user(worker["id"])[ENTERPRISE]["manager"] == expected
    listed = api.get("/Users?" + filter_qs('userName eq "worker@acme.test"')).json()["Resources"]
    assert listed[0][ENTERPRISE]["manager"] == expected
    # The name is the manager's as it is now, not as it was when the reference was written.
    api.patch_ops(f"/Users/{boss}", {"op": "replace", "path": "displayName", "value": "B. Boss"})
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
        resources = assert_list_response(api.get("/Users"), total=6)
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
    resp = api.patch_ops(f"/Users/{user['id']}", {"op": "remove", "path": path})
    assert resp.status_code == 200, resp.content
    assert gone(resp.json()), resp.json()
    assert gone(api.user(user["id"]))


def test_remove_active_leaves_it_unassigned_and_the_host_active(api):
    user = api.create_user("off@acme.test", active=False)
    resp = api.patch_ops(f"/Users/{user['id']}", {"op": "remove", "path": "active"})
    assert resp.status_code == 200, resp.content
    assert "active" not in resp.json()
    assert "active" not in api.user(user["id"])
    assert Host.objects.get(public_id=user["id"]).is_active is True  # at the kiosk again
    # Filters see what GET shows: an unassigned value equals neither true nor false.
    for expression in ("active eq true", "active eq false", "active pr"):
        assert_list_response(api.get("/Users?" + filter_qs(expression)), total=0)
    assert_list_response(api.get("/Users?" + filter_qs("not (active pr)")), total=1)
    assert_list_response(api.get("/Users?" + filter_qs("active ne true")), total=1)
    # Assigned again by the next write that sends it.
    resp = api.patch_ops(
        f"/Users/{user['id']}", {"op": "replace", "path": "active", "value": False}
    )
    assert resp.json()["active"] is False
    assert_list_response(api.get("/Users?" + filter_qs("active eq false")), total=1)


def test_replace_active_with_null_is_a_remove(api):
    user = api.create_user("null@acme.test")
    resp = api.patch_ops(f"/Users/{user['id']}", {"op": "replace", "value": {"active": None}})
    assert "active" not in resp.json()


def test_a_whole_user_without_active_is_active(api):
    """POST and PUT send the whole resource: the server's default for "active" is true."""
    user = api.create_user("new@acme.test")
    assert user["active"] is True
    api.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "active", "value": False})
    put = api.put(f"/Users/{user['id']}", {"schemas": [CORE_USER], "userName": "new@acme.test"})
    assert put.json()["active"] is True
    assert Host.objects.get(public_id=user["id"]).is_active is True


def test_a_host_written_by_hand_shows_and_filters_by_its_column(api, account):
    HostFactory(account=account, email="hand@acme.test", is_active=False)
    (found,) = assert_list_response(api.get("/Users?" + filter_qs("active eq false")), total=1)
    assert found["active"] is False


# ------------------------------------------------------------------ multi-valued filters


@pytest.fixture
def crowd(api, account):
    """Users whose later e-mails and phone numbers no mapped column keeps; {name: id}."""
    many = api.create_user(
        "many@acme.test",
        emails=[
            {"type": "work", "value": "many@acme.test", "primary": True},
            {"type": "other", "value": "many@other.test"},
            {"type": "home", "value": "Many@Home.example.org"},
            {"type": "work", "value": "second.work@branch.example.org"},
            {"type": "other", "value": "third.other@else.test"},
        ],
        phoneNumbers=[
            {"type": "mobile", "value": "+1 555 0100"},
            {"type": "work", "value": "+1 555 0200"},
            {"type": "fax", "value": "+1 555 0300"},
            {"type": "mobile", "value": "+44 20 7946 0000"},
        ],
    )["id"]
    plain = api.create_user(
        "plain@acme.test", emails=[{"type": "work", "value": "plain@acme.test"}]
    )["id"]
    hand = HostFactory(
        account=account,
        email="hand@acme.test",
        alternate_email="hand.other@example.org",
        mobile="+1 555 0999",
        alternate_mobile="",
    )
    return {"many": many, "plain": plain, "hand": str(hand.public_id)}


MULTI_VALUED_FILTERS = {
    # Values past the first work and first other e-mail (no column holds them).
    'emails.value eq "many@home.example.org"': {"many"},
    'emails.value eq "SECOND.WORK@branch.example.org"': {"many"},
    'emails eq "third.other@else.test"': {"many"},
    'emails.value co "example.org"': {"many", "hand"},
    'emails.value ew ".TEST"': {"many", "plain", "hand"},
    'emails.value sw "third"': {"many"},
    'emails.value co "%"': set(),  # LIKE wildcards are plain characters here
    'emails.value co "_"': set(),
    r'emails.value co "\\"': set(),  # a backslash (escaped in the filter's string)
    'emails[type eq "work"].value eq "second.work@branch.example.org"': {"many"},
    'emails[type eq "WORK"].value co "branch"': {"many"},
    'emails[type eq "other"].value eq "third.other@else.test"': {"many"},
    'emails[type eq "other"].value co "example.org"': {"hand"},
    'emails[type eq "home"].value co "home"': {"many"},
    'emails[type eq "work"].value eq "many@home.example.org"': set(),  # a home address
    'emails[type eq "work" and value co "branch"]': {"many"},
    'emails[type eq "home" or value eq "plain@acme.test"]': {"many", "plain"},
    'emails[not (type eq "work")]': {"many", "hand"},
    "emails[primary eq true]": {"many", "hand"},  # a hand-written host's e-mail is primary
    'emails[primary eq true].value eq "second.work@branch.example.org"': set(),
    "emails pr": {"many", "plain", "hand"},
    'emails.value ne "third.other@else.test"': {"plain", "hand"},  # no value equals it
    'phoneNumbers.value eq "+44 20 7946 0000"': {"many"},
    'phoneNumbers.value co "0300"': {"many"},
    'phoneNumbers[type eq "mobile"].value sw "+44"': {"many"},
    'phoneNumbers[type eq "fax"].value pr': {"many"},
    'phoneNumbers[type eq "mobile"].value eq "+1 555 0999"': {"hand"},
    'phoneNumbers[type eq "work"]': {"many"},  # the hand-written host has no work number
    'phoneNumbers pr and emails.value co "home"': {"many"},
    'not (emails.value co "example.org")': {"plain"},
    'userName eq "plain@acme.test" or phoneNumbers.value co "0200"': {"many", "plain"},
}


@pytest.mark.parametrize(
    "expression,expected",
    MULTI_VALUED_FILTERS.items(),
    ids=[k.replace("\\", "backslash") for k in MULTI_VALUED_FILTERS],
)
def test_a_filter_on_a_multi_valued_attribute_matches_any_value(api, crowd, expression, expected):
    found = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(expected))
    assert {r["id"] for r in found} == {crowd[name] for name in expected}


def test_every_value_get_shows_is_found_by_the_filter(api, crowd):
    """No value GET returns is missed: each e-mail and phone number finds its user."""
    for user_id in crowd.values():
        resource = api.user(user_id)
        for attr in ("emails", "phoneNumbers"):
            for element in resource.get(attr, []):
                for expression in (
                    f'{attr}.value eq "{element["value"].upper()}"',
                    f'{attr}[type eq "{element["type"]}"].value eq "{element["value"]}"',
                    f'{attr}[value co "{element["value"][1:-1]}"]',
                ):
                    found = api.get("/Users?" + filter_qs(expression)).json()["Resources"]
                    assert user_id in {r["id"] for r in found}, (expression, resource)


def test_multi_valued_filters_follow_patches_and_search(api, crowd):
    many = crowd["many"]
    api.patch_ops(
        f"/Users/{many}",
        {"op": "add", "path": "emails", "value": [{"type": "work", "value": "late@new.test"}]},
    )
    # An "add" of a typed value updates the value of that type (schema.py: unique_type).
    (found,) = assert_list_response(
        api.get("/Users?" + filter_qs('emails.value eq "late@new.test"')), total=1
    )
    assert found["id"] == many
    api.patch_ops(f"/Users/{many}", {"op": "remove", "path": 'emails[type eq "home"]'})
    assert_list_response(
        api.get("/Users?" + filter_qs('emails.value eq "many@home.example.org"')), total=0
    )
    body = {"schemas": [SEARCH_REQUEST], "filter": 'phoneNumbers.value co "7946"'}
    (found,) = assert_list_response(api.post("/Users/.search", body), total=1)
    assert found["id"] == many


# ------------------------------------------------------------------ generic RFC 7644 clients


def test_put_of_the_resource_exactly_as_get_returned_it(api):
    """A generic client GETs, edits and PUTs back the whole body: id, meta, schemas, the
    manager's $ref and displayName, read-only member names are all accepted."""
    boss = api.create_user("boss@acme.test", displayName="Boss")["id"]
    user = api.create_user(
        "pat@acme.test",
        emails=[{"type": "work", "value": "pat@acme.test"}],
        **{ENTERPRISE: {"manager": boss, "department": "Ops"}},
    )
    body = api.user(user["id"])
    body["title"] = "Lead"
    resp = api.put(f"/Users/{user['id']}", body)
    assert resp.status_code == 200, resp.content
    assert resp.json() == {**body, "meta": resp.json()["meta"]}
    group = api.create_group("Desk", members=[{"value": user["id"]}])
    body = api.get(f"/Groups/{group['id']}").json()
    assert body["members"][0]["display"]  # the server's read-only name goes back in the PUT
    body["displayName"] = "Front desk"
    resp = api.put(f"/Groups/{group['id']}", body)
    assert resp.status_code == 200, resp.content
    assert resp.json()["displayName"] == "Front desk"
    assert resp.json()["members"] == body["members"]


@pytest.mark.parametrize("param", ["attributes=displayName", "excludedAttributes=members"])
def test_group_patch_that_asks_for_attributes_answers_200_with_them(api, param):
    """RFC 7644 §3.5.2: the server MUST answer 200 with the resource when the PATCH names
    the attributes it wants (without them, a group PATCH stays 204, as Entra expects)."""
    user = api.create_user("m@acme.test")["id"]
    group = api.create_group("Desk")["id"]
    add = {"op": "add", "path": "members", "value": [{"value": user}]}
    resp = api.patch_ops(f"/Groups/{group}?{param}", add)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["id"] == group and body["displayName"] == "Desk"
    assert "members" not in body
    assert resp["Location"].endswith(f"/scim/v2/Groups/{group}")
    resp = api.patch_ops(f"/Groups/{group}?attributes=members", {"op": "remove", "path": "members"})
    assert resp.status_code == 200
    assert resp.json()["members"] == []  # none left (RFC 7643 §2.5: same as unassigned)
    assert api.patch_ops(f"/Groups/{group}", add).status_code == 204


def test_attributes_select_what_post_put_and_patch_return(api):
    created = api.post(
        "/Users?attributes=userName,emails.value",
        {
            "schemas": [CORE_USER],
            "userName": "sel@acme.test",
            "title": "CTO",
            "emails": [{"type": "work", "value": "sel@acme.test"}],
        },
    )
    assert created.status_code == 201
    user_id = created.json()["id"]
    assert created.json() == {
        "schemas": [CORE_USER],
        "id": user_id,
        "userName": "sel@acme.test",
        "emails": [{"value": "sel@acme.test"}],
    }
    put = api.put(
        f"/Users/{user_id}?excludedAttributes=meta,emails",
        {"schemas": [CORE_USER], "userName": "sel@acme.test", "title": "CEO"},
    )
    assert put.json() == {
        "schemas": [CORE_USER],
        "id": user_id,
        "userName": "sel@acme.test",
        "title": "CEO",
        "active": True,
    }
    patched = api.patch_ops(
        f"/Users/{user_id}?attributes=title", {"op": "replace", "path": "title", "value": "CFO"}
    )
    assert patched.json() == {"schemas": [CORE_USER], "id": user_id, "title": "CFO"}
    group = api.post(
        "/Groups?attributes=displayName", {"schemas": [CORE_GROUP], "displayName": "Sel"}
    )
    assert group.json() == {"schemas": [CORE_GROUP], "id": group.json()["id"], "displayName": "Sel"}


def test_groups_filter_by_resource_type(api):
    api.create_group("Desk")
    assert_list_response(api.get("/Groups?" + filter_qs('meta.resourceType eq "Group"')), total=1)
    assert_list_response(api.get("/Groups?" + filter_qs('meta.resourceType ne "Group"')), total=0)
    assert_scim_error(
        api.get("/Groups?" + filter_qs('meta.resourceType co "G"')), 400, "invalidFilter"
    )


def test_replace_of_a_member_selected_by_a_filter(api):
    """RFC 7644 §3.5.2.3: replace members[value eq "a"] with b; no match is 400 noTarget."""
    a, b, c = (api.create_user(f"{n}@acme.test")["id"] for n in "abc")
    group = api.create_group("Desk", members=[{"value": a}, {"value": c}])["id"]
    swap = {"op": "replace", "path": f'members[value eq "{a}"]', "value": [{"value": b}]}
    assert api.patch_ops(f"/Groups/{group}", swap).status_code == 204
    assert api.members(group) == {b, c}
    # a is no member any more: nothing matches, and nothing of the request is written.
    again = {"op": "replace", "path": f'members[value eq "{a}"]', "value": {"value": a}}
    add = {"op": "add", "path": "members", "value": [{"value": a}]}
    assert_scim_error(api.patch_ops(f"/Groups/{group}", again, add), 400, "noTarget")
    assert api.members(group) == {b, c}
    # A member added earlier in the same request is matched.
    resp = api.patch_ops(
        f"/Groups/{group}",
        add,
        {"op": "replace", "path": f'members[value eq "{a}" or value eq "{c}"]', "value": []},
    )
    assert resp.status_code == 204
    assert api.members(group) == {b}
    assert_scim_error(
        api.patch_ops(f"/Groups/{group}", {"op": "add", "path": f'members[value eq "{b}"]'}),
        400,
        "invalidPath",
    )


# ------------------------------------------------------------------ attributes only stored


@pytest.fixture
def stored(api, account):
    """Users with attributes no column holds, and a host written by hand; {name: id}."""
    nick = api.create_user(
        "nick@acme.test",
        nickName="Nicky",
        locale="en-GB",
        name={"givenName": "Nick", "middleName": "Quentin", "formatted": "Nick Q. Smith"},
        **{ENTERPRISE: {"costCenter": "CC-7", "employeeNumber": "E-42"}},
    )["id"]
    bare = api.create_user("bare@acme.test", userType="Contractor")["id"]
    hand = str(HostFactory(account=account, email="hand@acme.test").public_id)
    return {"nick": nick, "bare": bare, "hand": hand}


STORED_FILTERS = {
    'nickName eq "nicky"': {"nick"},
    'nickName ne "Nicky"': {"bare", "hand"},
    "nickName pr": {"nick"},
    "not (nickName pr)": {"bare", "hand"},
    'locale sw "en"': {"nick"},
    'userType eq "contractor"': {"bare"},
    'name.middleName co "quent"': {"nick"},
    'name.formatted ew "smith"': {"nick"},
    'costCenter eq "CC-7"': {"nick"},
    f'{ENTERPRISE}:employeeNumber eq "e-42"': {"nick"},
    'userName sw "nick" and locale eq "en-GB"': {"nick"},
    'userName eq "bare@acme.test" or nickName eq "Nicky"': {"nick", "bare"},
    'meta.resourceType eq "User"': {"nick", "bare", "hand"},
    'meta.resourceType eq "Group" or nickName pr': {"nick"},
}


@pytest.mark.parametrize("expression,expected", STORED_FILTERS.items(), ids=STORED_FILTERS.keys())
def test_a_filter_on_an_attribute_only_the_document_keeps(api, stored, expression, expected):
    """Any readWrite string attribute a generic client sends is searchable as GET shows it."""
    found = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(expected))
    assert {r["id"] for r in found} == {stored[name] for name in expected}
