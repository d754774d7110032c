"""PATCH on users: every path shape and Entra habit, atomicity, and the error types."""

import copy

import pytest

from tests.scim.support import CORE_USER, ENTERPRISE, PATCH_OP, assert_scim_error
from visitor_mgmt.models import Host

CUSTOM = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"

BASE = {
    "userName": "pat@acme.test",
    "displayName": "Pat Doe",
    "title": "Engineer",
    "name": {"givenName": "Pat", "familyName": "Doe", "formatted": "Pat Doe"},
    "emails": [{"type": "work", "value": "pat@acme.test", "primary": True}],
    "phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}],
    "addresses": [{"type": "work", "formatted": "17/1000"}],
    "roles": [{"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}],
    ENTERPRISE: {"department": "Retail", "manager": {"value": "boss-1"}},
}


def view(resource):
    """The resource without server keys, and its manager as stored (its $ref checked)."""
    manager = resource.get(ENTERPRISE, {}).get("manager")
    if manager is not None:
        ref = manager.pop("$ref")
        assert ref == f"http://127.0.0.1:8000/scim/v2/Users/{manager['value']}", ref
    return {k: v for k, v in resource.items() if k not in ("id", "meta", "schemas", "active")}


def expect(**changes):
    """BASE with top-level keys replaced (None deletes the key)."""
    out = copy.deepcopy(BASE)
    for key, value in changes.items():
        key = {"ENT": ENTERPRISE, "CUSTOM": CUSTOM}.get(key, key)
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


@pytest.fixture
def pat(api):
    resp = api.post("/Users", {"schemas": [CORE_USER, ENTERPRISE], **BASE})
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def patch_ok(api, user_id, *ops):
    resp = api.patch_ops(f"/Users/{user_id}", *ops)
    assert resp.status_code == 200, resp.content
    assert resp["Location"].endswith(f"/scim/v2/Users/{user_id}")
    body = resp.json()
    assert body == api.user(user_id)
    return body


ENT_DEPT = f"{ENTERPRISE}:department"
ENT_MANAGER = f"{ENTERPRISE}:manager"

CASES = {
    # --- simple and complex attributes
    "replace attr": (
        [{"op": "Replace", "path": "title", "value": "Lead"}],
        expect(title="Lead"),
    ),
    "add on single-valued replaces": (
        [{"op": "Add", "path": "displayName", "value": "Patricia"}],
        expect(displayName="Patricia"),
    ),
    "add new attr (COMPAT nickName)": (
        [{"op": "Add", "path": "nickName", "value": "Babs"}],
        expect(nickName="Babs"),
    ),
    "complex.sub": (
        [{"op": "replace", "path": "name.familyName", "value": "Roe"}],
        expect(name={"givenName": "Pat", "familyName": "Roe", "formatted": "Pat Doe"}),
    ),
    "complex object merges sub-attributes": (
        [{"op": "replace", "path": "name", "value": {"givenName": "Patty", "middleName": "Q"}}],
        expect(
            name={
                "givenName": "Patty",
                "familyName": "Doe",
                "formatted": "Pat Doe",
                "middleName": "Q",
            }
        ),
    ),
    "core URN-qualified path": (
        [{"op": "replace", "path": f"{CORE_USER}:title", "value": "CTO"}],
        expect(title="CTO"),
    ),
    "attribute name in another case": (
        [{"op": "replace", "path": "NAME.GIVENNAME", "value": "P"}],
        expect(name={"givenName": "P", "familyName": "Doe", "formatted": "Pat Doe"}),
    ),
    # --- filtered multi-valued paths
    "emails[type eq work].value replace": (
        [{"op": "Replace", "path": 'emails[type eq "work"].value', "value": "new@acme.test"}],
        expect(emails=[{"type": "work", "value": "new@acme.test", "primary": True}]),
    ),
    "emails add other creates element": (
        [{"op": "Add", "path": 'emails[type eq "other"].value', "value": "alt@acme.test"}],
        expect(emails=[BASE["emails"][0], {"type": "other", "value": "alt@acme.test"}]),
    ),
    "replace on absent filtered path creates it": (
        [{"op": "Replace", "path": 'phoneNumbers[type eq "work"].value', "value": "555"}],
        expect(phoneNumbers=[BASE["phoneNumbers"][0], {"type": "work", "value": "555"}]),
    ),
    "[{value: x}] on a filtered sub path": (
        [
            {
                "op": "Add",
                "path": 'emails[type eq "other"].value',
                "value": [{"value": "grp@acme.test"}],
            }
        ],
        expect(emails=[BASE["emails"][0], {"type": "other", "value": "grp@acme.test"}]),
    ),
    "addresses[type eq work].sub, several into one element": (
        [
            {"op": "Add", "path": 'addresses[type eq "work"].postalCode', "value": "98052"},
            {"op": "Replace", "path": 'addresses[type eq "work"].formatted', "value": "18/2111"},
            {"op": "Add", "path": 'addresses[type eq "home"].locality', "value": "Paris"},
        ],
        expect(
            addresses=[
                {"type": "work", "formatted": "18/2111", "postalCode": "98052"},
                {"type": "home", "locality": "Paris"},
            ]
        ),
    ),
    "roles[primary eq True].value (string True in the filter)": (
        [{"op": "Replace", "path": 'roles[primary eq "True"].value', "value": "Owner"}],
        expect(
            roles=[{"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "Owner"}]
        ),
    ),
    "add roles with stringified JSON value (default mode)": (
        [{"op": "Add", "path": "roles", "value": [{"value": '{"id":"1","value":"25"}'}]}],
        expect(roles=[BASE["roles"][0], {"value": '{"id":"1","value":"25"}'}]),
    ),
    "filtered element without sub-attribute merges an object": (
        [
            {
                "op": "replace",
                "path": 'emails[type eq "work"]',
                "value": {"value": "w@acme.test", "display": "W"},
            }
        ],
        expect(emails=[{"type": "work", "value": "w@acme.test", "primary": True, "display": "W"}]),
    ),
    "add element list with an existing type updates it (no 2nd work email)": (
        [{"op": "add", "path": "emails", "value": [{"type": "work", "value": "x@acme.test"}]}],
        expect(emails=[{"type": "work", "value": "x@acme.test", "primary": True}]),
    ),
    "add an identical element again is a no-op": (
        [{"op": "add", "path": "roles", "value": [BASE["roles"][0]]}],
        expect(),
    ),
    "replace whole multi-valued attribute": (
        [{"op": "replace", "path": "phoneNumbers", "value": [{"type": "fax", "value": "9"}]}],
        expect(phoneNumbers=[{"type": "fax", "value": "9"}]),
    ),
    # --- enterprise extension
    "URN department add": (
        [{"op": "Add", "path": ENT_DEPT, "value": "Sales"}],
        expect(ENT={"department": "Sales", "manager": {"value": "boss-1"}}),
    ),
    "URN employeeNumber add": (
        [{"op": "Add", "path": f"{ENTERPRISE}:employeeNumber", "value": "42"}],
        expect(
            ENT={"department": "Retail", "manager": {"value": "boss-1"}, "employeeNumber": "42"}
        ),
    ),
    "unqualified extension-only attribute (department)": (
        [{"op": "replace", "path": "department", "value": "Ops"}],
        expect(ENT={"department": "Ops", "manager": {"value": "boss-1"}}),
    ),
    "custom extension attribute": (
        [{"op": "add", "path": f"{CUSTOM}:CustomAttribute", "value": "Blue"}],
        expect(CUSTOM={"CustomAttribute": "Blue"}),
    ),
    "remove URN department": (
        [{"op": "Remove", "path": ENT_DEPT}],
        expect(ENT={"manager": {"value": "boss-1"}}),
    ),
    "remove the whole extension": (
        [{"op": "remove", "path": ENTERPRISE}],
        expect(ENT=None),
    ),
    # --- manager
    "manager as string": (
        [{"op": "replace", "path": ENT_MANAGER, "value": "boss-2"}],
        expect(ENT={"department": "Retail", "manager": {"value": "boss-2"}}),
    ),
    "manager as {value}": (
        [{"op": "replace", "path": ENT_MANAGER, "value": {"value": "boss-2"}}],
        expect(ENT={"department": "Retail", "manager": {"value": "boss-2"}}),
    ),
    "manager legacy Add [{$ref, value}] without URN": (
        [
            {
                "op": "Add",
                "path": "manager",
                "value": [{"$ref": "http://x/scim/Users/boss-2", "value": "boss-2"}],
            }
        ],
        expect(ENT={"department": "Retail", "manager": {"value": "boss-2"}}),
    ),
    "manager cleared with {value: ''}": (
        [{"op": "replace", "path": ENT_MANAGER, "value": {"value": ""}}],
        expect(ENT={"department": "Retail"}),
    ),
    "manager removed by value filter": (
        [{"op": "remove", "path": 'manager[value eq "boss-1"]'}],
        expect(ENT={"department": "Retail"}),
    ),
    "manager value filter that does not match removes nothing": (
        [{"op": "remove", "path": 'manager[value eq "someone-else"]'}],
        expect(),
    ),
    "manager.value sub path": (
        [{"op": "replace", "path": "manager.value", "value": "boss-3"}],
        expect(ENT={"department": "Retail", "manager": {"value": "boss-3"}}),
    ),
    # --- path-less values
    "path-less dotted and URN keys (COMPAT flag sample)": (
        [
            {
                "op": "replace",
                "value": {
                    "displayName": "Bjfe",
                    "name.givenName": "Kkom",
                    "name.familyName": "Unua",
                    f"{ENTERPRISE}:employeeNumber": "Aklq",
                },
            }
        ],
        expect(
            displayName="Bjfe",
            name={"givenName": "Kkom", "familyName": "Unua", "formatted": "Pat Doe"},
            ENT={"department": "Retail", "manager": {"value": "boss-1"}, "employeeNumber": "Aklq"},
        ),
    ),
    "path-less nested objects": (
        [{"op": "add", "value": {"name": {"middleName": "M"}, ENTERPRISE: {"division": "North"}}}],
        expect(
            name={**BASE["name"], "middleName": "M"},
            ENT={"department": "Retail", "manager": {"value": "boss-1"}, "division": "North"},
        ),
    ),
    "path-less with schemas key ignored": (
        [{"op": "replace", "value": {"schemas": ["x"], "title": "T"}}],
        expect(title="T"),
    ),
    "path-less id equal to the current id is ignored": (
        [{"op": "replace", "value": {"id": "__ID__", "title": "T"}}],
        expect(title="T"),
    ),
    # --- null and remove
    "null value clears (replace)": (
        [{"op": "replace", "path": "title", "value": None}],
        expect(title=None),
    ),
    "null value clears (add, filtered sub path)": (
        [{"op": "Add", "path": 'phoneNumbers[type eq "mobile"].value', "value": None}],
        expect(phoneNumbers=None),
    ),
    "path-less null clears": (
        [{"op": "replace", "value": {"displayName": None, "name.formatted": None}}],
        expect(displayName=None, name={"givenName": "Pat", "familyName": "Doe"}),
    ),
    "remove by path": (
        [{"op": "Remove", "path": "addresses"}],
        expect(addresses=None),
    ),
    "remove complex.sub": (
        [{"op": "remove", "path": "name.formatted"}],
        expect(name={"givenName": "Pat", "familyName": "Doe"}),
    ),
    "remove by value filter": (
        [{"op": "remove", "path": 'phoneNumbers[type eq "mobile"]'}],
        expect(phoneNumbers=None),
    ),
    "remove filtered .value drops the element (SCIMReferenceCode#87)": (
        [{"op": "Remove", "path": 'emails[type eq "work"].value', "value": "pat@acme.test"}],
        expect(emails=None),
    ),
    "remove with a value list removes just those values": (
        [
            {"op": "add", "path": "emails", "value": [{"type": "other", "value": "o@acme.test"}]},
            {"op": "Remove", "path": "emails", "value": [{"value": "pat@acme.test"}]},
        ],
        expect(emails=[{"type": "other", "value": "o@acme.test"}]),
    ),
    "remove of something absent is a no-op": (
        [
            {"op": "remove", "path": "nickName"},
            {"op": "remove", "path": 'emails[type eq "home"]'},
            {"op": "remove", "path": f"{CUSTOM}:x"},
        ],
        expect(),
    ),
    "ops apply in order": (
        [
            {"op": "add", "path": "nickName", "value": "A"},
            {"op": "replace", "path": "nickName", "value": "B"},
            {"op": "remove", "path": "nickName"},
            {"op": "add", "path": "nickName", "value": "C"},
        ],
        expect(nickName="C"),
    ),
}


@pytest.mark.parametrize("ops,expected", CASES.values(), ids=CASES.keys())
def test_patch_case(api, pat, ops, expected):
    ops = [
        {**op, "value": {**op["value"], "id": pat}}
        if isinstance(op.get("value"), dict) and op["value"].get("id") == "__ID__"
        else op
        for op in ops
    ]
    body = patch_ok(api, pat, *ops)
    assert view(body) == expected


@pytest.mark.parametrize("op", ["Add", "add", "ADD", "Replace", "replace", "rEpLaCe"])
@pytest.mark.parametrize("value", [False, "False", "false"])
def test_deactivate_in_every_casing_and_shape(api, pat, op, value):
    body = patch_ok(api, pat, {"op": op, "path": "active", "value": value})
    assert body["active"] is False
    assert Host.objects.get(public_id=pat).is_active is False
    body = patch_ok(
        api,
        pat,
        {
            "op": op,
            "path": "active",
            "value": {False: True, "False": "True", "false": "true"}[value],
        },
    )
    assert body["active"] is True


def test_patch_projects_onto_the_host(api, pat):
    patch_ok(
        api,
        pat,
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "n@acme.test"},
        {"op": "Add", "path": 'emails[type eq "other"].value', "value": "o@acme.test"},
        {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "555"},
        {"op": "Replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": "777"},
        {"op": "Replace", "path": "name.givenName", "value": "G"},
        {"op": "Replace", "path": "name.familyName", "value": "F"},
        {"op": "Replace", "path": "userName", "value": "renamed@acme.test"},
        {"op": "Replace", "path": "externalId", "value": "ext-9"},
        {"op": "Add", "path": f"{ENTERPRISE}:organization", "value": "Acme Ltd"},
        {"op": "Replace", "path": ENT_DEPT, "value": "Ops"},
    )
    host = Host.objects.get(public_id=pat)
    assert (host.email, host.alternate_email, host.mobile, host.alternate_mobile) == (
        "n@acme.test",
        "o@acme.test",
        "777",
        "555",
    )
    assert (host.first_name, host.last_name, host.username, host.external_id) == (
        "G",
        "F",
        "renamed@acme.test",
        "ext-9",
    )
    assert (host.organization, host.department) == ("Acme Ltd", "Ops")


def test_identical_patch_again_writes_nothing(api, pat, account):
    op = {"op": "Replace", "path": "title", "value": "Same"}
    first = patch_ok(api, pat, op)
    host = Host.objects.get(public_id=pat)
    events = account.provisioning_events.count()
    second = patch_ok(api, pat, op)
    assert second == first
    assert Host.objects.get(public_id=pat).updated_at == host.updated_at
    assert account.provisioning_events.count() == events


# ------------------------------------------------------------------ errors and atomicity

ERRORS = {
    "unknown op": ({"op": "frobnicate", "path": "title", "value": "x"}, "invalidSyntax"),
    "op missing": ({"path": "title", "value": "x"}, "invalidSyntax"),
    "op not a string": ({"op": 1, "path": "title", "value": "x"}, "invalidSyntax"),
    "operation not an object": ("replace title", "invalidSyntax"),
    "path not a string": ({"op": "replace", "path": 5, "value": "x"}, "invalidPath"),
    "unbalanced brackets": (
        {"op": "replace", "path": 'emails[type eq "work"', "value": "x"},
        "invalidPath",
    ),
    "bad filter in path": (
        {"op": "replace", "path": "emails[type eq].value", "value": "x"},
        "invalidPath",
    ),
    "three-level path": (
        {"op": "replace", "path": "name.givenName.x", "value": "x"},
        "invalidPath",
    ),
    "junk after the filter": (
        {"op": "replace", "path": 'emails[type eq "w"]x', "value": "x"},
        "invalidPath",
    ),
    "remove without path": ({"op": "remove"}, "noTarget"),
    "no match and no eq filter to build from": (
        {"op": "replace", "path": 'emails[type ne "work"].value', "value": "x@y.test"},
        "noTarget",
    ),
    "path-less with a non-object value": ({"op": "replace", "value": "x"}, "invalidValue"),
    "change id": ({"op": "replace", "path": "id", "value": "other"}, "mutability"),
    "change id path-less": ({"op": "replace", "value": {"id": "other"}}, "mutability"),
    "change meta": ({"op": "replace", "path": "meta.lastModified", "value": "2020"}, "mutability"),
    "change meta path-less": ({"op": "replace", "value": {"meta": {}}}, "mutability"),
    "groups are read-only": (
        {"op": "add", "path": "groups", "value": [{"value": "g"}]},
        "mutability",
    ),
    "userName emptied": ({"op": "replace", "path": "userName", "value": ""}, "invalidValue"),
    "userName removed": ({"op": "remove", "path": "userName"}, "invalidValue"),
    "userName not a string": ({"op": "replace", "path": "userName", "value": 7}, "invalidValue"),
    "userName too long": (
        {"op": "replace", "path": "userName", "value": "u" * 256},
        "invalidValue",
    ),
    "title too long": ({"op": "replace", "path": "title", "value": "t" * 256}, "invalidValue"),
    "active not boolean": ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
    "name not an object": ({"op": "replace", "path": "name", "value": "Pat"}, "invalidValue"),
    "email not an e-mail": (
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "not-an-email"},
        "invalidValue",
    ),
    "manager not a reference": ({"op": "replace", "path": ENT_MANAGER, "value": 5}, "invalidValue"),
}


@pytest.mark.parametrize("bad,scim_type", ERRORS.values(), ids=ERRORS.keys())
def test_one_bad_operation_fails_the_whole_patch(api, pat, account, bad, scim_type):
    before = api.user(pat)
    host_before = Host.objects.get(public_id=pat)
    good = {"op": "Replace", "path": "title", "value": "Changed"}
    resp = api.request("PATCH", f"/Users/{pat}", {"schemas": [PATCH_OP], "Operations": [good, bad]})
    assert_scim_error(resp, 400, scim_type)
    assert api.user(pat) == before
    host = Host.objects.get(public_id=pat)
    assert (host.title, host.updated_at) == (host_before.title, host_before.updated_at)


@pytest.mark.parametrize(
    "body",
    [{}, {"Operations": []}, {"Operations": "replace"}, {"schemas": [PATCH_OP]}],
    ids=["empty", "no ops", "ops not a list", "schemas only"],
)
def test_patch_body_without_operations_is_400(api, pat, body):
    assert_scim_error(api.request("PATCH", f"/Users/{pat}", body), 400, "invalidSyntax")


def test_patch_username_to_a_taken_one_is_409(api, pat):
    api.create_user("taken@acme.test")
    resp = api.patch_ops(
        f"/Users/{pat}", {"op": "replace", "path": "userName", "value": "TAKEN@acme.test"}
    )
    assert_scim_error(resp, 409, "uniqueness")
    assert api.user(pat)["userName"] == "pat@acme.test"


def test_operations_key_is_case_insensitive_and_may_come_first(api, pat):
    resp = api.request(
        "PATCH",
        f"/Users/{pat}",
        {"operations": [{"OP": "Replace", "PATH": "title", "VALUE": "X"}], "schemas": [PATCH_OP]},
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["title"] == "X"


def test_sub_attributes_of_a_new_element_in_any_order(api, pat):
    """Validator "Add Attributes (Verbose)": .display/.primary may come before .value."""
    body = patch_ok(
        api,
        pat,
        {"op": "add", "path": 'emails[type eq "home"].display', "value": "Home"},
        {"op": "add", "path": 'emails[type eq "home"].primary', "value": False},
        {"op": "add", "path": 'emails[type eq "home"].value', "value": "h@home.test"},
        {"op": "add", "path": 'ims[type eq "xmpp"].display', "value": "chat"},
    )
    assert body["emails"][1] == {
        "type": "home",
        "display": "Home",
        "primary": False,
        "value": "h@home.test",
    }
    assert body["ims"] == [{"type": "xmpp", "display": "chat"}]
    body = patch_ok(
        api, pat, {"op": "replace", "path": 'emails[type eq "home"].value', "value": None}
    )
    assert [e["type"] for e in body["emails"]] == ["work"]
    assert body["ims"] == [{"type": "xmpp", "display": "chat"}]


# ------------------------------------------------------------------ RFC 7644 §3.5.2, pinned
# What general SCIM 2.0 clients send (beyond Entra's habits above); each id names the section.

WORK_PHONE = {"type": "work", "value": "+44 20 7946 0000", "primary": True, "display": "Desk"}
MOBILE = BASE["phoneNumbers"][0]
ADD_WORK_PHONE = {"op": "add", "path": "phoneNumbers", "value": [WORK_PHONE]}

PROTOCOL_CASES = {
    "RFC 7644 3.5.2.1 add, path the extension URN, object value": (
        [{"op": "add", "path": ENTERPRISE, "value": {"employeeNumber": "7", "division": "N"}}],
        expect(
            ENT={
                "department": "Retail",
                "manager": {"value": "boss-1"},
                "employeeNumber": "7",
                "division": "N",
            }
        ),
    ),
    "RFC 7644 3.5.2.3 replace, path the extension URN, object value": (
        [{"op": "replace", "path": ENTERPRISE, "value": {"department": "Ops"}}],
        expect(ENT={"department": "Ops", "manager": {"value": "boss-1"}}),
    ),
    "RFC 7644 3.5.2.3 path-less value wrapped in the core schema URN": (
        [{"op": "replace", "value": {CORE_USER: {"title": "Boss", "name": {"givenName": "P"}}}}],
        expect(title="Boss", name={**BASE["name"], "givenName": "P"}),
    ),
    "RFC 7644 3.5.2.1 path-less core URN and extension URN side by side": (
        [{"op": "add", "value": {CORE_USER: {"nickName": "N"}, ENTERPRISE: {"division": "S"}}}],
        expect(
            nickName="N",
            ENT={"department": "Retail", "manager": {"value": "boss-1"}, "division": "S"},
        ),
    ),
    "RFC 7644 3.5.2.3 multi-valued sub-attribute without a filter (every element)": (
        [ADD_WORK_PHONE, {"op": "replace", "path": "phoneNumbers.type", "value": "other"}],
        expect(phoneNumbers=[{**MOBILE, "type": "other"}, {**WORK_PHONE, "type": "other"}]),
    ),
    "RFC 7644 3.5.2.1 add emails.value on an absent attribute creates an element": (
        [
            {"op": "remove", "path": "phoneNumbers"},
            {"op": "add", "path": "phoneNumbers.value", "value": "+1 555 0199"},
        ],
        expect(phoneNumbers=[{"value": "+1 555 0199"}]),
    ),
    "RFC 7644 3.5.2.2 remove emails.value without a filter drops the emptied elements": (
        [ADD_WORK_PHONE, {"op": "remove", "path": "phoneNumbers.value"}],
        expect(phoneNumbers=None),
    ),
    "RFC 7644 3.5.2.2 remove a sub-attribute of every element keeps the elements": (
        [ADD_WORK_PHONE, {"op": "remove", "path": "phoneNumbers.type"}],
        expect(phoneNumbers=[{"value": MOBILE["value"]}, {**WORK_PHONE, "type": None}]),
    ),
    "RFC 7644 3.5.2.2 remove with a plain value list": (
        [
            {"op": "add", "path": "emails", "value": [{"type": "other", "value": "o@acme.test"}]},
            {"op": "remove", "path": "emails", "value": ["PAT@acme.test"]},
        ],
        expect(emails=[{"type": "other", "value": "o@acme.test"}]),
    ),
    "RFC 7644 3.5.2.2 remove with a plain value list removing every element": (
        [{"op": "remove", "path": "emails", "value": ["pat@acme.test", "nobody@acme.test"]}],
        expect(emails=None),
    ),
    "RFC 7644 3.5.2.2 remove by {type, value}": (
        [ADD_WORK_PHONE, {"op": "remove", "path": "phoneNumbers", "value": [{"type": "WORK"}]}],
        expect(),
    ),
    "RFC 7644 3.5.2.1 add whose first value exists still adds the rest": (
        [{"op": "add", "path": "roles", "value": [BASE["roles"][0], {"value": "Reader"}]}],
        expect(roles=[BASE["roles"][0], {"value": "Reader"}]),
    ),
    "RFC 7644 3.5.2.1 add of a null element is skipped": (
        [{"op": "add", "path": "roles", "value": [None, {"value": "Reader"}]}],
        expect(roles=[BASE["roles"][0], {"value": "Reader"}]),
    ),
    "RFC 7644 3.5.2.1 add a single element object to a multi-valued attribute": (
        [{"op": "add", "path": "phoneNumbers", "value": WORK_PHONE}],
        expect(phoneNumbers=[MOBILE, WORK_PHONE]),
    ),
    "RFC 7644 3.5.2.1 add from a compound filter creates the element with both terms": (
        [
            {
                "op": "add",
                "path": 'emails[type eq "home" and primary eq false].value',
                "value": "h@home.test",
            }
        ],
        expect(
            emails=[
                BASE["emails"][0],
                {"type": "home", "primary": False, "value": "h@home.test"},
            ]
        ),
    ),
    "RFC 7644 3.5.2.3 replace from a compound filter with a string boolean": (
        [
            {
                "op": "replace",
                "path": 'emails[type eq "home" and primary eq "false"].display',
                "value": "Home",
            }
        ],
        expect(emails=[BASE["emails"][0], {"type": "home", "primary": False, "display": "Home"}]),
    ),
    "RFC 7644 3.5.2.3 and inside a path filter": (
        [
            ADD_WORK_PHONE,
            {
                "op": "replace",
                "path": 'phoneNumbers[type eq "work" and primary eq true].display',
                "value": "Front desk",
            },
        ],
        expect(phoneNumbers=[MOBILE, {**WORK_PHONE, "display": "Front desk"}]),
    ),
    "RFC 7644 3.5.2.3 or inside a path filter": (
        [
            ADD_WORK_PHONE,
            {
                "op": "replace",
                "path": 'phoneNumbers[type eq "fax" or type eq "mobile"].value',
                "value": "+1 555 0111",
            },
        ],
        expect(phoneNumbers=[{**MOBILE, "value": "+1 555 0111"}, WORK_PHONE]),
    ),
    "RFC 7644 3.5.2.3 filtered element value null removes the element": (
        [ADD_WORK_PHONE, {"op": "replace", "path": 'phoneNumbers[type eq "work"]', "value": None}],
        expect(),
    ),
    "RFC 7644 3.5.2.3 filtered sub-attribute null keeps the element": (
        [
            ADD_WORK_PHONE,
            {"op": "replace", "path": 'phoneNumbers[type eq "work"].display', "value": None},
        ],
        expect(phoneNumbers=[MOBILE, {k: v for k, v in WORK_PHONE.items() if k != "display"}]),
    ),
    "RFC 7644 3.5.2.2 remove a filtered sub-attribute keeps the element": (
        [ADD_WORK_PHONE, {"op": "remove", "path": 'phoneNumbers[type eq "work"].display'}],
        expect(phoneNumbers=[MOBILE, {k: v for k, v in WORK_PHONE.items() if k != "display"}]),
    ),
    "RFC 7644 3.5.2.2 remove of a sub-attribute on a single-valued complex attribute": (
        [{"op": "remove", "path": 'name[givenName eq "Pat"].formatted'}],
        expect(name={"givenName": "Pat", "familyName": "Doe"}),
    ),
    "RFC 7644 3.5.2.2 remove the manager's value through a filter removes the manager": (
        [{"op": "remove", "path": 'manager[value eq "BOSS-1"].value'}],
        expect(ENT={"department": "Retail"}),
    ),
    "RFC 7644 3.5.2.3 replace through a filter on a single-valued complex attribute": (
        [{"op": "replace", "path": 'name[givenName eq "pat"].familyName', "value": "Roe"}],
        expect(name={**BASE["name"], "familyName": "Roe"}),
    ),
    "RFC 7644 3.5.2.2 remove through a filter on a single-valued complex attribute": (
        [{"op": "remove", "path": 'name[givenName eq "Pat"]'}],
        expect(name=None),
    ),
    "RFC 7644 3.5.2.3 replace a single-valued complex sub-attribute when absent": (
        [
            {"op": "remove", "path": "name"},
            {"op": "replace", "path": "name.givenName", "value": "New"},
        ],
        expect(name={"givenName": "New"}),
    ),
    "RFC 7644 3.5.2.2 removing the last sub-attribute removes the complex attribute": (
        [
            {"op": "replace", "path": "name", "value": None},
            {"op": "add", "path": "name.givenName", "value": "Only"},
            {"op": "remove", "path": "name.givenName"},
        ],
        expect(name=None),
    ),
    # RFC 7643 2.1: a sub-attribute named in another case is the same one, so the element
    # then equals one sent with the schema's spelling, and adding that is no change.
    "RFC 7644 3.5.2.3 sub-attribute in another case merged into a filtered element": (
        [
            {"op": "replace", "path": 'roles[value eq "Admin"]', "value": {"DISPLAY": "Boss"}},
            {"op": "add", "path": "roles", "value": [{**BASE["roles"][0], "display": "Boss"}]},
        ],
        expect(roles=[{**BASE["roles"][0], "display": "Boss"}]),
    ),
    "RFC 7644 3.5.2.1 element built from a filter naming attributes in another case": (
        [
            {"op": "add", "path": 'roles[TYPE eq "app"].VALUE', "value": "Reader"},
            {"op": "add", "path": "roles", "value": [{"type": "app", "value": "Reader"}]},
        ],
        expect(roles=[BASE["roles"][0], {"type": "app", "value": "Reader"}]),
    ),
    "RFC 7644 3.5.2.2 remove with a single value (not a list)": (
        [{"op": "remove", "path": "emails", "value": "pat@acme.test"}],
        expect(emails=None),
    ),
    "RFC 7644 3.5.2.2 remove by value, its key in another case": (
        [{"op": "remove", "path": "emails", "value": [{"VALUE": "PAT@acme.test"}]}],
        expect(emails=None),
    ),
    "RFC 7644 3.5.2.2 remove by an object without value or type matches only an equal element": (
        [
            {"op": "remove", "path": "roles", "value": [{"display": "Admin"}]},
            {"op": "remove", "path": "addresses", "value": [{"formatted": "17/1000"}]},
        ],
        expect(),
    ),
    "RFC 7644 3.5.2.2 remove from a list of plain values": (
        [
            {"op": "add", "path": f"{CUSTOM}:tags", "value": ["a", "B", 5, {"value": "c"}]},
            {"op": "remove", "path": f"{CUSTOM}:tags", "value": ["b", 5, "5", {"value": "a"}]},
        ],
        expect(CUSTOM={"tags": ["a", {"value": "c"}]}),
    ),
    "RFC 7644 3.5.2.1 add a sub-attribute of every element of an emptied list creates one": (
        [
            {"op": "replace", "path": "phoneNumbers", "value": []},
            {"op": "add", "path": "phoneNumbers.value", "value": "+1 555 0199"},
        ],
        expect(phoneNumbers=[{"value": "+1 555 0199"}]),
    ),
    "RFC 7644 3.5.2.3 null for the value of every element drops the emptied elements": (
        [{"op": "replace", "path": "phoneNumbers.value", "value": None}],
        expect(phoneNumbers=None),
    ),
    "RFC 7644 3.5.2.2 remove the value of every element, the value sent with the op": (
        [{"op": "remove", "path": "phoneNumbers.value", "value": MOBILE["value"]}],
        expect(phoneNumbers=None),
    ),
    "RFC 7644 3.5.2.2 remove a sub-attribute that no element has": (
        [{"op": "remove", "path": "phoneNumbers.display"}],
        expect(),
    ),
    "RFC 7644 3.5.2.2 remove a complex sub-attribute, the value sent with the op": (
        [{"op": "remove", "path": "name.givenName", "value": "Pat"}],
        expect(name={"familyName": "Doe", "formatted": "Pat Doe"}),
    ),
    "RFC 7644 3.5.2.2 remove an absent complex sub-attribute": (
        [{"op": "remove", "path": "name.middleName"}],
        expect(),
    ),
    "RFC 7644 3.5.2.3 null for an absent attribute": (
        [{"op": "replace", "path": "nickName", "value": None}],
        expect(),
    ),
    "RFC 7644 3.5.2.3 replace an absent complex attribute with an object": (
        [
            {"op": "remove", "path": "name"},
            {"op": "replace", "path": "name", "value": {"givenName": "New"}},
        ],
        expect(name={"givenName": "New"}),
    ),
    "RFC 7644 3.5.2.2 remove through a filter a sub-attribute the element lacks": (
        [{"op": "remove", "path": 'emails[type eq "work"].display'}],
        expect(),
    ),
    "RFC 7644 3.5.2.3 null through a filter for a sub-attribute the element lacks": (
        [{"op": "replace", "path": 'emails[type eq "work"].display', "value": None}],
        expect(),
    ),
    "RFC 7644 3.5.2.1 setting a filtered value keeps the other elements without one": (
        [
            {"op": "add", "path": 'ims[type eq "xmpp"].display', "value": "chat"},
            {"op": "add", "path": 'ims[type eq "aim"].value', "value": "pat42"},
        ],
        expect(ims=[{"type": "xmpp", "display": "chat"}, {"type": "aim", "value": "pat42"}]),
    ),
    "RFC 7644 3.5.2.1 a whole element as the value of a filtered .value path": (
        [
            {
                "op": "add",
                "path": 'emails[type eq "other"].value',
                "value": [
                    {
                        "value": "o@acme.test",
                        "$ref": "mailto:o@acme.test",
                        "display": "O",
                        "primary": False,
                        "type": "other",
                    }
                ],
            }
        ],
        expect(emails=[BASE["emails"][0], {"type": "other", "value": "o@acme.test"}]),
    ),
    "RFC 7644 3.4.2.2 pr in a path filter: an empty string is not a value": (
        [
            {"op": "add", "path": "phoneNumbers", "value": [{**WORK_PHONE, "display": ""}]},
            {"op": "remove", "path": "phoneNumbers[display pr]"},
        ],
        expect(phoneNumbers=[MOBILE, {**WORK_PHONE, "display": ""}]),
    ),
}


@pytest.mark.parametrize("ops,expected", PROTOCOL_CASES.values(), ids=PROTOCOL_CASES.keys())
def test_patch_protocol_case(api, pat, ops, expected):
    body = patch_ok(api, pat, *ops)
    expected = copy.deepcopy(expected)
    for element in expected.get("phoneNumbers", []):
        if element.get("type", "") is None:
            element.pop("type")
    assert view(body) == expected


# §3.5.2 valuePath: every comparison operator inside a path filter, seen through a
# remove (the elements left) on [mobile "+1 555 0100", work "+44 20 7946 0000" primary].
PATH_FILTERS = {
    'value co "555"': ["work"],
    'value sw "+44"': ["mobile"],
    'value ew "0100"': ["work"],
    'type ne "mobile"': ["mobile"],
    'value gt "+2"': ["mobile"],
    'value ge "+44 20 7946 0000"': ["mobile"],
    'value lt "+2"': ["work"],
    'value le "+1 555 0100"': ["work"],
    "display pr": ["mobile"],
    "display eq null": ["work"],
    "display ne null": ["mobile"],
    "primary eq true": ["mobile"],
    "primary ne true": ["work"],
    'primary eq "True"': ["mobile"],
    'not (type eq "mobile")': ["mobile"],
    'type eq "mobile" and value sw "+1"': ["work"],
    'type eq "mobile" and value sw "+44"': ["mobile", "work"],
    'type eq "fax" or primary eq true': ["mobile"],
    '(type eq "fax" or type eq "work") and display eq "desk"': ["mobile"],
    'TYPE eq "MOBILE"': ["work"],
    'type co "obi"': ["work"],
    'type sw "x"': ["mobile", "work"],
    "value gt 5": ["mobile", "work"],  # a number against a string never orders
    "value gt null": ["mobile", "work"],  # null only answers eq and ne
    "primary gt false": ["mobile", "work"],  # booleans only answer eq and ne
    "primary ne false": [],
}


@pytest.mark.parametrize("expression,left", PATH_FILTERS.items(), ids=PATH_FILTERS.keys())
def test_path_filter_operators(api, pat, expression, left):
    body = patch_ok(
        api, pat, ADD_WORK_PHONE, {"op": "remove", "path": f"phoneNumbers[{expression}]"}
    )
    assert [e["type"] for e in body.get("phoneNumbers", [])] == left


PROTOCOL_ERRORS = {
    "RFC 7644 3.5.2.3 no element matches on a single-valued attribute": (
        {"op": "replace", "path": 'name[givenName eq "Nobody"].familyName', "value": "X"},
        "noTarget",
    ),
    "RFC 7644 3.5.2.3 no element matches on the manager": (
        {"op": "replace", "path": 'manager[value eq "nobody"].value', "value": "X"},
        "noTarget",
    ),
    "RFC 7644 3.5.2.3 no match with an or filter cannot build an element": (
        {"op": "add", "path": 'emails[type eq "a" or type eq "b"].value', "value": "x@y.test"},
        "noTarget",
    ),
    "RFC 7644 3.5.2.3 no match with a not filter cannot build an element": (
        {"op": "add", "path": 'emails[not (type eq "work")].value', "value": "x@y.test"},
        "noTarget",
    ),
    "RFC 7644 3.5.2.3 no match with an and filter holding a co term cannot build an element": (
        {"op": "add", "path": 'emails[type eq "home" and value co "x"].display', "value": "H"},
        "noTarget",
    ),
    "RFC 7644 3.5.2.3 no match with an and filter whose first term is co": (
        {"op": "add", "path": 'emails[value co "x" and type eq "home"].display', "value": "H"},
        "noTarget",
    ),
    "RFC 7644 3.5.2.3 filtered element with a non-object value": (
        {"op": "replace", "path": 'emails[type eq "work"]', "value": "x@y.test"},
        "invalidValue",
    ),
    "RFC 7644 3.5.2 nested value filter in a path": (
        {"op": "replace", "path": 'emails[type[value eq "x"]].value', "value": "x@y.test"},
        "invalidPath",
    ),
    "RFC 7644 3.5.2 a schema URN alone is not a path": (
        {"op": "replace", "path": CORE_USER, "value": {"title": "x"}},
        "invalidPath",
    ),
    "RFC 7644 3.5.2 extension URN path with a filter": (
        {"op": "replace", "path": f'{ENTERPRISE}[value eq "x"]', "value": "x"},
        "invalidPath",
    ),
    "RFC 7644 3.5.2.1 extension URN path with a non-object value": (
        {"op": "add", "path": ENTERPRISE, "value": "Sales"},
        "invalidValue",
    ),
    "RFC 7644 3.5.2 attribute name with a bad character": (
        {"op": "replace", "path": "ti tle", "value": "x"},
        "invalidPath",
    ),
    "RFC 7644 3.5.2 empty path on replace is path-less, so needs an object": (
        {"op": "replace", "path": "  ", "value": "x"},
        "invalidValue",
    ),
    "RFC 7644 3.5.2.2 remove with an empty path": ({"op": "remove", "path": ""}, "noTarget"),
}


@pytest.mark.parametrize("bad,scim_type", PROTOCOL_ERRORS.values(), ids=PROTOCOL_ERRORS.keys())
def test_protocol_errors(api, pat, bad, scim_type):
    before = api.user(pat)
    assert_scim_error(api.patch_ops(f"/Users/{pat}", bad), 400, scim_type)
    assert api.user(pat) == before


def test_post_with_core_attributes_wrapped_in_the_core_urn(api):
    """RFC 7643 §3 / RFC 7644 §3.3: attributes may be qualified by their schema URN; core
    ones wrapped in an object under the core URN are the document's own."""
    resp = api.post(
        "/Users",
        {
            "schemas": [CORE_USER, ENTERPRISE],
            CORE_USER: {"userName": "wrapped@acme.test", "title": "Chef"},
            ENTERPRISE: {"department": "Kitchen"},
        },
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["userName"], body["title"]) == ("wrapped@acme.test", "Chef")
    assert body[ENTERPRISE] == {"department": "Kitchen"}
    assert CORE_USER not in body
    host = Host.objects.get(public_id=body["id"])
    assert (host.username, host.title, host.department) == ("wrapped@acme.test", "Chef", "Kitchen")


def test_a_remove_of_the_id_is_refused_even_naming_the_id_itself(api, pat):
    """RFC 7643 §3.1 (id is readOnly) with RFC 7644 §3.5.2: a replace with the id the
    resource already has changes nothing and is accepted; a remove is refused (mutability)
    whatever value it carries."""
    same = {"op": "replace", "path": "id", "value": pat}
    assert api.patch_ops(f"/Users/{pat}", same).status_code == 200
    before = api.user(pat)
    remove = {"op": "remove", "path": "id", "value": pat}
    body = assert_scim_error(api.patch_ops(f"/Users/{pat}", remove), 400, "mutability")
    assert body["detail"] == 'Operation 1: "id" is read-only.'
    assert api.user(pat) == before
