"""Scenario 1 — Test Connection and the random probe at the start of every cycle.

docs/identity-providers/entra.md §1.1, §8.1, §9.1: an unknown userName/displayName answers 200 with
an empty
ListResponse (never 404), and every credential problem answers 401 + WWW-Authenticate.
"""

import uuid

import pytest

from scim_hosts.access.tokens import rotate_token, set_enabled
from tests.factories import ScimTokenFactory
from tests.scim.providers.entra.payloads import minimal_user
from tests.scim.support import (
    FLAG,
    ScimClient,
    assert_empty_list,
    assert_unauthorized,
    groups_filter,
    users_filter,
)

# The exact probe captured in AzureAD/SCIMReferenceCode#63.
PROBE_USERS = "/Users?filter=userName+eq+%22cf4d78e8-cc4f-4d5d-b8b9-183561c0104a%22"


def test_probe_users_exact_capture(entra):
    assert_empty_list(entra.get(PROBE_USERS))


@pytest.mark.parametrize("space", ["+", "%20"])
def test_probe_users_random_guid(entra, space):
    assert_empty_list(entra.get(users_filter("userName", str(uuid.uuid4()), space=space)))


@pytest.mark.parametrize("space", ["+", "%20"])
def test_probe_groups_random_guid_excluding_members(entra, space):
    assert_empty_list(entra.get(groups_filter(str(uuid.uuid4()), space=space)))


def test_probe_groups_without_excluded_attributes(entra):
    assert_empty_list(entra.get(groups_filter(str(uuid.uuid4()), exclude_members=False)))


def test_probe_repeated_with_different_guids(entra):
    for _ in range(3):
        assert_empty_list(entra.get(users_filter("userName", str(uuid.uuid4()))))
        assert_empty_list(entra.get(groups_filter(str(uuid.uuid4()))))


def test_probe_sees_only_matching_user_when_others_exist(entra):
    assert entra.post("/Users", minimal_user("someone@contoso.com")).status_code == 201
    assert_empty_list(entra.get(users_filter("userName", str(uuid.uuid4()))))


def test_flag_only_in_query_string_is_ignored(scim):
    """The flag may arrive as the only query parameter or after a real one."""
    assert_empty_list(scim.get(f"{PROBE_USERS}&{FLAG}"))
    assert_empty_list(scim.get(f"/Users?{FLAG}&" + PROBE_USERS.split("?", 1)[1]))


# ---------------------------------------------------------------- 401 on every credential problem


@pytest.mark.parametrize(
    "token",
    [
        "vmscim_wrong-token-0000000000000000000000000000000000000",
        "not-even-our-prefix",
        "",
    ],
    ids=["wrong", "foreign-prefix", "empty"],
)
def test_probe_with_bad_token_is_401(entra, token):
    assert_unauthorized(entra.get(PROBE_USERS, token=token))
    assert_unauthorized(entra.get(groups_filter(str(uuid.uuid4())), token=token))


def test_probe_without_authorization_header_is_401(entra):
    assert_unauthorized(entra.get(PROBE_USERS, token=None))


def test_basic_auth_is_401(scim):
    resp = scim.get(PROBE_USERS, token=None, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_unauthorized(resp)


def test_rotated_token_is_401_and_new_token_works(scim, contoso):
    assert_empty_list(scim.get(PROBE_USERS))
    _, new_raw = rotate_token(account=contoso)
    assert_unauthorized(scim.get(PROBE_USERS))
    assert_empty_list(scim.get(PROBE_USERS, token=new_raw))


def test_disabled_integration_is_401(scim, contoso):
    set_enabled(account=contoso, enabled=False)
    assert_unauthorized(scim.get(PROBE_USERS))
    assert_unauthorized(scim.post("/Users", {"userName": "x@contoso.com"}))


def test_disabled_token_row_is_401(client, contoso):
    ScimTokenFactory(
        account=contoso, raw_token="vmscim_disabled-0123456789abcdefghij", enabled=False
    )
    scim = ScimClient(client, "vmscim_disabled-0123456789abcdefghij", account=contoso)
    assert_unauthorized(scim.get(PROBE_USERS))


def test_session_cookie_does_not_authenticate(admin_client):
    resp = admin_client.get("/scim/v2" + PROBE_USERS)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/Users/" + "0" * 8 + "-0000-0000-0000-000000000000", "/Groups"])
def test_every_resource_path_requires_the_token(scim, path):
    assert_unauthorized(scim.get(path, token="vmscim_nope-00000000000000000000000000000000"))
