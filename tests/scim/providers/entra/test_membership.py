"""Scenario 12 — group membership in every Entra shape (docs/identity-providers/entra.md §1.10.5–6,
§8.12, §9.8, §9.9).

Adds carry a value list ("$ref": null in default mode); removals come as a value list on a
Remove (default) or as members[value eq "x"] (flag). Nothing may ever wipe the whole group,
membership ops are idempotent, and unknown ids are rejected without a partial write.
"""

import uuid

import pytest

from tests.factories import DirectoryHostFactory
from tests.scim.providers.entra.payloads import DEFAULT, FLAGGED, minimal_user
from tests.scim.support import PATCH_OP, assert_group, assert_scim_error, patch_body
from visitor_mgmt.models import HostGroup, HostGroupMembership

EXTERNAL = "a99962b9-f99d-4c4f-ac67-000000000001"


def member_ids(scim_client, group_id):
    resp = scim_client.get(f"/Groups/{group_id}")
    assert resp.status_code == 200, resp
    assert_group(
        resp.json(),
        display_name=resp.json()["displayName"],
        external_id=EXTERNAL,
        member_ids=[m["value"] for m in resp.json().get("members", [])],
        group_id=group_id,
    )
    values = sorted(m["value"] for m in resp.json()["members"])
    db_values = sorted(
        str(pk)
        for pk in HostGroupMembership.objects.filter(group__public_id=group_id)
        .filter(host__deleted_at__isnull=True)
        .values_list("host__public_id", flat=True)
    )
    assert values == db_values
    return set(values)


def group_patch(scim_client, group_id, *ops, status=204):
    resp = scim_client.patch(f"/Groups/{group_id}", patch_body(*ops))
    assert resp.status_code == status, resp
    if status == 204:
        assert resp.content == b"", resp
    return resp


@pytest.fixture
def team(entra):
    users = [entra.post_user(minimal_user(f"u{i}@contoso.com")) for i in (1, 2, 3, 4)]
    group_id = entra.post_group("Team", EXTERNAL)
    return group_id, users


def test_tut_add_member_with_null_ref(entra, team):
    group_id, (u1, *_rest) = team
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Add", "path": "members", "value": [{"$ref": None, "value": u1}]}],
    }
    resp = entra.patch(f"/Groups/{group_id}", body)
    assert resp.status_code == 204, resp
    assert member_ids(entra, group_id) == {u1}


def test_membership_sequence(entra, team):
    m = entra.mode
    group_id, (u1, u2, u3, u4) = team

    group_patch(entra, group_id, m.add_members(u1))
    assert member_ids(entra, group_id) == {u1}

    # Re-adding u1 alongside new members is idempotent.
    group_patch(entra, group_id, m.add_members(u1, u2, u3))
    assert member_ids(entra, group_id) == {u1, u2, u3}
    group_patch(entra, group_id, m.add_members(u1))
    assert member_ids(entra, group_id) == {u1, u2, u3}

    # Default-mode removal: a value list on Remove removes only those members.
    group_patch(entra, group_id, DEFAULT.remove_member(u1))
    assert member_ids(entra, group_id) == {u2, u3}

    # Flag-mode removal by filter removes only that member.
    group_patch(entra, group_id, FLAGGED.remove_member(u2))
    assert member_ids(entra, group_id) == {u3}

    # Removing a non-member (in either shape) succeeds and changes nothing.
    group_patch(entra, group_id, m.remove_member(u4))
    group_patch(entra, group_id, m.remove_member(u1))
    assert member_ids(entra, group_id) == {u3}


def test_remove_with_ref_null_value_list(entra, team):
    """TUT/COMPAT default removal: value list with "$ref": null removes only u1."""
    group_id, (u1, u2, u3, _u4) = team
    group_patch(entra, group_id, entra.mode.add_members(u1, u2, u3))
    op = {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": u1}]}
    group_patch(entra, group_id, op)
    assert member_ids(entra, group_id) == {u2, u3}


def test_remove_several_members_in_one_value_list(entra, team):
    group_id, (u1, u2, u3, u4) = team
    group_patch(entra, group_id, entra.mode.add_members(u1, u2, u3, u4))
    op = {"op": entra.mode.op("remove"), "path": "members", "value": [{"value": u1}, {"value": u3}]}
    group_patch(entra, group_id, op)
    assert member_ids(entra, group_id) == {u2, u4}


def test_group_of_three_never_wiped(entra, team):
    """§9.8: a group of 3; value-list removal leaves 2; filter removal leaves 1."""
    group_id, (u1, u2, u3, _u4) = team
    group_patch(entra, group_id, entra.mode.add_members(u1, u2, u3))
    group_patch(entra, group_id, DEFAULT.remove_member(u1))
    assert len(member_ids(entra, group_id)) == 2
    group_patch(entra, group_id, FLAGGED.remove_member(u2))
    assert member_ids(entra, group_id) == {u3}


def test_validator_replace_members_sets_exactly_that_list(entra, team):
    group_id, (u1, u2, u3, u4) = team
    group_patch(entra, group_id, entra.mode.add_members(u1, u2))
    op = {"op": "replace", "path": "members", "value": [{"value": u3}, {"value": u4}]}
    group_patch(entra, group_id, op)
    assert member_ids(entra, group_id) == {u3, u4}
    group_patch(entra, group_id, {"op": "replace", "path": "members", "value": [{"value": u1}]})
    assert member_ids(entra, group_id) == {u1}


def test_add_then_remove_same_member_in_one_patch_is_a_no_op(entra, team):
    group_id, (u1, u2, *_rest) = team
    group_patch(entra, group_id, entra.mode.add_members(u1))
    group_patch(entra, group_id, entra.mode.add_members(u2), FLAGGED.remove_member(u2))
    assert member_ids(entra, group_id) == {u1}
    group_patch(entra, group_id, entra.mode.add_members(u2), DEFAULT.remove_member(u2))
    assert member_ids(entra, group_id) == {u1}


def test_150_members_in_one_operation(entra, django_assert_max_num_queries):
    """§9.9: many members per PATCH (the gallery checklist's multi-member PATCH)."""
    group_id = entra.post_group("Everyone", EXTERNAL)
    hosts = DirectoryHostFactory.create_batch(150, account=entra.account)
    ids = [str(h.public_id) for h in hosts]
    with django_assert_max_num_queries(60):
        group_patch(entra, group_id, entra.mode.add_members(*ids))
    assert member_ids(entra, group_id) == set(ids)
    # Re-add all of them: idempotent, still one membership each.
    group_patch(entra, group_id, entra.mode.add_members(*ids))
    assert HostGroupMembership.objects.filter(group__public_id=group_id).count() == 150
    # Remove a non-member: fine.
    outsider = entra.post_user(minimal_user("outsider@contoso.com"))
    group_patch(entra, group_id, entra.mode.remove_member(outsider))
    assert len(member_ids(entra, group_id)) == 150


def test_unknown_member_id_is_400_and_nothing_changes(entra, team):
    group_id, (u1, u2, *_rest) = team
    group_patch(entra, group_id, entra.mode.add_members(u1))
    resp = entra.patch(
        f"/Groups/{group_id}", patch_body(entra.mode.add_members(u2, str(uuid.uuid4())))
    )
    assert_scim_error(resp, 400, "invalidValue")
    assert member_ids(entra, group_id) == {u1}


@pytest.mark.parametrize("bad", ["not-a-uuid", "12345", ""])
def test_malformed_member_id_is_400(entra, team, bad):
    group_id, (u1, *_rest) = team
    resp = entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(u1, bad)))
    assert_scim_error(resp, 400, "invalidValue")
    assert member_ids(entra, group_id) == set()


def test_group_id_as_member_never_500(entra, team):
    """Nested group: Entra may send a group id as a member. Ignore it or 400, never 5xx."""
    group_id, (u1, *_rest) = team
    inner = entra.post_group("Inner")
    resp = entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(inner)))
    assert resp.status_code in (204, 400), resp
    if resp.status_code == 400:
        assert_scim_error(resp, 400, "invalidValue")
    assert member_ids(entra, group_id) == set()


def test_removing_a_deleted_user_is_idempotent(entra, team):
    group_id, (u1, u2, *_rest) = team
    group_patch(entra, group_id, entra.mode.add_members(u1, u2))
    assert entra.delete(f"/Users/{u2}").status_code == 204
    group_patch(entra, group_id, entra.mode.remove_member(u2))
    assert member_ids(entra, group_id) == {u1}


def test_membership_does_not_touch_group_attributes(entra, team):
    group_id, (u1, *_rest) = team
    group_patch(entra, group_id, entra.mode.add_members(u1))
    group = HostGroup.objects.get(public_id=group_id)
    assert (group.name, group.external_id) == ("Team", EXTERNAL)
