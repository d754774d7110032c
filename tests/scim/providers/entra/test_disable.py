"""Scenario 8 — disable and re-enable (docs/identity-providers/entra.md §1.6, §8.8, §9.4, §9.5).

Default mode sends the string "False"; the flag sends a boolean; rancher#54025 shows Add.
A disabled user is still returned by id and by filter, with "active": false.
"""

import pytest

from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import (
    PATCH_OP,
    assert_list_response,
    assert_scim_error,
    assert_user,
    patch_body,
    users_filter,
)
from visitor_mgmt.models import Host

OPS = ["Replace", "replace", "Add", "add"]
FALSES = ["False", "false", False]
TRUES = ["True", "true", True]


def assert_active_everywhere(scim, user_id, user, active):
    fetched = scim.user(user_id)
    assert fetched["active"] is active, fetched
    assert_user(fetched, {**user, "active": active}, user_id=user_id)
    (found,) = assert_list_response(scim.get(users_filter("userName", user["userName"])), total=1)
    assert found == fetched
    assert Host.objects.get(public_id=user_id).is_active is active


@pytest.mark.parametrize("value", FALSES, ids=repr)
@pytest.mark.parametrize("op", OPS)
def test_disable(entra, op, value):
    user = tut_user("leaver@contoso.com")
    user_id = entra.post_user(user)
    entra.patch_user(user_id, patch_body({"op": op, "path": "active", "value": value}))
    assert_active_everywhere(entra, user_id, user, False)


@pytest.mark.parametrize("value", TRUES, ids=repr)
@pytest.mark.parametrize("op", OPS)
def test_enable(entra, op, value):
    user = tut_user("returner@contoso.com", active=False)
    user_id = entra.post_user(user)
    assert_active_everywhere(entra, user_id, user, False)
    entra.patch_user(user_id, patch_body({"op": op, "path": "active", "value": value}))
    assert_active_everywhere(entra, user_id, user, True)


def test_disable_default_mode_exact_compat_body(scim):
    user = tut_user("compat.disable@contoso.com")
    user_id = scim.post_user(user)
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    }
    scim.patch_user(user_id, body)
    assert_active_everywhere(scim, user_id, user, False)


def test_disable_ssoready_155_operations_first(scim):
    user = tut_user("sso155@contoso.com")
    user_id = scim.post_user(user)
    body = {
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        "schemas": [PATCH_OP],
    }
    scim.patch_user(user_id, body)
    assert_active_everywhere(scim, user_id, user, False)


def test_disable_flag_mode_exact_compat_body(entra):
    user = tut_user("compat.flag.disable@contoso.com")
    user_id = entra.post_user(user)
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    entra.patch_user(user_id, body)
    assert_active_everywhere(entra, user_id, user, False)


def test_pathless_replace_of_active(entra):
    """The validator's path-less shape {"op":"replace","value":{"active":false,...}}."""
    user = tut_user("pathless.active@contoso.com")
    user_id = entra.post_user(user)
    body = patch_body({"op": "replace", "value": {"active": False, "displayName": "Gone"}})
    entra.patch_user(user_id, body)
    assert_active_everywhere(entra, user_id, {**user, "displayName": "Gone"}, False)


def test_disabled_user_is_listed_by_active_filter(entra):
    active = tut_user("stay@contoso.com", externalId="a")
    inactive = tut_user("go@contoso.com", externalId="b")
    entra.post_user(active)
    gone_id = entra.post_user(inactive)
    entra.patch_user(
        gone_id,
        patch_body(
            {"op": entra.mode.op("replace"), "path": "active", "value": entra.mode.boolean(False)}
        ),
    )
    (found,) = assert_list_response(entra.get("/Users?filter=active+eq+false"), total=1)
    assert found["id"] == gone_id


def test_disable_is_idempotent(entra):
    user = tut_user("twice@contoso.com")
    user_id = entra.post_user(user)
    body = patch_body(
        {"op": entra.mode.op("replace"), "path": "active", "value": entra.mode.boolean(False)}
    )
    entra.patch_user(user_id, body)
    entra.patch_user(user_id, body)
    assert_active_everywhere(entra, user_id, user, False)


@pytest.mark.parametrize("value", ["maybe", 42], ids=repr)
def test_invalid_active_value_is_400_and_changes_nothing(scim, value):
    user = tut_user("strict@contoso.com")
    user_id = scim.post_user(user)
    resp = scim.patch(
        f"/Users/{user_id}", patch_body({"op": "Replace", "path": "active", "value": value})
    )
    assert_scim_error(resp, 400, "invalidValue")
    assert_active_everywhere(scim, user_id, user, True)


def test_disable_keeps_group_membership(entra):
    """Disable is an update, not a delete: the host stays in its groups."""
    user_id = entra.post_user(tut_user("member.off@contoso.com"))
    group_id = entra.post_group("Keepers")
    assert (
        entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(user_id))).status_code
        == 204
    )
    op = {"op": entra.mode.op("replace"), "path": "active", "value": entra.mode.boolean(False)}
    entra.patch_user(user_id, patch_body(op))
    group = entra.get(f"/Groups/{group_id}")
    assert [m["value"] for m in group.json()["members"]] == [user_id]
