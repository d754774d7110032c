"""Scenario 7 — Add (and Replace) on a filtered path with no match creates the element.

docs/identity-providers/entra.md §1.5 (Keycloak#35, wire-server#5419, phone capture,
scimgateway#117), §8.7, §9.6.
"""

import copy

import pytest

from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import ENTERPRISE, assert_user, patch_body
from visitor_mgmt.models import Host


def no_contact_user(user_name="nomail@contoso.com"):
    body = tut_user(user_name)
    del body["emails"]
    return body


# (path, value, the element the user then has, the Host field that takes the value)
ADDS_ON_A_USER_WITHOUT_CONTACTS = {
    # Keycloak#35 capture: the value is a plain string.
    "work-email": (
        'emails[type eq "work"].value',
        "something@outlook.com",
        {"emails": [{"type": "work", "value": "something@outlook.com"}]},
        "email",
    ),
    "mobile-phone": (
        'phoneNumbers[type eq "mobile"].value',
        "+1 425 555 0100",
        {"phoneNumbers": [{"type": "mobile", "value": "+1 425 555 0100"}]},
        "mobile",
    ),
    # The Entra-side phone update capture: Add phoneNumbers[type eq "work"].value.
    "work-phone": (
        'phoneNumbers[type eq "work"].value',
        "1-612-619-9001",
        {"phoneNumbers": [{"type": "work", "value": "1-612-619-9001"}]},
        "alternate_mobile",
    ),
    "work-postal-code": (
        'addresses[type eq "work"].postalCode',
        "98052",
        {"addresses": [{"type": "work", "postalCode": "98052"}]},
        None,
    ),
}


@pytest.mark.parametrize(
    "path,value,added,host_field",
    ADDS_ON_A_USER_WITHOUT_CONTACTS.values(),
    ids=ADDS_ON_A_USER_WITHOUT_CONTACTS.keys(),
)
def test_add_on_a_filtered_path_of_a_user_without_contacts(entra, path, value, added, host_field):
    user = no_contact_user()
    user_id = entra.post_user(user)
    op = {"op": entra.mode.op("add"), "path": path, "value": value}
    fetched = entra.patch_user(user_id, patch_body(op))
    assert_user(fetched, {**user, **added}, user_id=user_id)
    if host_field:
        assert getattr(Host.objects.get(public_id=user_id), host_field) == value


def test_several_adds_build_one_element_per_type(entra):
    """Two sub-attributes of the same filtered element end up in ONE element."""
    m = entra.mode
    user = no_contact_user()
    user_id = entra.post_user(user)
    body = patch_body(
        {
            "op": m.op("add"),
            "path": 'addresses[type eq "work"].streetAddress',
            "value": "1 Microsoft Way",
        },
        {"op": m.op("add"), "path": 'addresses[type eq "work"].locality', "value": "Redmond"},
        {"op": m.op("add"), "path": 'addresses[type eq "work"].postalCode', "value": "98052"},
        {"op": m.op("add"), "path": 'phoneNumbers[type eq "fax"].value', "value": "555-0199"},
    )
    fetched = entra.patch_user(user_id, body)
    expected = {
        **user,
        "addresses": [
            {
                "type": "work",
                "streetAddress": "1 Microsoft Way",
                "locality": "Redmond",
                "postalCode": "98052",
            }
        ],
        "phoneNumbers": [{"type": "fax", "value": "555-0199"}],
    }
    assert_user(fetched, expected, user_id=user_id)


def test_add_other_email_next_to_work_email(entra):
    user = tut_user("two.mails@contoso.com")
    user_id = entra.post_user(user)
    op = {
        "op": entra.mode.op("add"),
        "path": 'emails[type eq "other"].value',
        "value": "alias@contoso.com",
    }
    fetched = entra.patch_user(user_id, patch_body(op))
    expected = copy.deepcopy(user)
    expected["emails"].append({"type": "other", "value": "alias@contoso.com"})
    assert_user(fetched, expected, user_id=user_id)
    host = Host.objects.get(public_id=user_id)
    assert host.email == user["emails"][0]["value"]
    assert host.alternate_email == "alias@contoso.com"


def test_replace_on_absent_filtered_path_creates_it(entra):
    user = no_contact_user()
    user_id = entra.post_user(user)
    op = {
        "op": entra.mode.op("replace"),
        "path": 'emails[type eq "work"].value',
        "value": "made@contoso.com",
    }
    fetched = entra.patch_user(user_id, patch_body(op))
    assert_user(
        fetched,
        {**user, "emails": [{"type": "work", "value": "made@contoso.com"}]},
        user_id=user_id,
    )


def test_add_on_existing_filtered_element_updates_it_without_duplicate(entra):
    """wire-server#5419: Add against an existing work email must not create a 2nd work email."""
    user = tut_user("existing@contoso.com")
    user_id = entra.post_user(user)
    op = {
        "op": entra.mode.op("add"),
        "path": 'emails[type eq "work"].value',
        "value": "new@contoso.com",
    }
    fetched = entra.patch_user(user_id, patch_body(op))
    expected = copy.deepcopy(user)
    expected["emails"][0]["value"] = "new@contoso.com"
    assert_user(fetched, expected, user_id=user_id)
    assert [e["type"] for e in fetched["emails"]] == ["work"]


def test_scimgateway_117_array_of_value_objects(entra):
    """A filtered sub-attribute path whose value is [{"value": x}] instead of a scalar."""
    user = tut_user("arr@contoso.com")
    user_id = entra.post_user(user)
    op = {
        "op": entra.mode.op("add"),
        "path": 'emails[type eq "other"].value',
        "value": [{"value": "group-mail@contoso.com"}],
    }
    fetched = entra.patch_user(user_id, patch_body(op))
    expected = copy.deepcopy(user)
    expected["emails"].append({"type": "other", "value": "group-mail@contoso.com"})
    assert_user(fetched, expected, user_id=user_id)


@pytest.mark.parametrize(
    "path,value,expected_key",
    [
        (f"{ENTERPRISE}:department", "Retail", "department"),
        (f"{ENTERPRISE}:organization", "Contoso Ltd", "organization"),
        (f"{ENTERPRISE}:employeeNumber", "42", "employeeNumber"),
        (f"{ENTERPRISE}:costCenter", "CC-1", "costCenter"),
        (f"{ENTERPRISE}:division", "North", "division"),
    ],
)
def test_add_enterprise_attribute_by_urn_path(entra, path, value, expected_key):
    user = tut_user("ent@contoso.com")
    user_id = entra.post_user(user)
    fetched = entra.patch_user(
        user_id, patch_body({"op": entra.mode.op("add"), "path": path, "value": value})
    )
    assert_user(fetched, {**user, ENTERPRISE: {expected_key: value}}, user_id=user_id)


def test_custom_extension_attribute_not_in_schemas_is_accepted(entra):
    """ATTR: custom extension paths arrive without their URN in the request's schemas."""
    urn = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"
    user = tut_user("custom@contoso.com")
    user_id = entra.post_user(user)
    op = {"op": entra.mode.op("add"), "path": f"{urn}:CustomAttribute", "value": "Blue"}
    fetched = entra.patch_user(user_id, patch_body(op))
    assert_user(fetched, {**user, urn: {"CustomAttribute": "Blue"}}, user_id=user_id)
