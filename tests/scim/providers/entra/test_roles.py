"""Scenario 16 — app roles (docs/identity-providers/entra.md §1.9, §8.16).

SingleAppRoleAssignment POSTs roles with a boolean primary; default-mode PATCH puts a
stringified JSON object in the role value; the flag sends PATCH in the POST's format.
Roles are not used by the product: they are stored and returned exactly as sent.
"""

from tests.scim.providers.entra.payloads import minimal_user, tut_user
from tests.scim.support import assert_user, patch_body

ADMIN_ROLE = {"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}
STRINGIFIED = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}'


def test_single_app_role_assignment_post(entra):
    body = tut_user("role.post@contoso.com", roles=[ADMIN_ROLE])
    user_id = entra.post_user(body)
    assert_user(entra.user(user_id), body, user_id=user_id)


def test_complex_roles_post_with_string_primary(entra):
    """AppRoleAssignmentsComplex capture: "primary": "false" as a string on POST."""
    roles = [
        {"primary": "false", "type": "WindowsAzureActiveDirectoryRole", "value": "Reader"},
        {"primary": "false", "type": "WindowsAzureActiveDirectoryRole", "value": "Writer"},
    ]
    body = tut_user("role.complex@contoso.com", roles=roles)
    user_id = entra.post_user(body)
    fetched = entra.user(user_id)
    assert sorted(r["value"] for r in fetched["roles"]) == ["Reader", "Writer"]
    assert all(r["primary"] in ("false", False) for r in fetched["roles"]), fetched["roles"]


def test_roles_patch(entra):
    """Default mode: stringified JSON value; flag mode: the POST format."""
    user = minimal_user("role.patch@contoso.com")
    user_id = entra.post_user(user)
    value = [ADMIN_ROLE] if entra.mode.flag else [{"value": STRINGIFIED}]
    op = {"op": entra.mode.op("add"), "path": "roles", "value": value}
    fetched = entra.patch_user(user_id, patch_body(op))
    assert_user(fetched, {**user, "roles": value}, user_id=user_id)


def test_stringified_role_value_is_not_parsed(scim):
    user = minimal_user("role.string@contoso.com")
    user_id = scim.post_user(user)
    op = {"op": "Add", "path": "roles", "value": [{"value": STRINGIFIED}]}
    fetched = scim.patch_user(user_id, patch_body(op))
    assert fetched["roles"] == [{"value": STRINGIFIED}]


def test_replace_role_by_primary_filter_path(entra):
    """Role target paths use the string "True" in the filter: roles[primary eq "True"].value."""
    user = tut_user("role.path@contoso.com", roles=[ADMIN_ROLE])
    user_id = entra.post_user(user)
    op = {
        "op": entra.mode.op("replace"),
        "path": 'roles[primary eq "True"].value',
        "value": "Owner",
    }
    fetched = entra.patch_user(user_id, patch_body(op))
    assert_user(fetched, {**user, "roles": [{**ADMIN_ROLE, "value": "Owner"}]}, user_id=user_id)
