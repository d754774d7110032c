"""Users ⇄ Hosts: create, read, replace, delete; what is stored and projected."""

import copy
import uuid
from datetime import datetime

import pytest

from tests.factories import HostFactory
from tests.scim.support import (
    CORE_USER,
    ENTERPRISE,
    SCIM_JSON,
    assert_list_response,
    assert_scim_error,
    filter_qs,
)
from visitor_mgmt.models import Host, Source

# Every attribute of Entra's default user mapping (docs/identity-providers/entra.md §2), plus the
# optional ones.
FULL_USER = {
    "schemas": [CORE_USER, ENTERPRISE],
    "externalId": "alice",
    "userName": "Alice@Acme.test",
    "active": True,
    "displayName": "Alice Smith",
    "title": "Engineer",
    "preferredLanguage": "en-US",
    "nickName": "Al",
    "locale": "en-US",
    "timezone": "Europe/Paris",
    "userType": "Employee",
    "profileUrl": "https://acme.test/alice",
    "name": {
        "formatted": "Alice Smith",
        "familyName": "Smith",
        "givenName": "Alice",
        "middleName": "B",
        "honorificPrefix": "Dr",
        "honorificSuffix": "III",
    },
    "emails": [
        {"type": "work", "value": "alice@acme.test", "primary": True},
        {"type": "other", "value": "alice.alt@acme.test"},
        {"type": "home", "value": "alice@home.test"},
    ],
    "phoneNumbers": [
        {"type": "work", "value": "55555555555"},
        {"type": "mobile", "value": "+1 (425) 555-0100"},
        {"type": "fax", "value": "555-0199"},
    ],
    "addresses": [
        {
            "type": "work",
            "formatted": "17/1000",
            "streetAddress": "1 Microsoft Way",
            "locality": "Redmond",
            "region": "WA",
            "postalCode": "98052",
            "country": "US",
            "primary": True,
        }
    ],
    "roles": [{"primary": "True", "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}],
    "entitlements": [{"value": "kiosk"}],
    "x-custom-top-level": {"kept": ["as", "sent"]},
    ENTERPRISE: {
        "employeeNumber": "E-0042",
        "costCenter": "CC-1",
        "organization": "Acme Ltd",
        "division": "North",
        "department": "Retail",
        "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"},
    },
    "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User": {"badge": "B-7"},
    "meta": {"resourceType": "User"},
}


USERS = "http://127.0.0.1:8000/scim/v2/Users"


def without_server_keys(resource):
    return {k: v for k, v in resource.items() if k not in ("id", "meta", "schemas")}


def test_post_returns_201_the_whole_resource_and_location(api, account):
    resp = api.post("/Users", FULL_USER)
    assert resp.status_code == 201, resp.content
    assert resp["Content-Type"] == SCIM_JSON
    body = resp.json()
    user_id = body["id"]
    uuid.UUID(user_id)
    assert resp["Location"] == f"http://127.0.0.1:8000/scim/v2/Users/{user_id}"
    expected = copy.deepcopy(FULL_USER)
    del expected["meta"], expected["schemas"]
    manager = expected[ENTERPRISE]["manager"]
    manager["$ref"] = f"http://127.0.0.1:8000/scim/v2/Users/{manager['value']}"  # RFC 7643 §4.3
    assert without_server_keys(body) == expected
    assert body["schemas"] == [
        CORE_USER,
        ENTERPRISE,
        "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User",
    ]
    meta = body["meta"]
    assert set(meta) == {"resourceType", "created", "lastModified", "location"}
    assert meta["resourceType"] == "User"
    assert meta["location"] == resp["Location"]
    assert meta["created"].endswith("Z")
    datetime.fromisoformat(meta["created"].replace("Z", "+00:00"))

    host = Host.objects.get(public_id=user_id)
    assert host.account == account
    assert host.source == Source.DIRECTORY
    assert (host.username, host.external_id, host.is_active) == ("Alice@Acme.test", "alice", True)
    assert (host.first_name, host.last_name, host.display_name) == ("Alice", "Smith", "Alice Smith")
    assert (host.email, host.alternate_email) == ("alice@acme.test", "alice.alt@acme.test")
    assert (host.mobile, host.alternate_mobile) == ("+1 (425) 555-0100", "55555555555")
    assert (host.title, host.department, host.organization) == ("Engineer", "Retail", "Acme Ltd")

    assert api.user(user_id) == body


def test_get_returns_exactly_what_was_sent(api):
    created = api.post("/Users", FULL_USER).json()
    (found,) = assert_list_response(
        api.get("/Users?" + filter_qs('userName eq "alice@acme.test"')), total=1
    )
    assert found == created == api.user(created["id"])


def test_post_ignores_nulls_meta_id_password_and_groups(api):
    body = {
        "schemas": [CORE_USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
        "id": "client-chosen-id",
        "userName": "n@acme.test",
        "password": "s3cret",
        "groups": [{"value": "x"}],
        "addresses": None,
        "phoneNumbers": None,
        "title": None,
        "name": {"givenName": "N", "familyName": None},
        "roles": [],
        "department": None,
        "manager": None,
        "meta": {"resourceType": "User"},
    }
    created = api.post("/Users", body).json()
    assert created["id"] != "client-chosen-id"
    assert without_server_keys(created) == {
        "userName": "n@acme.test",
        "name": {"givenName": "N"},
        "active": True,
    }
    host = Host.objects.get(public_id=created["id"])
    assert "password" not in host.directory_data
    assert "s3cret" not in str(host.directory_data)


def test_minimal_user_gets_active_true(api):
    created = api.create_user("min@acme.test")
    assert without_server_keys(created) == {"userName": "min@acme.test", "active": True}
    assert created["schemas"] == [CORE_USER]


@pytest.mark.parametrize(
    "value,expected",
    [
        (True, True),
        (False, False),
        ("True", True),
        ("False", False),
        ("true", True),
        ("false", False),
    ],
)
def test_post_accepts_boolean_strings_for_active(api, value, expected):
    created = api.create_user("a@acme.test", active=value)
    assert created["active"] is expected
    assert Host.objects.get(public_id=created["id"]).is_active is expected


def test_top_level_enterprise_attributes_move_into_the_extension(api):
    created = api.create_user("m@acme.test", department="Ops", manager="boss-id")
    assert created[ENTERPRISE] == {
        "department": "Ops",
        "manager": {"value": "boss-id", "$ref": USERS + "/boss-id"},
    }
    assert "department" not in created and "manager" not in created
    assert Host.objects.get(public_id=created["id"]).department == "Ops"


@pytest.mark.parametrize(
    "manager,expected",
    [
        ("boss", {"value": "boss"}),
        ({"value": "boss"}, {"value": "boss"}),
        ([{"$ref": "https://x/scim/v2/Users/boss", "value": "boss"}], {"value": "boss"}),
        ({"value": "boss", "displayName": "Boss"}, {"value": "boss"}),  # read-only: ours
        ({"value": ""}, None),
        ("", None),
        # A list (as some clients send every complex value): its first non-empty element.
        (["", None, {}, "boss"], {"value": "boss"}),
        ([], None),
        ([None, ""], None),
        ({"managerId": "boss"}, {"value": "boss"}),  # SCIM 1.1's name for it
    ],
)
def test_manager_shapes_are_stored_as_value_object(api, manager, expected):
    created = api.create_user("w@acme.test", **{ENTERPRISE: {"manager": manager}})
    stored = Host.objects.get(public_id=created["id"]).directory_data
    assert stored.get(ENTERPRISE, {}).get("manager") == expected
    if expected:  # returned with the $ref this service computes (RFC 7643 §4.3)
        expected = {**expected, "$ref": USERS + "/" + expected["value"]}
    assert created.get(ENTERPRISE, {}).get("manager") == expected


def test_attribute_names_are_case_insensitive(api):
    body = {
        "UserName": "ci@acme.test",
        "NAME": {"GivenName": "C"},
        "Active": "False",
        "EMAILS": [{"Type": "work", "Value": "ci@acme.test"}],
    }
    created = api.post("/Users", body).json()
    assert without_server_keys(created) == {
        "userName": "ci@acme.test",
        "name": {"givenName": "C"},
        "active": False,
        "emails": [{"type": "work", "value": "ci@acme.test"}],
    }
    host = Host.objects.get(public_id=created["id"])
    assert (host.first_name, host.email, host.is_active) == ("C", "ci@acme.test", False)


def test_email_falls_back_to_primary_then_work_wins(api):
    created = api.create_user(
        "p@acme.test", emails=[{"type": "home", "value": "home@p.test", "primary": True}]
    )
    assert Host.objects.get(public_id=created["id"]).email == "home@p.test"
    created = api.create_user(
        "p2@acme.test",
        emails=[
            {"type": "home", "value": "home@p.test", "primary": True},
            {"type": "work", "value": "work@p.test"},
        ],
    )
    assert Host.objects.get(public_id=created["id"]).email == "work@p.test"


@pytest.mark.parametrize(
    "body,detail_part",
    [
        ({}, "userName"),
        ({"userName": ""}, "userName"),
        ({"userName": "   "}, "userName"),
        ({"userName": 42}, "userName"),
        ({"userName": ["a"]}, "userName"),
        ({"userName": "x" * 256}, "userName"),
        ({"userName": "u@acme.test", "externalId": "e" * 256}, "externalId"),
        ({"userName": "u@acme.test", "displayName": "d" * 256}, "displayName"),
        ({"userName": "u@acme.test", "name": {"givenName": "g" * 151}}, "name.givenName"),
        ({"userName": "u@acme.test", "name": "Alice"}, "name"),
        ({"userName": "u@acme.test", "name": {"givenName": 7}}, "name.givenName"),
        ({"userName": "u@acme.test", "active": "maybe"}, "active"),
        ({"userName": "u@acme.test", "active": 1}, "active"),
        ({"userName": "u@acme.test", "emails": "a@b.test"}, "emails"),
        ({"userName": "u@acme.test", "emails": ["a@b.test"]}, "emails"),
        ({"userName": "u@acme.test", "emails": [{"type": "work", "value": 5}]}, "emails"),
        ({"userName": "u@acme.test", "emails": [{"type": "work", "value": "nope"}]}, "emails"),
        (
            {"userName": "u@acme.test", "phoneNumbers": [{"type": "mobile", "value": "9" * 65}]},
            "phoneNumbers",
        ),
        ({"userName": "u@acme.test", ENTERPRISE: "Retail"}, ENTERPRISE),
        ({"userName": "u@acme.test", ENTERPRISE: {"department": 3}}, "department"),
        ({"userName": "u@acme.test", ENTERPRISE: {"manager": 3}}, "manager"),
    ],
)
def test_invalid_values_are_400_naming_the_attribute(api, account, body, detail_part):
    body = {"schemas": [CORE_USER], **body}
    error = assert_scim_error(api.post("/Users", body), 400, "invalidValue")
    assert detail_part in error["detail"]
    assert not account.hosts.exists()


def test_empty_body_is_400(api):
    assert_scim_error(api.post("/Users", ""), 400)


@pytest.mark.parametrize("variant", ["alice@acme.test", "ALICE@ACME.TEST", "Alice@Acme.Test"])
def test_duplicate_username_in_any_case_is_409_uniqueness(api, account, variant):
    api.create_user("Alice@Acme.test")
    assert_scim_error(api.post("/Users", {"userName": variant}), 409, "uniqueness")
    assert account.hosts.count() == 1


def test_same_username_in_two_accounts_is_fine(api, other_api):
    api.create_user("shared@x.test")
    other_api.create_user("shared@x.test")


def test_put_replaces_the_whole_resource(api):
    created = api.post("/Users", FULL_USER).json()
    replacement = {
        "schemas": [CORE_USER],
        "userName": "alice@acme.test",
        "name": {"givenName": "Alicia"},
        "active": "False",
    }
    resp = api.put(f"/Users/{created['id']}", replacement)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert resp["Location"] == body["meta"]["location"]
    assert without_server_keys(body) == {
        "userName": "alice@acme.test",
        "name": {"givenName": "Alicia"},
        "active": False,
    }
    assert body["meta"]["created"] == created["meta"]["created"]
    host = Host.objects.get(public_id=created["id"])
    assert (host.first_name, host.last_name, host.email, host.mobile, host.department) == (
        "Alicia",
        "",
        "",
        "",
        "",
    )
    assert host.is_active is False
    assert api.user(created["id"]) == body


def test_put_to_a_taken_username_is_409(api):
    api.create_user("one@acme.test")
    two = api.create_user("two@acme.test")
    assert_scim_error(
        api.put(f"/Users/{two['id']}", {"userName": "ONE@acme.test"}), 409, "uniqueness"
    )
    assert api.user(two["id"])["userName"] == "two@acme.test"


def test_put_may_change_only_the_case_of_its_own_username(api):
    user = api.create_user("case@acme.test")
    resp = api.put(f"/Users/{user['id']}", {"userName": "CASE@acme.test"})
    assert resp.status_code == 200
    assert resp.json()["userName"] == "CASE@acme.test"


def test_delete_tombstones_then_404_and_the_username_is_free(api, account):
    user = api.create_user("bye@acme.test")
    resp = api.delete(f"/Users/{user['id']}")
    assert resp.status_code == 204
    assert resp.content == b""
    host = Host.objects.get(public_id=user["id"])
    assert host.deleted_at is not None and host.is_active is False
    assert_scim_error(api.get(f"/Users/{user['id']}"), 404)
    assert_scim_error(api.delete(f"/Users/{user['id']}"), 404)
    assert_scim_error(api.put(f"/Users/{user['id']}", {"userName": "bye@acme.test"}), 404)
    assert_list_response(api.get("/Users?" + filter_qs('userName eq "bye@acme.test"')), total=0)
    again = api.create_user("bye@acme.test")
    assert again["id"] != user["id"]
    assert account.hosts.count() == 2


def test_inactive_user_is_still_returned(api):
    user = api.create_user("off@acme.test", active=False)
    assert api.user(user["id"])["active"] is False
    (found,) = assert_list_response(
        api.get("/Users?" + filter_qs('userName eq "off@acme.test"')), total=1
    )
    assert found["active"] is False


def test_manual_host_is_visible_and_adopted_by_a_directory_write(api, account):
    host = HostFactory(
        account=account,
        username="manual@acme.test",
        first_name="Man",
        last_name="Ual",
        display_name="",
        email="manual@acme.test",
        mobile="+1",
        department="Ops",
    )
    (found,) = assert_list_response(
        api.get("/Users?" + filter_qs('userName eq "MANUAL@acme.test"')), total=1
    )
    assert without_server_keys(found) == {
        "userName": "manual@acme.test",
        "name": {"givenName": "Man", "familyName": "Ual"},
        "emails": [{"type": "work", "value": "manual@acme.test", "primary": True}],
        "phoneNumbers": [{"type": "mobile", "value": "+1"}],
        ENTERPRISE: {"department": "Ops"},
        "active": True,
    }
    # (linking by POST is tested in tests/scim/providers/entra/test_linking.py)
    resp = api.patch_ops(
        f"/Users/{host.public_id}", {"op": "Replace", "path": "title", "value": "Boss"}
    )
    assert resp.status_code == 200
    host.refresh_from_db()
    assert host.source == Source.DIRECTORY
    assert host.title == "Boss"
    assert host.directory_data["title"] == "Boss"
    assert host.directory_data["name"] == {"givenName": "Man", "familyName": "Ual"}


def test_list_without_filter_is_ordered_and_paged(api):
    made = [api.create_user(f"u{i}@acme.test")["id"] for i in range(5)]
    resources = assert_list_response(api.get("/Users"), total=5)
    assert [r["id"] for r in resources] == made
    page = assert_list_response(api.get("/Users?startIndex=2&count=2"), total=5, start=2, count=2)
    assert [r["id"] for r in page] == made[1:3]
