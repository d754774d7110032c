"""Scenarios 2–4 — create a user, re-run (match path), duplicate guard.

docs/identity-providers/entra.md §1.2–1.4, §8.2–8.4: Entra queries by userName first, POSTs only
when nothing
matches, and a 409 must agree with what the filter finds (case-insensitive userName).
"""

import pytest

from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import (
    CORE_USER,
    ENTERPRISE,
    assert_empty_list,
    assert_list_response,
    assert_scim_content_type,
    assert_scim_error,
    assert_user,
    patch_body,
    users_filter,
)
from visitor_mgmt.models import Host, Source

ALICE = "alice@contoso.com"

# TUT "Example 2" raw request (docs/identity-providers/entra.md §1.3): explicit nulls and the doc's
# URN typo.
EXAMPLE_2 = {
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0User",
    ],
    "externalId": "jyoung",
    "userName": "jyoung@testuser.com",
    "active": True,
    "addresses": None,
    "displayName": "Joy Young",
    "emails": [{"type": "work", "value": "jyoung@Contoso.com", "primary": True}],
    "meta": {"resourceType": "User"},
    "name": {"familyName": "Young", "givenName": "Joy"},
    "phoneNumbers": None,
    "preferredLanguage": None,
    "title": None,
    "department": None,
    "manager": None,
}


def assert_created(resp, sent):
    assert resp.status_code == 201, resp
    assert_scim_content_type(resp)
    assert_user(resp.json(), sent)
    assert resp.headers["Location"] == resp.json()["meta"]["location"], resp
    return resp.json()["id"]


def test_create_user_tut_body(entra):
    assert_empty_list(entra.get(users_filter("userName", ALICE)))
    body = tut_user(ALICE)
    user_id = assert_created(entra.post("/Users", body), body)

    (found,) = assert_list_response(entra.get(users_filter("userName", ALICE)), total=1)
    assert_user(found, body, user_id=user_id)
    assert_user(entra.user(user_id), body, user_id=user_id)

    host = Host.objects.get(public_id=user_id)
    assert host.account == entra.account
    assert host.source == Source.DIRECTORY
    assert host.username == ALICE
    assert host.external_id == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert host.email == "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
    assert (host.first_name, host.last_name) == ("givenName", "familyName")
    assert host.is_active is True


def test_create_user_without_emails(entra):
    """Cloud-only users have no mail: emails is absent from the POST."""
    body = tut_user(ALICE)
    del body["emails"]
    user_id = assert_created(entra.post("/Users", body), body)
    assert_user(entra.user(user_id), body, user_id=user_id)
    assert Host.objects.get(public_id=user_id).email == ""


def test_create_user_with_nulls_example_2(entra):
    assert_empty_list(entra.get(users_filter("userName", "jyoung@testuser.com")))
    user_id = assert_created(entra.post("/Users", EXAMPLE_2), EXAMPLE_2)
    fetched = entra.user(user_id)
    assert_user(fetched, EXAMPLE_2, user_id=user_id)
    # null means "not provisioned": no key comes back as null.
    assert all(v is not None for v in fetched.values()), fetched
    host = Host.objects.get(public_id=user_id)
    assert (host.display_name, host.email) == ("Joy Young", "jyoung@Contoso.com")


def test_create_user_enterprise_attributes_round_trip(entra):
    body = tut_user(
        ALICE,
        displayName="Alice Smith",
        title="Engineer",
        preferredLanguage="en-US",
        phoneNumbers=[
            {"type": "work", "value": "55555555555"},
            {"type": "mobile", "value": "+1 (425) 555-0100"},
        ],
        **{
            ENTERPRISE: {
                "department": "Retail",
                "employeeNumber": "E-0042",
                "organization": "Contoso Ltd",
            }
        },
    )
    user_id = assert_created(entra.post("/Users", body), body)
    fetched = entra.user(user_id)
    assert_user(fetched, body, user_id=user_id)
    assert ENTERPRISE in fetched["schemas"]
    host = Host.objects.get(public_id=user_id)
    assert (host.department, host.organization, host.title) == ("Retail", "Contoso Ltd", "Engineer")
    assert (host.mobile, host.alternate_mobile) == ("+1 (425) 555-0100", "55555555555")


@pytest.mark.parametrize(
    "content_type",
    ["application/scim+json", "application/scim+json; charset=utf-8", "application/json"],
)
def test_create_user_accepts_entra_and_validator_content_types(scim, content_type):
    body = tut_user(ALICE)
    resp = scim.post("/Users", body, content_type=content_type)
    assert_created(resp, body)


# ---------------------------------------------------------------- scenario 3: match path


def test_rerun_finds_the_user_and_needs_no_post(entra):
    body = tut_user(ALICE)
    user_id = assert_created(entra.post("/Users", body), body)
    before = entra.user(user_id)

    (found,) = assert_list_response(entra.get(users_filter("userName", ALICE)), total=1)
    assert found == before
    (by_external,) = assert_list_response(
        entra.get(users_filter("externalId", body["externalId"])), total=1
    )
    assert by_external == before
    assert Host.objects.filter(account=entra.account).count() == 1


# ---------------------------------------------------------------- scenario 4: duplicate guard


@pytest.mark.parametrize("variant", ["ALICE@CONTOSO.COM", "Alice@Contoso.com", ALICE])
def test_duplicate_username_any_case_is_409_and_filter_agrees(entra, variant):
    body = tut_user(ALICE)
    user_id = assert_created(entra.post("/Users", body), body)

    dup = tut_user(variant, externalId="another-external-id")
    assert_scim_error(entra.post("/Users", dup), 409, "uniqueness")

    (found,) = assert_list_response(entra.get(users_filter("userName", variant)), total=1)
    assert_user(found, body, user_id=user_id)
    assert Host.objects.filter(account=entra.account).count() == 1


def test_minimal_user_is_created(entra):
    body = {"schemas": [CORE_USER], "userName": "min@contoso.com"}
    user_id = assert_created(entra.post("/Users", body), body)
    assert_user(entra.user(user_id), body, user_id=user_id)


@pytest.mark.parametrize("value,expected", [("True", True), ("False", False), ("true", True)])
def test_post_active_as_string(entra, value, expected):
    """Reference-code Postman "garbage" test: "active": "True" → 201 and a boolean active."""
    body = tut_user("string.active@contoso.com", active=value)
    resp = entra.post("/Users", body)
    assert resp.status_code == 201, resp
    assert resp.json()["active"] is expected
    assert_user(entra.user(resp.json()["id"]), {**body, "active": expected})
    assert Host.objects.get(public_id=resp.json()["id"]).is_active is expected


@pytest.mark.parametrize("user_name", ["o'brien+test@contoso.com", "a&b=c?d#e@contoso.com"])
def test_filter_finds_usernames_with_special_characters(entra, user_name):
    body = tut_user(user_name)
    user_id = assert_created(entra.post("/Users", body), body)
    (found,) = assert_list_response(entra.get(users_filter("userName", user_name)), total=1)
    assert found["id"] == user_id
    (found,) = assert_list_response(entra.get(users_filter("userName", user_name.upper())), total=1)
    assert found["id"] == user_id
    assert_scim_error(entra.post("/Users", tut_user(user_name.upper())), 409, "uniqueness")


def test_non_ascii_username_filter_agrees_with_uniqueness(entra, is_postgres):
    """The filter finds the other-case spelling exactly when a POST of it would be a 409.

    (SQLite folds only ASCII case; PostgreSQL, the production database, folds all.)
    """
    user_name = "Zoë.Ångström@contoso.com"
    body = tut_user(user_name)
    user_id = assert_created(entra.post("/Users", body), body)
    (found,) = assert_list_response(entra.get(users_filter("userName", user_name)), total=1)
    assert found["id"] == user_id
    other_case = users_filter("userName", user_name.upper())
    resp = entra.post("/Users", tut_user(user_name.upper(), externalId="other"))
    if resp.status_code == 409:
        assert_scim_error(resp, 409, "uniqueness")
        (found,) = assert_list_response(entra.get(other_case), total=1)
        assert found["id"] == user_id
    else:
        assert not is_postgres, resp
        assert resp.status_code == 201, resp
        (found,) = assert_list_response(entra.get(other_case), total=1)
        assert found["id"] == resp.json()["id"]


def test_patch_with_validator_content_type(scim):
    body = tut_user("charset@contoso.com")
    user_id = assert_created(scim.post("/Users", body), body)
    op = patch_body({"op": "replace", "path": "title", "value": "Charset"})
    resp = scim.patch(f"/Users/{user_id}", op, content_type="application/scim+json; charset=utf-8")
    assert resp.status_code in (200, 204), resp
    assert_user(scim.user(user_id), {**body, "title": "Charset"}, user_id=user_id)
