"""Microsoft SCIM Validator inventory (docs/identity-providers/entra.md §4.2, payload quirks §4.3).

Tests 1–13 (users), 14–25 (groups) and the 7 preview tests, in the validator's run order,
with the validator's payloads: a full user POST with roles primary "True" (a string), a
manager that is not an existing user, timezone, nickName, ...; "Add Attributes Verbose" on
a minimal user; "Replace Attributes Verbose" with many path ops incl. emails[type eq
"home"|"other"] and .primary paths.
"""

import copy
import uuid

import pytest

from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    assert_empty_list,
    assert_group,
    assert_list_response,
    assert_scim_error,
    assert_user,
    groups_filter,
    patch_body,
    users_filter,
)

RANDOM_MANAGER = "YRPNQWLMDQXK"  # {%generateRandomString%}: not an existing user id


def validator_user(user_name="dale.mohr@romaguera.uk"):
    return {
        "schemas": [CORE_USER, ENTERPRISE],
        "userName": user_name,
        "active": True,
        "displayName": "Dale Mohr",
        "title": "Dynamic Brand Officer",
        "externalId": "Rosella.Ward",
        "preferredLanguage": "fr-FR",
        "nickName": "Dale",
        "locale": "fr-FR",
        "timezone": "Pacific/Auckland",
        "profileUrl": "https://romaguera.uk/dale",
        "userType": "Employee",
        "name": {
            "givenName": "Dale",
            "familyName": "Mohr",
            "formatted": "Dr. Dale Q Mohr III",
            "middleName": "Q",
            "honorificPrefix": "Dr.",
            "honorificSuffix": "III",
        },
        "emails": [{"type": "work", "value": "dale.mohr@romaguera.uk", "primary": True}],
        "phoneNumbers": [
            {"type": "work", "value": "1-991-663-8763", "primary": True},
            {"type": "mobile", "value": "(233)436-8890 x43220", "primary": False},
            {"type": "fax", "value": "1-648-081-5815"},
        ],
        "addresses": [
            {
                "type": "work",
                "formatted": "4 Ward Hill",
                "streetAddress": "4 Ward Hill",
                "locality": "Hollywood",
                "region": "CA",
                "postalCode": "91608",
                "country": "US",
                "primary": True,
            }
        ],
        "roles": [
            {
                "primary": "True",
                "display": "QA",
                "value": "Tester",
                "type": "WindowsAzureActiveDirectoryRole",
            }
        ],
        ENTERPRISE: {
            "employeeNumber": "0042",
            "costCenter": "CC-7",
            "organization": "Romaguera",
            "division": "North",
            "department": "Brand",
            "manager": {"value": RANDOM_MANAGER},
        },
    }


def assert_validator_user(resource, sent, user_id=None):
    """Whole-resource check; the manager reference is compared by its value."""
    resource = copy.deepcopy(resource)
    sent = copy.deepcopy(sent)
    sent_manager = sent.get(ENTERPRISE, {}).pop("manager", None)
    got_manager = resource.get(ENTERPRISE, {}).pop("manager", None)
    if sent_manager is None:
        assert got_manager in (None, {}) or got_manager.get("value") in (None, ""), resource
    else:
        assert got_manager["value"] == sent_manager["value"], resource
    assert_user(resource, sent, user_id=user_id)


# ---------------------------------------------------------------- users 1–13


@pytest.fixture
def dale(scim):
    body = validator_user()
    resp = scim.post("/Users", body)
    assert resp.status_code == 201, resp
    return resp.json()["id"], body


def test_01_create_a_new_user(scim):
    body = validator_user()
    resp = scim.post("/Users", body)
    assert resp.status_code == 201, resp
    assert_validator_user(resp.json(), body)
    (found,) = assert_list_response(scim.get(users_filter("userName", body["userName"])), total=1)
    assert_validator_user(found, body, user_id=resp.json()["id"])


def test_02_create_a_duplicate_user(scim, dale):
    assert_scim_error(scim.post("/Users", validator_user()), 409, "uniqueness")


def test_03_filter_for_an_existing_user(scim, dale):
    user_id, body = dale
    (found,) = assert_list_response(scim.get(users_filter("userName", body["userName"])), total=1)
    assert_validator_user(found, body, user_id=user_id)


def test_03b_filter_url_as_the_validator_writes_it(scim, dale):
    """Literal quotes and an encoded @ (Microsoft Q&A 2238842)."""
    user_id, _ = dale
    (found,) = assert_list_response(
        scim.get('/Users?filter=userName+eq+"dale.mohr%40romaguera.uk"'), total=1
    )
    assert found["id"] == user_id


def test_04_filter_for_a_non_existing_user(scim, dale):
    assert_empty_list(scim.get(users_filter("userName", "nobody.here@romaguera.uk")))


def test_05_filter_for_an_existing_user_with_a_different_case(scim, dale):
    user_id, body = dale
    (found,) = assert_list_response(
        scim.get(users_filter("userName", "DALE.Mohr@Romaguera.UK")), total=1
    )
    assert_validator_user(found, body, user_id=user_id)


REPLACE_VERBOSE = [
    ("displayName", "Myrtle Kub"),
    ("title", "Legacy Metrics Analyst"),
    ("preferredLanguage", "de-DE"),
    ("nickName", "Myrt"),
    ("locale", "de-DE"),
    ("timezone", "America/Denver"),
    ("profileUrl", "https://kub.example/myrtle"),
    ("userType", "Contractor"),
    ("externalId", "Myrtle.Kub"),
    ("name.givenName", "Myrtle"),
    ("name.familyName", "Kub"),
    ("name.formatted", "Ms. Myrtle R Kub Jr."),
    ("name.middleName", "R"),
    ("name.honorificPrefix", "Ms."),
    ("name.honorificSuffix", "Jr."),
    ('emails[type eq "work"].value', "myrtle.kub@kub.example"),
    ('emails[type eq "work"].primary', False),
    ('emails[type eq "home"].value', "myrtle@home.example"),
    ('emails[type eq "home"].display', "Myrtle at home"),
    ('emails[type eq "home"].primary', True),
    ('emails[type eq "other"].value', "mk@other.example"),
    ('phoneNumbers[type eq "work"].value', "1-555-010-0001"),
    ('phoneNumbers[type eq "mobile"].value', "1-555-010-0002"),
    ('phoneNumbers[type eq "fax"].value', "1-555-010-0003"),
    ('addresses[type eq "work"].formatted', "9 Kub Road"),
    ('addresses[type eq "work"].streetAddress', "9 Kub Road"),
    ('addresses[type eq "work"].locality', "Denver"),
    ('addresses[type eq "work"].region', "CO"),
    ('addresses[type eq "work"].postalCode', "80202"),
    ('addresses[type eq "work"].country', "US"),
    ('roles[primary eq "True"].display', "Lead"),
    ('roles[primary eq "True"].value', "Owner"),
    ('roles[primary eq "True"].type', "WindowsAzureActiveDirectoryRole"),
    (f"{ENTERPRISE}:employeeNumber", "0099"),
    (f"{ENTERPRISE}:costCenter", "CC-9"),
    (f"{ENTERPRISE}:organization", "Kub Inc"),
    (f"{ENTERPRISE}:division", "South"),
    (f"{ENTERPRISE}:department", "Metrics"),
]


def test_06_patch_user_replace_attributes_verbose(scim, dale):
    user_id, body = dale
    ops = [{"op": "replace", "path": p, "value": v} for p, v in REPLACE_VERBOSE]
    fetched = scim.patch_user(user_id, patch_body(*ops))

    expected = copy.deepcopy(body)
    expected.update(
        displayName="Myrtle Kub",
        title="Legacy Metrics Analyst",
        preferredLanguage="de-DE",
        nickName="Myrt",
        locale="de-DE",
        timezone="America/Denver",
        profileUrl="https://kub.example/myrtle",
        userType="Contractor",
        externalId="Myrtle.Kub",
        name={
            "givenName": "Myrtle",
            "familyName": "Kub",
            "formatted": "Ms. Myrtle R Kub Jr.",
            "middleName": "R",
            "honorificPrefix": "Ms.",
            "honorificSuffix": "Jr.",
        },
        emails=[
            {"type": "work", "value": "myrtle.kub@kub.example", "primary": False},
            {
                "type": "home",
                "value": "myrtle@home.example",
                "display": "Myrtle at home",
                "primary": True,
            },
            {"type": "other", "value": "mk@other.example"},
        ],
        phoneNumbers=[
            {"type": "work", "value": "1-555-010-0001", "primary": True},
            {"type": "mobile", "value": "1-555-010-0002", "primary": False},
            {"type": "fax", "value": "1-555-010-0003"},
        ],
        addresses=[
            {
                "type": "work",
                "formatted": "9 Kub Road",
                "streetAddress": "9 Kub Road",
                "locality": "Denver",
                "region": "CO",
                "postalCode": "80202",
                "country": "US",
                "primary": True,
            }
        ],
        roles=[
            {
                "primary": "True",
                "display": "Lead",
                "value": "Owner",
                "type": "WindowsAzureActiveDirectoryRole",
            }
        ],
    )
    expected[ENTERPRISE].update(
        employeeNumber="0099",
        costCenter="CC-9",
        organization="Kub Inc",
        division="South",
        department="Metrics",
    )
    assert_validator_user(fetched, expected, user_id=user_id)
    (found,) = assert_list_response(scim.get(users_filter("userName", body["userName"])), total=1)
    assert found == fetched


ADD_VERBOSE = [
    ("displayName", "Ima Minimal"),
    ("title", "Intern"),
    ("preferredLanguage", "en-GB"),
    ("nickName", "Ima"),
    ("locale", "en-GB"),
    ("timezone", "Europe/London"),
    ("profileUrl", "https://example.com/ima"),
    ("userType", "Guest"),
    ("externalId", "Ima.Minimal"),
    ("active", True),
    ("name.givenName", "Ima"),
    ("name.familyName", "Minimal"),
    ("name.formatted", "Ima Minimal"),
    ("name.middleName", "M"),
    ("name.honorificPrefix", "Mx."),
    ("name.honorificSuffix", "II"),
    ('emails[type eq "work"].value', "ima@example.com"),
    ('emails[type eq "work"].primary', True),
    ('phoneNumbers[type eq "work"].value', "1-555-020-0001"),
    ('phoneNumbers[type eq "work"].primary', True),
    ('phoneNumbers[type eq "mobile"].value', "1-555-020-0002"),
    ('phoneNumbers[type eq "fax"].value', "1-555-020-0003"),
    ('addresses[type eq "work"].formatted', "1 Min St"),
    ('addresses[type eq "work"].streetAddress', "1 Min St"),
    ('addresses[type eq "work"].locality', "Leeds"),
    ('addresses[type eq "work"].region', "Yorkshire"),
    ('addresses[type eq "work"].postalCode', "LS1"),
    ('addresses[type eq "work"].country', "GB"),
    ('addresses[type eq "work"].primary', True),
    ('roles[primary eq "True"].display', "Viewer"),
    ('roles[primary eq "True"].value', "Read"),
    ('roles[primary eq "True"].type', "WindowsAzureActiveDirectoryRole"),
    (f"{ENTERPRISE}:employeeNumber", "7"),
    (f"{ENTERPRISE}:costCenter", "CC-1"),
    (f"{ENTERPRISE}:organization", "Minimal Ltd"),
    (f"{ENTERPRISE}:division", "East"),
    (f"{ENTERPRISE}:department", "Interns"),
]


def test_07_patch_user_add_attributes_verbose(scim):
    user = {"userName": "ima.minimal@example.com", "schemas": [CORE_USER]}
    user_id = scim.post_user(user)
    ops = [{"op": "add", "path": p, "value": v} for p, v in ADD_VERBOSE]
    fetched = scim.patch_user(user_id, patch_body(*ops))

    roles = fetched.pop("roles", None)
    assert isinstance(roles, list) and len(roles) == 1, roles
    (role,) = roles
    assert role.get("primary") in (True, "True"), role
    assert {k: v for k, v in role.items() if k != "primary"} == {
        "display": "Viewer",
        "value": "Read",
        "type": "WindowsAzureActiveDirectoryRole",
    }
    expected = {
        **user,
        "displayName": "Ima Minimal",
        "title": "Intern",
        "preferredLanguage": "en-GB",
        "nickName": "Ima",
        "locale": "en-GB",
        "timezone": "Europe/London",
        "profileUrl": "https://example.com/ima",
        "userType": "Guest",
        "externalId": "Ima.Minimal",
        "active": True,
        "name": {
            "givenName": "Ima",
            "familyName": "Minimal",
            "formatted": "Ima Minimal",
            "middleName": "M",
            "honorificPrefix": "Mx.",
            "honorificSuffix": "II",
        },
        "emails": [{"type": "work", "value": "ima@example.com", "primary": True}],
        "phoneNumbers": [
            {"type": "work", "value": "1-555-020-0001", "primary": True},
            {"type": "mobile", "value": "1-555-020-0002"},
            {"type": "fax", "value": "1-555-020-0003"},
        ],
        "addresses": [
            {
                "type": "work",
                "formatted": "1 Min St",
                "streetAddress": "1 Min St",
                "locality": "Leeds",
                "region": "Yorkshire",
                "postalCode": "LS1",
                "country": "GB",
                "primary": True,
            }
        ],
        ENTERPRISE: {
            "employeeNumber": "7",
            "costCenter": "CC-1",
            "organization": "Minimal Ltd",
            "division": "East",
            "department": "Interns",
        },
    }
    assert_user(fetched, expected, user_id=user_id)


def test_08_update_user_username(scim, dale):
    user_id, body = dale
    new = "Ruthe.Kuhlman@kuhlman.example"
    fetched = scim.patch_user(
        user_id, patch_body({"op": "replace", "path": "userName", "value": new})
    )
    assert_validator_user(fetched, {**body, "userName": new}, user_id=user_id)
    (found,) = assert_list_response(scim.get(users_filter("userName", new)), total=1)
    assert found["id"] == user_id


def test_09_patch_user_disable_user(scim, dale):
    user_id, body = dale
    scim.patch_user(user_id, patch_body({"op": "replace", "path": "active", "value": False}))
    (found,) = assert_list_response(scim.get(users_filter("userName", body["userName"])), total=1)
    assert found["active"] is False
    assert_validator_user(found, {**body, "active": False}, user_id=user_id)


def test_10_11_12_patch_user_add_replace_remove_manager(scim, dale):
    user_id, body = dale
    m1 = scim.post_user({"schemas": [CORE_USER], "userName": "manager1@romaguera.uk"})
    m2 = scim.post_user({"schemas": [CORE_USER], "userName": "manager2@romaguera.uk"})
    path = f"{ENTERPRISE}:manager"

    fetched = scim.patch_user(user_id, patch_body({"op": "add", "path": path, "value": m1}))
    assert fetched[ENTERPRISE]["manager"]["value"] == m1
    assert_validator_user(
        fetched, {**body, ENTERPRISE: {**body[ENTERPRISE], "manager": {"value": m1}}}, user_id
    )

    fetched = scim.patch_user(user_id, patch_body({"op": "replace", "path": path, "value": m2}))
    assert fetched[ENTERPRISE]["manager"]["value"] == m2

    fetched = scim.patch_user(
        user_id, patch_body({"op": "replace", "path": path, "value": {"value": ""}})
    )
    ent = {k: v for k, v in body[ENTERPRISE].items() if k != "manager"}
    assert_validator_user(fetched, {**body, ENTERPRISE: ent}, user_id)


def test_13_delete_a_user(scim, dale):
    user_id, _ = dale
    resp = scim.delete(f"/Users/{user_id}")
    assert resp.status_code == 204, resp
    assert_scim_error(scim.get(f"/Users/{user_id}"), 404)


# ---------------------------------------------------------------- groups 14–25


@pytest.fixture
def vgroup(scim):
    body = {"displayName": "Brakus Group", "externalId": str(uuid.uuid4()), "schemas": [CORE_GROUP]}
    resp = scim.post("/Groups", body)
    assert resp.status_code == 201, resp
    return resp.json()["id"], body


def test_14_get_group_by_id_excluding_members(scim, vgroup):
    group_id, body = vgroup
    resp = scim.get(f"/Groups/{group_id}?excludedAttributes=members")
    assert resp.status_code == 200, resp
    assert_group(
        resp.json(),
        display_name=body["displayName"],
        external_id=body["externalId"],
        group_id=group_id,
    )


def test_15_filter_for_existing_group_excluding_members(scim, vgroup):
    group_id, body = vgroup
    (found,) = assert_list_response(scim.get(groups_filter(body["displayName"])), total=1)
    assert_group(
        found, display_name=body["displayName"], external_id=body["externalId"], group_id=group_id
    )


def test_16_filter_for_an_existing_group(scim, vgroup):
    group_id, body = vgroup
    (found,) = assert_list_response(
        scim.get(groups_filter(body["displayName"], exclude_members=False)), total=1
    )
    assert_group(
        found,
        display_name=body["displayName"],
        external_id=body["externalId"],
        member_ids=[],
        group_id=group_id,
    )


def test_17_filter_for_a_non_existing_group(scim, vgroup):
    assert_empty_list(scim.get(groups_filter("No Such Group", exclude_members=False)))


def test_18_filter_for_existing_group_different_case(scim, vgroup):
    group_id, body = vgroup
    (found,) = assert_list_response(scim.get(groups_filter("bRAKUS gROUP")), total=1)
    assert found["id"] == group_id


def test_19_create_a_new_group(scim):
    body = {
        "displayName": "Ziemann Group",
        "externalId": str(uuid.uuid4()),
        "schemas": [CORE_GROUP],
    }
    resp = scim.post("/Groups", body)
    assert resp.status_code == 201, resp
    assert_group(
        resp.json(), display_name="Ziemann Group", external_id=body["externalId"], member_ids=[]
    )


def test_20_create_a_duplicate_group(scim, vgroup):
    _, body = vgroup
    assert_scim_error(
        scim.post("/Groups", {**body, "externalId": str(uuid.uuid4())}), 409, "uniqueness"
    )


def test_21_patch_group_replace_attributes(scim, vgroup):
    group_id, body = vgroup
    new_ext = str(uuid.uuid4())
    resp = scim.patch(
        f"/Groups/{group_id}", patch_body({"op": "replace", "value": {"externalId": new_ext}})
    )
    assert resp.status_code in (200, 204), resp
    got = scim.get(f"/Groups/{group_id}")
    assert_group(
        got.json(),
        display_name=body["displayName"],
        external_id=new_ext,
        member_ids=[],
        group_id=group_id,
    )


def test_22_update_group_display_name(scim, vgroup):
    group_id, body = vgroup
    resp = scim.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "replace", "value": {"displayName": "Renamed Grp"}}),
    )
    assert resp.status_code in (200, 204), resp
    (found,) = assert_list_response(scim.get(groups_filter("Renamed Grp")), total=1)
    assert_group(
        found, display_name="Renamed Grp", external_id=body["externalId"], group_id=group_id
    )


def test_23_patch_group_add_member(scim, vgroup):
    group_id, body = vgroup
    user_id = scim.post_user(validator_user())
    op = {"op": "replace", "path": "members", "value": [{"value": user_id}]}
    assert scim.patch(f"/Groups/{group_id}", patch_body(op)).status_code in (200, 204)
    got = scim.get(f"/Groups/{group_id}")
    assert_group(
        got.json(),
        display_name=body["displayName"],
        external_id=body["externalId"],
        member_ids=[user_id],
    )


def test_24_patch_group_remove_member(scim, vgroup):
    group_id, body = vgroup
    u1 = scim.post_user(validator_user("one@romaguera.uk"))
    u2 = scim.post_user(validator_user("two@romaguera.uk"))
    setup = {"op": "replace", "path": "members", "value": [{"value": u1}, {"value": u2}]}
    assert scim.patch(f"/Groups/{group_id}", patch_body(setup)).status_code in (200, 204)
    remove = {"op": "remove", "path": f'members[value eq "{u1}"]'}
    assert scim.patch(f"/Groups/{group_id}", patch_body(remove)).status_code in (200, 204)
    got = scim.get(f"/Groups/{group_id}")
    assert_group(
        got.json(),
        display_name=body["displayName"],
        external_id=body["externalId"],
        member_ids=[u2],
    )


def test_25_delete_a_group(scim, vgroup):
    group_id, _ = vgroup
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert_scim_error(scim.get(f"/Groups/{group_id}"), 404)


# ---------------------------------------------------------------- preview tests


def test_preview_patch_user_multiple_ops_on_different_attributes(scim, dale):
    user_id, body = dale
    ops = [
        {"op": "replace", "path": "displayName", "value": "Multi Op"},
        {"op": "add", "path": "nickName", "value": "Multi"},
        {"op": "replace", "path": "name.givenName", "value": "Mul"},
        {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Ops"},
    ]
    fetched = scim.patch_user(user_id, patch_body(*ops))
    expected = copy.deepcopy(body)
    expected.update(displayName="Multi Op", nickName="Multi")
    expected["name"]["givenName"] = "Mul"
    expected[ENTERPRISE]["department"] = "Ops"
    assert_validator_user(fetched, expected, user_id)


def test_preview_patch_user_multiple_ops_on_the_same_attribute(scim, dale):
    user_id, body = dale
    ops = [
        {"op": "replace", "path": "title", "value": "First"},
        {"op": "replace", "path": "title", "value": "Second"},
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "a@romaguera.uk"},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "b@romaguera.uk"},
    ]
    fetched = scim.patch_user(user_id, patch_body(*ops))
    expected = copy.deepcopy(body)
    expected["title"] = "Second"
    expected["emails"][0]["value"] = "b@romaguera.uk"
    assert_validator_user(fetched, expected, user_id)


def test_preview_delete_a_non_existent_user(scim):
    assert_scim_error(scim.delete(f"/Users/{uuid.uuid4()}"), 404)


def test_preview_delete_the_same_user_twice(scim, dale):
    user_id, _ = dale
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert_scim_error(scim.delete(f"/Users/{user_id}"), 404)


def test_preview_patch_group_multiple_ops_on_the_same_attribute(scim, vgroup):
    group_id, body = vgroup
    user_id = scim.post_user(validator_user())
    ops = [
        {"op": "add", "path": "members", "value": [{"value": user_id}]},
        {"op": "remove", "path": f'members[value eq "{user_id}"]'},
    ]
    assert scim.patch(f"/Groups/{group_id}", patch_body(*ops)).status_code in (200, 204)
    got = scim.get(f"/Groups/{group_id}")
    assert_group(
        got.json(), display_name=body["displayName"], external_id=body["externalId"], member_ids=[]
    )


def test_preview_delete_a_non_existent_group(scim):
    assert_scim_error(scim.delete(f"/Groups/{uuid.uuid4()}"), 404)


def test_preview_delete_the_same_group_twice(scim, vgroup):
    group_id, _ = vgroup
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert_scim_error(scim.delete(f"/Groups/{group_id}"), 404)


def test_user_get_by_id_after_create(scim, dale):
    user_id, body = dale
    assert_validator_user(scim.user(user_id), body, user_id)


def test_group_created_by_helper_is_visible(scim):
    group_id = scim.post_group("Helper Group")
    (found,) = assert_list_response(scim.get(groups_filter("helper group")), total=1)
    assert found["id"] == group_id
