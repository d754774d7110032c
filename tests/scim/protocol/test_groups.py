"""Groups ⇄ HostGroups: create, rename, members in every Entra shape, delete."""

import uuid

import pytest

from tests.factories import HostGroupFactory
from tests.scim.support import (
    CORE_GROUP,
    PATCH_OP,
    SCIM_JSON,
    assert_list_response,
    assert_scim_error,
    filter_qs,
)
from visitor_mgmt.models import HostGroup, HostGroupMembership, Source

ADSCIM = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"


@pytest.fixture
def users(api):
    return [api.create_user(f"u{i}@acme.test", displayName=f"User {i}")["id"] for i in range(5)]


@pytest.fixture
def group(api):
    return api.create_group("Team", externalId="ext-team")["id"]


def patch_group(api, group_id, *ops, status=204):
    resp = api.patch_ops(f"/Groups/{group_id}", *ops)
    assert resp.status_code == status, resp.content
    if status == 204:
        assert resp.content == b""
    return resp


def test_create_with_the_adscim_urn_returns_the_whole_group(api, account):
    body = {
        "schemas": [CORE_GROUP, ADSCIM],
        "externalId": "8aa1a0c0",
        "displayName": "Eng",
        "meta": {"resourceType": "Group"},
    }
    resp = api.post("/Groups", body)
    assert resp.status_code == 201
    assert resp["Content-Type"] == SCIM_JSON
    created = resp.json()
    group_id = created["id"]
    location = f"http://127.0.0.1:8000/scim/v2/Groups/{group_id}"
    assert resp["Location"] == location
    meta = created.pop("meta")
    assert meta["resourceType"] == "Group" and meta["location"] == location
    assert created == {
        "schemas": [CORE_GROUP],
        "id": group_id,
        "displayName": "Eng",
        "externalId": "8aa1a0c0",
        "members": [],
    }
    group = HostGroup.objects.get(public_id=group_id)
    assert (group.account, group.name, group.external_id, group.source) == (
        account,
        "Eng",
        "8aa1a0c0",
        Source.DIRECTORY,
    )


def test_create_with_members(api, users):
    resp = api.post("/Groups", {"displayName": "With", "members": [{"value": users[0]}]})
    assert resp.status_code == 201
    assert [m["value"] for m in resp.json()["members"]] == [users[0]]
    assert_scim_error(
        api.post("/Groups", {"displayName": "Bad", "members": [{"value": str(uuid.uuid4())}]}),
        400,
        "invalidValue",
    )
    assert not HostGroup.objects.filter(name="Bad").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"displayName": ""},
        {"displayName": "  "},
        {"displayName": 3},
        {"displayName": "x" * 256},
        {"displayName": "ok", "externalId": 5},
        {"externalId": "no-name"},
    ],
)
def test_invalid_group_is_400(api, body):
    assert_scim_error(api.post("/Groups", body), 400, "invalidValue")


def test_empty_group_body_is_400(api):
    assert_scim_error(api.post("/Groups", {}), 400)


@pytest.mark.parametrize("variant", ["team", "TEAM", "Team"])
def test_duplicate_name_any_case_is_409(api, group, variant):
    assert_scim_error(api.post("/Groups", {"displayName": variant}), 409, "uniqueness")


def test_get_lists_members_with_display_and_ref(api, group, users):
    patch_group(
        api,
        group,
        {
            "op": "Add",
            "path": "members",
            "value": [{"$ref": None, "value": users[0]}, {"value": users[1]}],
        },
    )
    body = api.get(f"/Groups/{group}").json()
    assert body["members"] == [
        {
            "value": users[0],
            "$ref": f"http://127.0.0.1:8000/scim/v2/Users/{users[0]}",
            "display": "User 0",
        },
        {
            "value": users[1],
            "$ref": f"http://127.0.0.1:8000/scim/v2/Users/{users[1]}",
            "display": "User 1",
        },
    ]


def test_excluded_members_on_get_list_and_filter(api, group, users):
    patch_group(api, group, {"op": "add", "path": "members", "value": [{"value": users[0]}]})
    assert "members" not in api.get(f"/Groups/{group}?excludedAttributes=members").json()
    (listed,) = assert_list_response(api.get("/Groups?excludedAttributes=members"), total=1)
    assert "members" not in listed
    (found,) = assert_list_response(
        api.get("/Groups?excludedAttributes=members&" + filter_qs('displayName eq "team"')), total=1
    )
    assert set(found) == {"schemas", "id", "displayName", "externalId", "meta"}
    (found,) = assert_list_response(api.get("/Groups?attributes=displayName"), total=1)
    assert found == {"schemas": [CORE_GROUP], "id": group, "displayName": "Team"}
    (found,) = assert_list_response(api.get("/Groups"), total=1)
    assert [m["value"] for m in found["members"]] == [users[0]]
    # Excluding another attribute, or a sub-attribute of members, keeps the members (§3.9).
    body = api.get(f"/Groups/{group}?excludedAttributes=displayName").json()
    assert "displayName" not in body and [m["value"] for m in body["members"]] == [users[0]]
    body = api.get(f"/Groups/{group}?excludedAttributes=members.display").json()
    assert [set(m) for m in body["members"]] == [{"value", "$ref"}]


def member_set(api, group_id):
    return api.members(group_id)


# Each case: operations (with U0..U4 placeholders), starting members, resulting members.
MEMBER_CASES = {
    "TUT add with $ref null": (
        [{"op": "Add", "path": "members", "value": [{"$ref": None, "value": "U0"}]}],
        [],
        ["U0"],
    ),
    "flag add without $ref": (
        [{"op": "add", "path": "members", "value": [{"value": "U0"}, {"value": "U1"}]}],
        [],
        ["U0", "U1"],
    ),
    "add a single object instead of a list": (
        [{"op": "add", "path": "members", "value": {"value": "U2"}}],
        ["U0"],
        ["U0", "U2"],
    ),
    "re-adding a member is a no-op": (
        [{"op": "Add", "path": "members", "value": [{"value": "U0"}]}],
        ["U0"],
        ["U0"],
    ),
    "default-mode remove with value list": (
        [{"op": "Remove", "path": "members", "value": [{"$ref": None, "value": "U0"}]}],
        ["U0", "U1", "U2"],
        ["U1", "U2"],
    ),
    "remove several in one value list": (
        [{"op": "remove", "path": "members", "value": [{"value": "U0"}, {"value": "U2"}]}],
        ["U0", "U1", "U2"],
        ["U1"],
    ),
    "flag remove members[value eq x]": (
        [{"op": "remove", "path": 'members[value eq "U1"]'}],
        ["U0", "U1", "U2"],
        ["U0", "U2"],
    ),
    "remove members[value eq x or value eq y]": (
        [{"op": "remove", "path": 'members[value eq "U1" or value eq "U2"]'}],
        ["U0", "U1", "U2"],
        ["U0"],
    ),
    "removing a non-member is a no-op": (
        [
            {"op": "Remove", "path": "members", "value": [{"value": "U3"}]},
            {"op": "remove", "path": 'members[value eq "U4"]'},
        ],
        ["U0"],
        ["U0"],
    ),
    "removing an unknown id is a no-op": (
        [
            {"op": "remove", "path": 'members[value eq "8f1f7e0e-0000-4000-8000-000000000000"]'},
            {"op": "remove", "path": 'members[value eq "not-a-uuid"]'},
        ],
        ["U0"],
        ["U0"],
    ),
    "validator replace members sets exactly that list": (
        [{"op": "replace", "path": "members", "value": [{"value": "U2"}, {"value": "U3"}]}],
        ["U0", "U1", "U2"],
        ["U2", "U3"],
    ),
    "remove members without value removes all (RFC 7644)": (
        [{"op": "remove", "path": "members"}],
        ["U0", "U1"],
        [],
    ),
    "add then remove in one PATCH nets out": (
        [
            {"op": "add", "path": "members", "value": [{"value": "U3"}]},
            {"op": "remove", "path": 'members[value eq "U3"]'},
        ],
        ["U0"],
        ["U0"],
    ),
    "remove then add in one PATCH keeps the member": (
        [
            {"op": "remove", "path": 'members[value eq "U0"]'},
            {"op": "add", "path": "members", "value": [{"value": "U0"}]},
        ],
        ["U0"],
        ["U0"],
    ),
    "replace then add": (
        [
            {"op": "replace", "path": "members", "value": [{"value": "U1"}]},
            {"op": "add", "path": "members", "value": [{"value": "U2"}]},
        ],
        ["U0"],
        ["U1", "U2"],
    ),
    "path-less add members": (
        [{"op": "add", "value": {"members": [{"value": "U4"}]}}],
        ["U0"],
        ["U0", "U4"],
    ),
    "member ids are case-insensitive UUIDs": (
        [{"op": "add", "path": "members", "value": [{"value": "U1upper"}]}],
        [],
        ["U1"],
    ),
}


@pytest.mark.parametrize("ops,start,end", MEMBER_CASES.values(), ids=MEMBER_CASES.keys())
def test_membership_shapes(api, group, users, ops, start, end):
    def sub(text):
        for i, user_id in enumerate(users):
            text = text.replace(f"U{i}upper", user_id.upper()).replace(f"U{i}", user_id)
        return text

    import json

    if start:
        patch_group(
            api,
            group,
            {"op": "add", "path": "members", "value": [{"value": sub(u)} for u in start]},
        )
    ops = json.loads(sub(json.dumps(ops)))
    patch_group(api, group, *ops)
    assert member_set(api, group) == {sub(u) for u in end}


def test_many_members_in_one_op(api, account, group):
    from tests.factories import DirectoryHostFactory

    hosts = DirectoryHostFactory.create_batch(200, account=account)
    value = [{"value": str(h.public_id)} for h in hosts]
    patch_group(api, group, {"op": "Add", "path": "members", "value": value})
    assert HostGroupMembership.objects.filter(group__public_id=group).count() == 200


def test_a_group_is_created_with_more_members_than_other_attributes_may_hold(api, account):
    """RFC 7644 §3.3: the 100-value cap on a multi-valued attribute (a safeguard on what a
    stored document holds) is not for members, which are rows, not document values."""
    from tests.factories import DirectoryHostFactory

    hosts = DirectoryHostFactory.create_batch(101, account=account)
    members = [{"value": str(h.public_id)} for h in hosts]
    resp = api.post("/Groups", {"displayName": "Everyone", "members": members})
    assert resp.status_code == 201, resp.content
    assert len(resp.json()["members"]) == 101


MEMBER_ERRORS = {
    "unknown id": (
        {"op": "add", "path": "members", "value": [{"value": "UNKNOWN"}]},
        "invalidValue",
    ),
    "malformed id": (
        {"op": "add", "path": "members", "value": [{"value": "12345"}]},
        "invalidValue",
    ),
    "empty id": ({"op": "add", "path": "members", "value": [{"value": ""}]}, "invalidValue"),
    "id not a string": ({"op": "add", "path": "members", "value": [{"value": 5}]}, "invalidValue"),
    "member without value": (
        {"op": "add", "path": "members", "value": [{"display": "x"}]},
        "invalidValue",
    ),
    "replace with unknown id": (
        {"op": "replace", "path": "members", "value": [{"value": "UNKNOWN"}]},
        "invalidValue",
    ),
    "a group id as member": (
        {"op": "add", "path": "members", "value": [{"value": "GROUP"}]},
        "invalidValue",
    ),
    "a deleted user": (
        {"op": "add", "path": "members", "value": [{"value": "DELETED"}]},
        "invalidValue",
    ),
    "add on a members filter": (
        {"op": "add", "path": 'members[value eq "U0"]', "value": "x"},
        "invalidPath",
    ),
    "remove with a non-value filter": (
        {"op": "remove", "path": 'members[display eq "x"]'},
        "invalidPath",
    ),
    "remove with a not filter (RFC 7644 3.5.2.2)": (
        {"op": "remove", "path": 'members[not (value eq "U0")]'},
        "invalidPath",
    ),
    "remove with or of a non-value term": (
        {"op": "remove", "path": 'members[value eq "U0" or display eq "x"]'},
        "invalidPath",
    ),
    "remove with and of value terms": (
        {"op": "remove", "path": 'members[value eq "U0" and value eq "U1"]'},
        "invalidPath",
    ),
    "members sub-attribute": (
        {"op": "replace", "path": "members.value", "value": "x"},
        "invalidPath",
    ),
    "read-only members.display": (
        {"op": "replace", "path": "members.display", "value": "x"},
        "mutability",
    ),
}


@pytest.mark.parametrize("bad,scim_type", MEMBER_ERRORS.values(), ids=MEMBER_ERRORS.keys())
def test_bad_member_ops_are_400_and_change_nothing(api, group, users, bad, scim_type):
    import json

    other_group = api.create_group("Other")["id"]
    deleted = api.create_user("gone@acme.test")["id"]
    api.delete(f"/Users/{deleted}")
    patch_group(api, group, {"op": "add", "path": "members", "value": [{"value": users[0]}]})
    text = (
        json.dumps(bad)
        .replace("UNKNOWN", str(uuid.uuid4()))
        .replace("GROUP", other_group)
        .replace("DELETED", deleted)
        .replace("U0", users[0])
    )
    good = {"op": "add", "path": "members", "value": [{"value": users[1]}]}
    resp = api.request(
        "PATCH", f"/Groups/{group}", {"schemas": [PATCH_OP], "Operations": [good, json.loads(text)]}
    )
    assert_scim_error(resp, 400, scim_type)
    assert member_set(api, group) == {users[0]}


def test_rename_in_both_shapes(api, group):
    patch_group(api, group, {"op": "Replace", "path": "displayName", "value": "Renamed"})
    assert api.get(f"/Groups/{group}").json()["displayName"] == "Renamed"
    patch_group(
        api, group, {"op": "replace", "value": {"displayName": "Again", "externalId": "ext-2"}}
    )
    body = api.get(f"/Groups/{group}").json()
    assert (body["displayName"], body["externalId"]) == ("Again", "ext-2")
    (found,) = assert_list_response(
        api.get("/Groups?" + filter_qs('displayName eq "AGAIN"')), total=1
    )
    assert found["id"] == group
    # a case-only rename of itself is allowed
    patch_group(api, group, {"op": "replace", "path": "displayName", "value": "AGAIN"})
    assert HostGroup.objects.get(public_id=group).name == "AGAIN"


def test_rename_to_a_taken_name_is_409(api, group):
    api.create_group("Taken")
    resp = api.patch_ops(
        f"/Groups/{group}", {"op": "replace", "path": "displayName", "value": "taken"}
    )
    assert_scim_error(resp, 409, "uniqueness")
    assert HostGroup.objects.get(public_id=group).name == "Team"


@pytest.mark.parametrize(
    "bad,scim_type",
    [
        ({"op": "replace", "path": "displayName", "value": ""}, "invalidValue"),
        ({"op": "remove", "path": "displayName"}, "invalidValue"),
        ({"op": "replace", "path": "id", "value": "x"}, "mutability"),
        ({"op": "replace", "value": "x"}, "invalidValue"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "move", "path": "displayName"}, "invalidSyntax"),
    ],
)
def test_bad_group_attribute_ops(api, group, bad, scim_type):
    assert_scim_error(api.patch_ops(f"/Groups/{group}", bad), 400, scim_type)
    assert HostGroup.objects.get(public_id=group).name == "Team"


def test_external_id_removal_and_unknown_attributes(api, group):
    patch_group(api, group, {"op": "remove", "path": "externalId"})
    body = api.get(f"/Groups/{group}").json()
    assert "externalId" not in body
    assert HostGroup.objects.get(public_id=group).external_id == ""


def test_put_replaces_attributes_and_members_when_given(api, group, users):
    patch_group(api, group, {"op": "add", "path": "members", "value": [{"value": users[0]}]})
    resp = api.put(f"/Groups/{group}", {"displayName": "Put", "members": [{"value": users[1]}]})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["displayName"] == "Put" and "externalId" not in body
    assert [m["value"] for m in body["members"]] == [users[1]]
    # members omitted from a PUT are left as they are (RFC 7644 §3.5.1 "not asserted")
    resp = api.put(f"/Groups/{group}", {"displayName": "Put"})
    assert [m["value"] for m in resp.json()["members"]] == [users[1]]


def test_delete_then_404_and_name_free(api, group, users):
    patch_group(api, group, {"op": "add", "path": "members", "value": [{"value": users[0]}]})
    resp = api.delete(f"/Groups/{group}")
    assert resp.status_code == 204 and resp.content == b""
    assert_scim_error(api.get(f"/Groups/{group}"), 404)
    assert_scim_error(api.delete(f"/Groups/{group}"), 404)
    assert_scim_error(api.patch_ops(f"/Groups/{group}", {"op": "remove", "path": "members"}), 404)
    assert api.create_group("team")["displayName"] == "team"
    assert api.user(users[0])["userName"] == "u0@acme.test"


def test_deleted_user_disappears_from_members(api, group, users):
    patch_group(
        api,
        group,
        {"op": "add", "path": "members", "value": [{"value": users[0]}, {"value": users[1]}]},
    )
    api.delete(f"/Users/{users[0]}")
    assert member_set(api, group) == {users[1]}


def test_manual_group_is_found_and_adopted(api, account, users):
    manual = HostGroupFactory(account=account, name="Reception")
    (found,) = assert_list_response(
        api.get("/Groups?" + filter_qs('displayName eq "reception"')), total=1
    )
    assert found["id"] == str(manual.public_id)
    patch_group(
        api,
        str(manual.public_id),
        {"op": "add", "path": "members", "value": [{"value": users[0]}]},
        {"op": "replace", "path": "externalId", "value": "ext-r"},
    )
    manual.refresh_from_db()
    assert manual.source == Source.DIRECTORY
    assert manual.external_id == "ext-r"
