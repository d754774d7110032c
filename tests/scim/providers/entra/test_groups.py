"""Scenarios 11, 13, 14, 15 — group create, rename, get, delete (docs/identity-providers/entra.md
§1.10, §8).

Groups are matched by displayName (case-insensitive, unique per account), created with
the ADSCIM schema URN and no members, renamed by PATCH (204), fetched without members.
"""

import uuid

import pytest

from tests.scim.providers.entra.payloads import minimal_user
from tests.scim.support import (
    ADSCIM_GROUP,
    CORE_GROUP,
    PATCH_OP,
    assert_empty_list,
    assert_group,
    assert_list_response,
    assert_scim_content_type,
    assert_scim_error,
    group_body,
    groups_filter,
    patch_body,
)
from visitor_mgmt.models import HostGroup, Source

EXTERNAL = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"


def test_group_create_adscim_body(entra):
    """Scenario 11: lookup finds nothing, then the TUT POST → 201 with members: []."""
    assert_empty_list(entra.get(groups_filter("Eng")))
    body = {
        "schemas": [CORE_GROUP, ADSCIM_GROUP],
        "externalId": EXTERNAL,
        "displayName": "Eng",
        "meta": {"resourceType": "Group"},
    }
    resp = entra.post("/Groups", body)
    assert resp.status_code == 201, resp
    assert_scim_content_type(resp)
    assert_group(resp.json(), display_name="Eng", external_id=EXTERNAL, member_ids=[])
    assert resp.json()["members"] == []
    assert resp.headers["Location"] == resp.json()["meta"]["location"]
    group_id = resp.json()["id"]

    (found,) = assert_list_response(entra.get(groups_filter("Eng")), total=1)
    assert_group(found, display_name="Eng", external_id=EXTERNAL, group_id=group_id)
    group = HostGroup.objects.get(public_id=group_id)
    assert (group.account, group.name, group.source) == (entra.account, "Eng", Source.DIRECTORY)
    assert group.external_id == EXTERNAL


def test_group_create_validator_body(entra):
    body = {
        "displayName": "Validator Group",
        "externalId": str(uuid.uuid4()),
        "schemas": [CORE_GROUP],
    }
    resp = entra.post("/Groups", body)
    assert resp.status_code == 201, resp
    assert_group(
        resp.json(), display_name="Validator Group", external_id=body["externalId"], member_ids=[]
    )


@pytest.mark.parametrize("variant", ["eng", "ENG", "Eng"])
def test_duplicate_group_name_any_case_is_409_and_filter_agrees(entra, variant):
    group_id = entra.post_group("Eng", EXTERNAL)
    assert_scim_error(entra.post("/Groups", group_body(variant)), 409, "uniqueness")
    (found,) = assert_list_response(entra.get(groups_filter(variant)), total=1)
    assert found["id"] == group_id
    assert HostGroup.objects.filter(account=entra.account).count() == 1


@pytest.mark.parametrize("space", ["+", "%20"])
def test_group_filter_with_members_included(entra, space):
    group_id = entra.post_group("Sales", EXTERNAL)
    (found,) = assert_list_response(
        entra.get(groups_filter("Sales", exclude_members=False, space=space)), total=1
    )
    assert_group(
        found, display_name="Sales", external_id=EXTERNAL, member_ids=[], group_id=group_id
    )


def test_group_rename_default_and_flag(entra):
    """Scenario 13: Replace displayName → 204 and the new name is findable in any case."""
    m = entra.mode
    group_id = entra.post_group("Old Name", EXTERNAL)
    new = "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    if m.flag:
        op = {"op": "replace", "value": {"displayName": new}}
    else:
        op = {"op": "Replace", "path": "displayName", "value": new}
    resp = entra.patch(f"/Groups/{group_id}", {"schemas": [PATCH_OP], "Operations": [op]})
    assert resp.status_code == 204, resp
    assert resp.content == b""

    assert_empty_list(entra.get(groups_filter("Old Name")))
    for variant in (new, new.upper(), new.lower()):
        (found,) = assert_list_response(entra.get(groups_filter(variant)), total=1)
        assert_group(found, display_name=new, external_id=EXTERNAL, group_id=group_id)
    assert HostGroup.objects.get(public_id=group_id).name == new


def test_group_rename_with_path_in_flag_shape_too(entra):
    """Both shapes work in both modes (on-demand provisioning ignores the flag)."""
    group_id = entra.post_group("A", EXTERNAL)
    ops = [
        {"op": "replace", "value": {"displayName": "B"}},
        {"op": "Replace", "path": "displayName", "value": "C"},
    ]
    for op in ops:
        assert entra.patch(f"/Groups/{group_id}", patch_body(op)).status_code == 204
    resp = entra.get(f"/Groups/{group_id}?excludedAttributes=members")
    assert_group(resp.json(), display_name="C", external_id=EXTERNAL, group_id=group_id)


def test_group_rename_to_existing_name_is_409_and_changes_nothing(entra):
    entra.post_group("Taken")
    group_id = entra.post_group("Mine", EXTERNAL)
    op = {"op": entra.mode.op("replace"), "path": "displayName", "value": "TAKEN"}
    assert_scim_error(entra.patch(f"/Groups/{group_id}", patch_body(op)), 409, "uniqueness")
    assert HostGroup.objects.get(public_id=group_id).name == "Mine"


def test_group_replace_external_id_pathless(entra):
    group_id = entra.post_group("Ext", EXTERNAL)
    op = {"op": "replace", "value": {"externalId": "new-external"}}
    assert entra.patch(f"/Groups/{group_id}", patch_body(op)).status_code == 204
    resp = entra.get(f"/Groups/{group_id}")
    assert resp.status_code == 200, resp
    assert_group(
        resp.json(),
        display_name="Ext",
        external_id="new-external",
        member_ids=[],
        group_id=group_id,
    )


def test_group_get_excluding_members(entra):
    """Scenario 14: GET /Groups/{id}?excludedAttributes=members → no members key."""
    group_id = entra.post_group("Quiet", EXTERNAL)
    user = entra.post_user(minimal_user("q@contoso.com"))
    assert (
        entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(user))).status_code
        == 204
    )

    resp = entra.get(f"/Groups/{group_id}?excludedAttributes=members")
    assert resp.status_code == 200, resp
    assert_scim_content_type(resp)
    assert_group(
        resp.json(), display_name="Quiet", external_id=EXTERNAL, member_ids=None, group_id=group_id
    )

    full = entra.get(f"/Groups/{group_id}")
    assert_group(
        full.json(),
        display_name="Quiet",
        external_id=EXTERNAL,
        member_ids=[user],
        group_id=group_id,
    )

    (listed,) = assert_list_response(entra.get(groups_filter("quiet")), total=1)
    assert "members" not in listed


def test_group_delete(entra):
    """Scenario 15: DELETE → 204, then 404 on GET, DELETE and PATCH; gone from filters."""
    group_id = entra.post_group("Doomed", EXTERNAL)
    member = entra.post_user(minimal_user("survivor@contoso.com"))
    assert (
        entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(member))).status_code
        == 204
    )
    resp = entra.delete(f"/Groups/{group_id}")
    assert resp.status_code == 204, resp
    assert resp.content == b""
    assert_scim_error(entra.get(f"/Groups/{group_id}"), 404)
    assert_scim_error(entra.delete(f"/Groups/{group_id}"), 404)
    op = {"op": entra.mode.op("replace"), "path": "displayName", "value": "Zombie"}
    assert_scim_error(entra.patch(f"/Groups/{group_id}", patch_body(op)), 404)
    assert_empty_list(entra.get(groups_filter("Doomed")))
    # The name is free again, and the members are still there.
    assert entra.post("/Groups", group_body("Doomed")).status_code == 201
    assert entra.get(f"/Users/{member}").status_code == 200


def test_group_filter_by_external_id_is_rejected_or_matches(entra):
    """Entra only filters groups by displayName; other group filters must not 5xx."""
    entra.post_group("Finance", EXTERNAL)
    resp = entra.get("/Groups?filter=externalId+eq+%22" + EXTERNAL + "%22")
    assert resp.status_code in (200, 400), resp
    if resp.status_code == 200:
        (found,) = assert_list_response(resp, total=1)
        assert found["displayName"] == "Finance"
    else:
        assert_scim_error(resp, 400, "invalidFilter")


def test_group_member_reference_query(entra):
    """TUT: reference checks on groups ask about members: id eq G and members eq U."""
    group_id = entra.post_group("Refs", EXTERNAL)
    member = entra.post_user(minimal_user("ref.member@contoso.com"))
    other = entra.post_user(minimal_user("ref.other@contoso.com"))
    assert (
        entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(member))).status_code
        == 204
    )

    def query(user_id):
        expr = f'id eq "{group_id}" and members eq "{user_id}"'
        return "/Groups?filter=" + expr.replace(" ", "+").replace('"', "%22") + "&attributes=id"

    (hit,) = assert_list_response(entra.get(query(member)), total=1)
    assert hit["id"] == group_id
    assert "members" not in hit and "displayName" not in hit, hit
    assert_empty_list(entra.get(query(other)))


def test_group_list_excluding_members(entra):
    group_id = entra.post_group("Listed", EXTERNAL)
    member = entra.post_user(minimal_user("listed@contoso.com"))
    assert (
        entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(member))).status_code
        == 204
    )
    (listed,) = assert_list_response(entra.get("/Groups?excludedAttributes=members"), total=1)
    assert_group(listed, display_name="Listed", external_id=EXTERNAL, group_id=group_id)
    (full,) = assert_list_response(entra.get("/Groups"), total=1)
    assert_group(full, display_name="Listed", external_id=EXTERNAL, member_ids=[member])
