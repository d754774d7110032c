"""What POST stores and GET returns: the document cleaning of RFC 7643 §2 / RFC 7644 §3.3
(nulls are "no value", names are case-insensitive, server attributes are the server's),
and each refusal's words (RFC 7644 §3.12)."""

import pytest

from tests.scim.support import CORE_GROUP, CORE_USER, ENTERPRISE, assert_scim_error

LEGACY = "urn:scim:schemas:extension:enterprise:1.0"
OTHER_URN = "urn:example:params:scim:schemas:extension:acme:2.0:User"


def manager(manager_id):
    """A manager as GET shows it: its id and where that user is (RFC 7643 §4.3)."""
    return {"value": manager_id, "$ref": f"http://127.0.0.1:8000/scim/v2/Users/{manager_id}"}


def stored(resource):
    return {k: v for k, v in resource.items() if k not in ("id", "meta", "schemas")}


CLEANED = {
    "RFC 7643 2.5 nulls and emptied values are dropped": (
        {
            "name": {"givenName": "A", "middleName": None, "honorificPrefix": {}},
            "emails": [{"value": None}, {}],
            "addresses": [],
            "title": None,
        },
        {"name": {"givenName": "A"}, "active": True},
    ),
    "RFC 7643 2.1 names in any case get their canonical spelling": (
        {
            "TITLE": "T",
            "Emails": [{"VALUE": "x@acme.test", "Type": "work"}],
            "Name": {"GIVENNAME": "G"},
        },
        {
            "title": "T",
            "emails": [{"value": "x@acme.test", "type": "work"}],
            "name": {"givenName": "G"},
            "active": True,
        },
    ),
    "RFC 7643 3.1 server attributes and password are not stored": (
        {
            "id": "mine",
            "meta": {"created": "2020"},
            "password": "secret",
            "groups": [{"value": "g"}],
        },
        {"active": True},
    ),
    "RFC 7643 2.3.2 active as a string": ({"active": "False"}, {"active": False}),
    "RFC 7643 2.4 a single object for a multi-valued attribute": (
        {"emails": {"value": "one@acme.test"}},
        {"emails": [{"value": "one@acme.test"}], "active": True},
    ),
    "RFC 7643 3.3 enterprise attributes sent at the top level join the extension object; "
    "what the object holds wins": (
        {ENTERPRISE: {"department": "A"}, "department": "B", "organization": "C"},
        {ENTERPRISE: {"department": "A", "organization": "C"}, "active": True},
    ),
    "RFC 7643 3.3 attributes of the enterprise extension it does not describe are kept": (
        {ENTERPRISE: {"department": "R", "badge": "7", "gone": None}},
        {ENTERPRISE: {"department": "R", "badge": "7"}, "active": True},
    ),
    "non-string values of attributes the product does not read are kept": (
        {"roles": [{"value": 5}], "x-custom": {"a": [1, None]}},
        {"roles": [{"value": 5}], "x-custom": {"a": [1]}, "active": True},
    ),
    "RFC 7643 4.3 manager as an id at the top level moves to the extension": (
        {"manager": "boss-1"},
        {ENTERPRISE: {"manager": manager("boss-1")}, "active": True},
    ),
    "manager as [{$ref, value}] (legacy Entra)": (
        {"manager": [None, {"$ref": "x", "value": "boss-2"}]},
        {ENTERPRISE: {"manager": manager("boss-2")}, "active": True},
    ),
    "manager as SCIM 1.1 managerId": (
        {ENTERPRISE: {"manager": {"managerId": "boss-3"}}},
        {ENTERPRISE: {"manager": manager("boss-3")}, "active": True},
    ),
    "an empty manager is no manager": (
        {ENTERPRISE: {"manager": {"value": ""}, "department": "D"}, "manager": " "},
        {ENTERPRISE: {"department": "D"}, "active": True},
    ),
    "the extension's own value wins over the same attribute at the top level": (
        {"department": "Top", ENTERPRISE: {"department": "Ext", "Division": "N"}},
        {ENTERPRISE: {"department": "Ext", "division": "N"}, "active": True},
    ),
    "a top-level extension attribute fills the extension": (
        {"department": "Top", "costCenter": "42"},
        {ENTERPRISE: {"department": "Top", "costCenter": "42"}, "active": True},
    ),
    "the SCIM 1.x enterprise URN is read as the standard one": (
        {LEGACY: {"department": "Legacy"}},
        {ENTERPRISE: {"department": "Legacy"}, "active": True},
    ),
    "sub-attributes the schema does not name are kept, and those after them": (
        {
            "name": {"pronunciation": "ah-LEE", "givenName": "Ali"},
            "emails": [{"label": "desk", "value": "ali@acme.test", "type": "work"}],
        },
        {
            "name": {"pronunciation": "ah-LEE", "givenName": "Ali"},
            "emails": [{"label": "desk", "value": "ali@acme.test", "type": "work"}],
            "active": True,
        },
    ),
    "an unknown extension is kept verbatim, nulls dropped": (
        {OTHER_URN: {"badge": "7", "gone": None}},
        {OTHER_URN: {"badge": "7"}, "active": True},
    ),
}


@pytest.mark.parametrize("attrs,expected", CLEANED.values(), ids=CLEANED.keys())
def test_post_stores_the_cleaned_document(api, attrs, expected):
    body = {"schemas": [CORE_USER], "userName": "doc@acme.test", **attrs}
    resp = api.post("/Users", body)
    assert resp.status_code == 201, resp.content
    assert stored(resp.json()) == {"userName": "doc@acme.test", **expected}
    assert stored(api.user(resp.json()["id"])) == stored(resp.json())


REFUSED = {
    "body not an object": (["x"], "invalidSyntax", "The request body must be a JSON object."),
    "no userName": (
        {"schemas": [CORE_USER]},
        "invalidValue",
        '"userName" is required and must be a non-empty string.',
    ),
    "blank userName": (
        {"userName": "  "},
        "invalidValue",
        '"userName" is required and must be a non-empty string.',
    ),
    "userName not a string": ({"userName": 5}, "invalidValue", '"userName" must be a string.'),
    "emails not a list": (
        {"userName": "u@acme.test", "emails": "x"},
        "invalidValue",
        '"emails" must be a list.',
    ),
    "an email not an object": (
        {"userName": "u@acme.test", "emails": ["x"]},
        "invalidValue",
        'Each "emails" value must be an object.',
    ),
    "an email value not a string": (
        {"userName": "u@acme.test", "phoneNumbers": [{"value": 5}]},
        "invalidValue",
        '"phoneNumbers.value" must be a string.',
    ),
    # RFC 7643 §2.3.7: a reference is a string in JSON.
    "a reference not a string": (
        {"userName": "u@acme.test", "profileUrl": 5},
        "invalidValue",
        '"profileUrl" must be a string.',
    ),
    "too many values": (
        {"userName": "u@acme.test", "roles": [{"value": str(i)} for i in range(101)]},
        "invalidValue",
        '"roles" has more than 100 values.',
    ),
    "name not an object": (
        {"userName": "u@acme.test", "name": "x"},
        "invalidValue",
        '"name" must be an object.',
    ),
    "a name part not a string": (
        {"userName": "u@acme.test", "name": {"givenName": 5}},
        "invalidValue",
        '"name.givenName" must be a string.',
    ),
    "active not a boolean": (
        {"userName": "u@acme.test", "active": "maybe"},
        "invalidValue",
        '"active" must be true or false.',
    ),
    "extension not an object": (
        {"userName": "u@acme.test", ENTERPRISE: "x"},
        "invalidValue",
        f'"{ENTERPRISE}" must be an object.',
    ),
    "manager not an id": (
        {"userName": "u@acme.test", ENTERPRISE: {"manager": 5}},
        "invalidValue",
        f'"{ENTERPRISE}:manager" must be an id or an object with a "value".',
    ),
    "manager value not a string": (
        {"userName": "u@acme.test", ENTERPRISE: {"manager": {"value": 5}}},
        "invalidValue",
        f'"{ENTERPRISE}:manager.value" must be a string.',
    ),
}


@pytest.mark.parametrize("body,scim_type,detail", REFUSED.values(), ids=REFUSED.keys())
def test_post_refusals_name_the_attribute(api, body, scim_type, detail):
    resp = api.post("/Users", body)
    assert assert_scim_error(resp, 400, scim_type)["detail"] == detail
    assert api.get("/Users").json()["totalResults"] == 0


def test_a_group_needs_a_display_name(api):
    resp = api.post("/Groups", {"schemas": [CORE_GROUP], "displayName": " "})
    detail = assert_scim_error(resp, 400, "invalidValue")["detail"]
    assert detail == '"displayName" is required and must be a non-empty string.'


def test_an_oversized_document_names_its_largest_attribute(api, settings):
    settings.SCIM_MAX_RESOURCE_BYTES = 200
    resp = api.post("/Users", {"userName": "u@acme.test", "title": "t" * 150, "nickName": "n"})
    detail = assert_scim_error(resp, 400, "invalidValue")["detail"]
    assert (
        detail
        == 'The resource is larger than 200 bytes; its largest attribute is "title" (152 bytes).'
    )
    resp = api.post("/Users", {"userName": "u@acme.test", "title": "t" * 100})
    assert resp.status_code == 201, resp.content
