"""Scenarios 5 and 6 — update a user with Entra's PATCH bodies, in both modes.

docs/identity-providers/entra.md §1.5 (TUT, laravel#34, ssoready#228), §3 (COMPAT default and flag
samples),
§8.5/8.6, §9.3, §9.7, §9.13. After every PATCH the GET must echo exactly what was sent.
"""

import copy

from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import (
    CORE_USER,
    ENTERPRISE,
    PATCH_OP,
    assert_list_response,
    assert_scim_error,
    assert_user,
    patch_body,
    users_filter,
)
from visitor_mgmt.models import Host


def adele():
    return {
        "schemas": [CORE_USER, ENTERPRISE],
        "userName": "AdeleV@contoso.onmicrosoft.com",
        "externalId": "AdeleV",
        "active": True,
        "displayName": "Adele Vance",
        "emails": [{"primary": True, "type": "work", "value": "AdeleV@contoso.onmicrosoft.com"}],
        "addresses": [{"type": "work", "formatted": "17/1000"}],
        "name": {"givenName": "Adele", "familyName": "Vance", "formatted": "Adele Vance"},
    }


def test_laravel_34_mixed_replace_and_add(entra):
    """Replace on existing email/address, Add of an absent enterprise department."""
    m = entra.mode
    user = adele()
    user_id = entra.post_user(user)
    body = patch_body(
        {
            "op": m.op("replace"),
            "path": 'emails[type eq "work"].value',
            "value": "AdeleV2@REDACTED.onmicrosoft.com",
        },
        {"op": m.op("replace"), "path": 'addresses[type eq "work"].formatted', "value": "18/2111"},
        {"op": m.op("add"), "path": f"{ENTERPRISE}:department", "value": "Retail"},
    )
    fetched = entra.patch_user(user_id, body)

    expected = copy.deepcopy(user)
    expected["emails"][0]["value"] = "AdeleV2@REDACTED.onmicrosoft.com"
    expected["addresses"] = [{"type": "work", "formatted": "18/2111"}]
    expected[ENTERPRISE] = {"department": "Retail"}
    assert_user(fetched, expected, user_id=user_id)
    host = Host.objects.get(public_id=user_id)
    assert (host.email, host.department) == ("AdeleV2@REDACTED.onmicrosoft.com", "Retail")


def test_ssoready_228_operations_before_schemas(entra):
    m = entra.mode
    user = tut_user("test00@example.com", displayName="Test 00")
    user_id = entra.post_user(user)
    body = {
        "Operations": [
            {"op": m.op("replace"), "path": "displayName", "value": "Test 01"},
            {
                "op": m.op("replace"),
                "path": 'emails[type eq "work"].value',
                "value": "test01@example.com",
            },
            {"op": m.op("replace"), "path": "userName", "value": "test01@example.com"},
            {"op": m.op("replace"), "path": "name.familyName", "value": "Tesst 01"},
            {"op": m.op("replace"), "path": "name.formatted", "value": "Test 01"},
        ],
        "schemas": [PATCH_OP],
    }
    fetched = entra.patch_user(user_id, body)

    expected = copy.deepcopy(user)
    expected.update(displayName="Test 01", userName="test01@example.com")
    expected["emails"][0]["value"] = "test01@example.com"
    expected["name"].update(familyName="Tesst 01", formatted="Test 01")
    assert_user(fetched, expected, user_id=user_id)
    (found,) = assert_list_response(
        entra.get(users_filter("userName", "test01@example.com")), total=1
    )
    assert found == fetched
    assert_list_response(entra.get(users_filter("userName", "test00@example.com")), total=0)


def test_tut_replace_email_and_family_name(entra):
    m = entra.mode
    user = tut_user("tut.patch@contoso.com")
    user_id = entra.post_user(user)
    body = {
        "schemas": [PATCH_OP],
        "Operations": [
            {
                "op": m.op("replace"),
                "path": 'emails[type eq "work"].value',
                "value": "updatedEmail@microsoft.com",
            },
            {"op": m.op("replace"), "path": "name.familyName", "value": "updatedFamilyName"},
        ],
    }
    fetched = entra.patch_user(user_id, body)
    expected = copy.deepcopy(user)
    expected["emails"][0]["value"] = "updatedEmail@microsoft.com"
    expected["name"]["familyName"] = "updatedFamilyName"
    assert_user(fetched, expected, user_id=user_id)


def test_tut_replace_username(entra):
    m = entra.mode
    user = tut_user("old.name@contoso.com")
    user_id = entra.post_user(user)
    new = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    body = patch_body({"op": m.op("replace"), "path": "userName", "value": new})
    fetched = entra.patch_user(user_id, body)
    assert_user(fetched, {**user, "userName": new}, user_id=user_id)
    assert Host.objects.get(public_id=user_id).username == new


def test_username_change_to_another_users_name_is_409_and_changes_nothing(entra):
    m = entra.mode
    entra.post_user(tut_user("taken@contoso.com", externalId="t1"))
    user = tut_user("mine@contoso.com", externalId="t2")
    user_id = entra.post_user(user)
    body = patch_body({"op": m.op("replace"), "path": "userName", "value": "TAKEN@contoso.com"})
    assert_scim_error(entra.patch(f"/Users/{user_id}", body), 409, "uniqueness")
    assert_user(entra.user(user_id), user, user_id=user_id)


COMPAT_VALUES = {
    "displayName": "Pvlo",
    "name.givenName": "Gtfd",
    "name.familyName": "Pkqf",
    "externalId": "Eqpj",
    f"{ENTERPRISE}:employeeNumber": "Eqpj",
}


def test_compat_replace_multiple_attributes(entra):
    """COMPAT: one Replace per path (default) / a path op plus a path-less dotted-key op (flag)."""
    m = entra.mode
    user = tut_user("compat@contoso.com", displayName="Before")
    user_id = entra.post_user(user)
    body = patch_body(
        {
            "op": m.op("replace"),
            "path": 'emails[type eq "work"].value',
            "value": "TestBcwqnm@test.microsoft.com",
        },
        *m.replace_many(COMPAT_VALUES),
    )
    fetched = entra.patch_user(user_id, body)

    expected = copy.deepcopy(user)
    expected.update(displayName="Pvlo", externalId="Eqpj")
    expected["emails"][0]["value"] = "TestBcwqnm@test.microsoft.com"
    expected["name"].update(givenName="Gtfd", familyName="Pkqf")
    expected[ENTERPRISE] = {"employeeNumber": "Eqpj"}
    assert_user(fetched, expected, user_id=user_id)
    for literal in ("name.givenName", "name.familyName", f"{ENTERPRISE}:employeeNumber"):
        assert literal not in fetched and literal not in fetched.get("name", {})


def test_compat_flag_sample_verbatim(scim):
    """The exact flag-mode body of COMPAT, sent even by a tenant whose URL lacks the flag."""
    user = tut_user("compat.flag@contoso.com")
    user_id = scim.post_user(user)
    body = {
        "schemas": [PATCH_OP],
        "Operations": [
            {
                "op": "replace",
                "path": 'emails[type eq "work"].value',
                "value": "TestMhvaes@test.microsoft.com",
            },
            {
                "op": "replace",
                "value": {
                    "displayName": "Bjfe",
                    "name.givenName": "Kkom",
                    "name.familyName": "Unua",
                    f"{ENTERPRISE}:employeeNumber": "Aklq",
                },
            },
        ],
    }
    fetched = scim.patch_user(user_id, body)
    expected = copy.deepcopy(user)
    expected["displayName"] = "Bjfe"
    expected["emails"][0]["value"] = "TestMhvaes@test.microsoft.com"
    expected["name"].update(givenName="Kkom", familyName="Unua")
    expected[ENTERPRISE] = {"employeeNumber": "Aklq"}
    assert_user(fetched, expected, user_id=user_id)
    host = Host.objects.get(public_id=user_id)
    assert (host.first_name, host.last_name, host.display_name) == ("Kkom", "Unua", "Bjfe")


def test_pathless_add_with_dotted_keys(entra):
    """pond/scimitar#123: flag-mode add with dotted keys incl. name.formatted and title."""
    m = entra.mode
    user = {"schemas": [CORE_USER], "userName": "dotted@contoso.com"}
    user_id = entra.post_user(user)
    body = patch_body(
        {
            "op": m.op("add"),
            "value": {"name.givenName": "Dot", "name.formatted": "Dot Ted", "title": "Boss"},
        }
    )
    fetched = entra.patch_user(user_id, body)
    expected = {**user, "name": {"givenName": "Dot", "formatted": "Dot Ted"}, "title": "Boss"}
    assert_user(fetched, expected, user_id=user_id)


def test_add_single_value_string_nickname(entra):
    """COMPAT "Add single-value string": {"op":"Add","path":"nickName","value":"Babs"}."""
    m = entra.mode
    user = tut_user("babs@contoso.com")
    user_id = entra.post_user(user)
    fetched = entra.patch_user(
        user_id, patch_body({"op": m.op("add"), "path": "nickName", "value": "Babs"})
    )
    assert_user(fetched, {**user, "nickName": "Babs"}, user_id=user_id)


def test_add_on_single_valued_attribute_with_a_value_replaces_it(entra):
    m = entra.mode
    user = tut_user("title@contoso.com", title="Old title")
    user_id = entra.post_user(user)
    fetched = entra.patch_user(
        user_id, patch_body({"op": m.op("add"), "path": "title", "value": "New title"})
    )
    assert_user(fetched, {**user, "title": "New title"}, user_id=user_id)


def test_op_casing_gives_identical_results(scim):
    """§9.3: Replace / replace / REPLACE and Add / add give the same resource."""
    results = []
    for i, (replace, add) in enumerate(
        [("Replace", "Add"), ("replace", "add"), ("REPLACE", "ADD")]
    ):
        user = tut_user(f"casing{i}@contoso.com", externalId="same")
        user_id = scim.post_user(user)
        body = patch_body(
            {"op": replace, "path": "name.givenName", "value": "Casey"},
            {"op": add, "path": f"{ENTERPRISE}:department", "value": "Ops"},
        )
        fetched = scim.patch_user(user_id, body)
        expected = copy.deepcopy(user)
        expected["name"]["givenName"] = "Casey"
        expected[ENTERPRISE] = {"department": "Ops"}
        assert_user(fetched, expected, user_id=user_id)
        view = {k: v for k, v in fetched.items() if k not in ("id", "meta", "userName")}
        results.append(view)
    assert results[0] == results[1] == results[2]


def test_second_identical_sync_causes_no_write(entra):
    """§9.13: the same PATCH again leaves lastModified and the row untouched."""
    m = entra.mode
    user = tut_user("idem@contoso.com")
    user_id = entra.post_user(user)
    body = patch_body(
        {"op": m.op("replace"), "path": "name.familyName", "value": "Same"},
        {"op": m.op("add"), "path": f"{ENTERPRISE}:department", "value": "Retail"},
    )
    first = entra.patch_user(user_id, body)
    row_before = Host.objects.get(public_id=user_id).updated_at
    second = entra.patch_user(user_id, body)
    assert second == first
    assert second["meta"]["lastModified"] == first["meta"]["lastModified"]
    assert Host.objects.get(public_id=user_id).updated_at == row_before


def test_patch_is_atomic_when_one_operation_is_invalid(entra):
    """A PATCH whose last op is invalid changes nothing (no partial write)."""
    m = entra.mode
    user = tut_user("atomic@contoso.com")
    user_id = entra.post_user(user)
    body = patch_body(
        {"op": m.op("replace"), "path": "name.familyName", "value": "Changed"},
        {"op": "frobnicate", "path": "title", "value": "x"},
    )
    assert_scim_error(
        entra.patch(f"/Users/{user_id}", body), 400, ("invalidSyntax", "invalidValue")
    )
    assert_user(entra.user(user_id), user, user_id=user_id)
    assert Host.objects.get(public_id=user_id).last_name == "familyName"
