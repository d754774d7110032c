"""Any SCIM 2.0 client (docs/identity-providers/generic-scim.md): the request shapes
RFC 7644 allows, in one lifecycle, over HTTP.

Written strictly by the RFC, not by one provider's habits: ``externalId`` matching,
``POST /.search``, ``attributes`` / ``excludedAttributes``, PATCH with paths into complex
and extension attributes, ``add`` without a path, value-filtered removes, PUT, DELETE.
"""

import pytest

from tests.factories import manual_host_with_history
from tests.scim.providers.helpers import assert_linked, group_member_ids, host_of
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    INITECH_TOKEN,
    SEARCH_REQUEST,
    ScimClient,
    assert_list_response,
    assert_scim_error,
    patch_body,
)
from visitor_mgmt.models import HostGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def rfc(client, initech, initech_token):
    return ScimClient(client, INITECH_TOKEN, account=initech)


def test_rfc_7644_lifecycle(rfc, initech):
    body = {
        "schemas": [CORE_USER, ENTERPRISE],
        "externalId": "ext-0001",
        "userName": "bjensen@initech.example",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "bjensen@initech.example", "type": "work", "primary": True}],
        ENTERPRISE: {"department": "Tour Operations"},
    }
    resp = rfc.post("/Users", body)
    assert resp.status_code == 201, resp
    assert resp.headers["Location"] == resp.json()["meta"]["location"]
    user_id = resp.json()["id"]

    # Matching by externalId, and through POST /Users/.search with attribute selection.
    (found,) = assert_list_response(
        rfc.get("/Users?filter=externalId%20eq%20%22ext-0001%22"), total=1
    )
    assert found["id"] == user_id
    search = {
        "schemas": [SEARCH_REQUEST],
        "filter": 'userName eq "BJENSEN@initech.example"',
        "attributes": ["userName", "name.familyName"],
        "startIndex": 1,
        "count": 10,
    }
    resp = rfc.post("/Users/.search", search)
    (found,) = assert_list_response(resp, total=1)
    assert found["userName"] == "bjensen@initech.example"
    assert found["name"] == {"familyName": "Jensen"}
    assert "emails" not in found
    resp = rfc.get(f"/Users/{user_id}?excludedAttributes=emails")
    assert resp.status_code == 200 and "emails" not in resp.json(), resp

    # PATCH into complex and extension attributes, and a path-less add.
    resp = rfc.patch(
        f"/Users/{user_id}",
        patch_body(
            {"op": "replace", "path": "name.givenName", "value": "Babs"},
            {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Sales"},
            {"op": "add", "value": {"title": "Tour Guide"}},
            {
                "op": "add",
                "path": "phoneNumbers",
                "value": [{"value": "+1 555 0100", "type": "mobile"}],
            },
        ),
    )
    assert resp.status_code in (200, 204), resp
    host = host_of(initech, user_id)
    assert (host.first_name, host.department, host.title, host.mobile) == (
        "Babs",
        "Sales",
        "Tour Guide",
        "+1 555 0100",
    )

    # Deactivate and reactivate with a path.
    for value in (False, True):
        resp = rfc.patch(
            f"/Users/{user_id}", patch_body({"op": "replace", "path": "active", "value": value})
        )
        assert resp.status_code in (200, 204), resp
        host.refresh_from_db()
        assert host.is_active is value

    # PUT replaces the whole resource: what is not sent is gone.
    resp = rfc.put(
        f"/Users/{user_id}",
        {"schemas": [CORE_USER], "userName": "bjensen@initech.example", "title": "Guide"},
    )
    assert resp.status_code == 200, resp
    assert "emails" not in resp.json() and resp.json()["title"] == "Guide"
    host.refresh_from_db()
    assert (host.email, host.department, host.title) == ("", "", "Guide")

    # Groups: create with members, add, remove by filter, rename, delete.
    other = rfc.post(
        "/Users", {"schemas": [CORE_USER], "userName": "jsmith@initech.example"}
    ).json()["id"]
    resp = rfc.post(
        "/Groups",
        {"schemas": [CORE_GROUP], "displayName": "Tour Guides", "members": [{"value": user_id}]},
    )
    assert resp.status_code == 201, resp
    group_id = resp.json()["id"]
    resp = rfc.patch(
        f"/Groups/{group_id}", patch_body({"op": "add", "value": {"members": [{"value": other}]}})
    )
    assert resp.status_code in (200, 204), resp
    assert group_member_ids(initech, group_id) == sorted([user_id, other])
    resp = rfc.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "remove", "path": f'members[value eq "{user_id}"]'}),
    )
    assert resp.status_code in (200, 204), resp
    assert group_member_ids(initech, group_id) == [other]
    resp = rfc.patch(
        f"/Groups/{group_id}", patch_body({"op": "replace", "value": {"displayName": "Guides"}})
    )
    assert resp.status_code in (200, 204), resp
    assert HostGroup.objects.get(public_id=group_id).name == "Guides"
    resp = rfc.get(f"/Groups/{group_id}?excludedAttributes=members")
    assert resp.status_code == 200 and "members" not in resp.json(), resp
    resp = rfc.put(
        f"/Groups/{group_id}", {"schemas": [CORE_GROUP], "displayName": "Guides", "members": []}
    )
    assert resp.status_code == 200, resp
    assert group_member_ids(initech, group_id) == []

    assert rfc.delete(f"/Users/{user_id}").status_code == 204
    assert_scim_error(rfc.get(f"/Users/{user_id}"), 404)
    assert_scim_error(rfc.delete(f"/Users/{user_id}"), 404)
    assert rfc.delete(f"/Groups/{group_id}").status_code == 204
    assert_scim_error(rfc.get(f"/Groups/{group_id}"), 404)


def test_unsupported_features_answer_as_the_rfc_says(rfc):
    assert_scim_error(
        rfc.post(
            "/Bulk",
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []},
        ),
        501,
    )
    assert_scim_error(rfc.get("/Users?filter=userName%20zz%20%22x%22"), 400, "invalidFilter")
    assert_scim_error(rfc.post("/Users", {"schemas": [CORE_USER]}), 400, "invalidValue")


def test_post_for_a_manual_host_links_it(rfc, initech):
    host, group, visit = manual_host_with_history(
        initech, email="ava.martin@initech.example", first_name="Ava", last_name="Martin"
    )
    resp = rfc.post("/Users", {"schemas": [CORE_USER], "userName": "ava.martin@initech.example"})
    assert resp.status_code == 201 and resp.json()["id"] == str(host.public_id), resp
    assert_linked(initech, host, visit, group)
