"""/ServiceProviderConfig, /Schemas, /ResourceTypes: truthful, behind the token."""

import json
import os
from pathlib import Path

import pytest

from scim_hosts.mapping import GROUP_MAPPINGS, USER_MAPPINGS
from scim_hosts.protocol.paths import parse_path
from scim_hosts.protocol.schema import GROUP_SCHEMA, USER_SCHEMA
from tests.scim.support import CORE_GROUP, CORE_USER, ENTERPRISE, LIST_RESPONSE, assert_scim_error

BASE = "http://127.0.0.1:8000/scim/v2"


def test_service_provider_config(api):
    resp = api.get("/ServiceProviderConfig")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/scim+json"
    assert resp.json() == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 1000},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "Authentication with the account's SCIM secret token",
                "primary": True,
            },
            {
                "type": "httpbasic",
                "name": "HTTP Basic",
                "description": "The account's SCIM secret token as the password; any user name",
            },
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{BASE}/ServiceProviderConfig",
        },
    }


def test_resource_types(api):
    body = api.get("/ResourceTypes").json()
    assert body["schemas"] == [LIST_RESPONSE]
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (2, 1, 2)
    user, group = body["Resources"]
    assert user == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A host: an employee visitors come to see",
        "schema": CORE_USER,
        "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
        "meta": {"location": f"{BASE}/ResourceTypes/User", "resourceType": "ResourceType"},
    }
    assert (group["id"], group["endpoint"], group["schema"]) == ("Group", "/Groups", CORE_GROUP)
    assert "schemaExtensions" not in group
    assert api.get("/ResourceTypes/Group").json() == group
    assert_scim_error(api.get("/ResourceTypes/Device"), 404)


def test_schemas_list_and_by_id(api):
    body = api.get("/Schemas").json()
    assert body["schemas"] == [LIST_RESPONSE]
    assert (body["totalResults"], body["itemsPerPage"]) == (3, 3)
    by_id = {s["id"]: s for s in body["Resources"]}
    assert set(by_id) == {CORE_USER, ENTERPRISE, CORE_GROUP}
    for urn, schema in by_id.items():
        assert schema["meta"] == {"resourceType": "Schema", "location": f"{BASE}/Schemas/{urn}"}
        assert api.get(f"/Schemas/{urn}").json() == schema
    assert_scim_error(api.get("/Schemas/urn:nope"), 404)

    user_attrs = {a["name"]: a for a in by_id[CORE_USER]["attributes"]}
    assert "password" not in user_attrs and "groups" not in user_attrs
    assert user_attrs["userName"]["required"] is True
    assert user_attrs["userName"]["uniqueness"] == "server"
    assert user_attrs["userName"]["caseExact"] is False
    assert user_attrs["externalId"]["caseExact"] is True
    assert user_attrs["emails"]["multiValued"] is True
    assert {s["name"] for s in user_attrs["name"]["subAttributes"]} >= {"givenName", "familyName"}
    manager = {a["name"]: a for a in by_id[ENTERPRISE]["attributes"]}["manager"]
    assert {s["name"] for s in manager["subAttributes"]} == {"value", "$ref", "displayName"}
    members = {a["name"]: a for a in by_id[CORE_GROUP]["attributes"]}["members"]
    assert {s["name"] for s in members["subAttributes"]} == {"value", "$ref", "display"}


@pytest.mark.parametrize(
    "mappings,schema", [(USER_MAPPINGS, USER_SCHEMA), (GROUP_MAPPINGS, GROUP_SCHEMA)]
)
def test_every_mapped_attribute_is_described_by_the_schema(mappings, schema):
    for mapping in mappings:
        path = parse_path(mapping.scim_path, schema)
        assert path.attr_def is not None, mapping.scim_path
        if path.sub:
            assert path.sub_def is not None, mapping.scim_path


# What /Schemas publishes is a contract clients read (scim2-tester, Okta's and OneLogin's
# schema discovery, RFC 7643 §7): the whole document is pinned in schemas.json, so any change
# to an attribute's characteristics or text shows up in review as a change to that file.
# After a deliberate change, rewrite it with
#   SCIM_WRITE_SCHEMAS_SNAPSHOT=1 pytest tests/scim/protocol/test_discovery.py
SCHEMAS_SNAPSHOT = Path(__file__).with_name("schemas.json")


def test_schemas_are_what_schemas_json_pins(api):
    published = [
        {key: value for key, value in schema.items() if key != "meta"}
        for schema in api.get("/Schemas").json()["Resources"]
    ]
    if os.environ.get("SCIM_WRITE_SCHEMAS_SNAPSHOT"):
        SCHEMAS_SNAPSHOT.write_text(json.dumps(published, indent=2) + "\n")
    assert published == json.loads(SCHEMAS_SNAPSHOT.read_text())


def _attributes(schema_doc):
    return {a["name"]: a for a in schema_doc["attributes"]}


# RFC 7643 §7 and §8.7.1: the characteristics the RFC gives each attribute this service
# keeps (the common attributes id, meta and schemas are not listed: RFC 7643 §3.1).
@pytest.mark.parametrize(
    "urn,name,expected",
    [
        (CORE_USER, "userName", {"type": "string", "required": True, "uniqueness": "server"}),
        (CORE_USER, "active", {"type": "boolean", "multiValued": False, "required": False}),
        (CORE_USER, "emails", {"type": "complex", "multiValued": True}),
        (CORE_USER, "profileUrl", {"type": "reference", "referenceTypes": ["external"]}),
        (CORE_USER, "externalId", {"caseExact": True, "mutability": "readWrite"}),
        (ENTERPRISE, "manager", {"type": "complex", "multiValued": False}),
        (CORE_GROUP, "displayName", {"required": True, "uniqueness": "server"}),
        (CORE_GROUP, "members", {"type": "complex", "multiValued": True}),
    ],
)
def test_schema_attribute_characteristics_follow_rfc_7643(api, urn, name, expected):
    assert "id" not in _attributes(api.get(f"/Schemas/{urn}").json())
    attribute = _attributes(api.get(f"/Schemas/{urn}").json())[name]
    assert {key: attribute.get(key) for key in expected} == expected
    # Every definition carries every characteristic RFC 7643 §7 lists for it.
    assert {"name", "type", "multiValued", "description", "required", "mutability"} <= set(
        attribute
    )
    assert {"returned", "uniqueness"} <= set(attribute)
    # caseExact is a characteristic of text only (string, reference, binary).
    assert ("caseExact" in attribute) == (attribute["type"] in ("string", "reference", "binary"))


def test_multi_valued_attributes_describe_value_display_type_primary(api):
    """RFC 7643 §2.4: the default sub-attributes of a multi-valued attribute."""
    user = _attributes(api.get(f"/Schemas/{CORE_USER}").json())
    for name, types in [
        ("emails", ["work", "home", "other"]),
        ("phoneNumbers", ["work", "home", "mobile", "fax", "pager", "other"]),
        ("photos", ["photo", "thumbnail"]),
    ]:
        subs = {s["name"]: s for s in user[name]["subAttributes"]}
        assert list(subs) == ["value", "display", "type", "primary"], name
        assert subs["type"]["canonicalValues"] == types
        assert subs["primary"]["type"] == "boolean"
        assert "canonicalValues" not in subs["value"]
    assert user["photos"]["subAttributes"][0]["type"] == "reference"
    assert user["x509Certificates"]["subAttributes"][0]["type"] == "binary"
    members = {
        s["name"]: s
        for s in _attributes(api.get(f"/Schemas/{CORE_GROUP}").json())["members"]["subAttributes"]
    }
    assert members["$ref"]["referenceTypes"] == ["User"]
    assert (members["value"]["mutability"], members["display"]["mutability"]) == (
        "immutable",
        "readOnly",
    )
