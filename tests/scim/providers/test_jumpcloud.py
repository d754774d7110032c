"""JumpCloud's custom SCIM integration (docs/identity-providers/jumpcloud.md), over HTTP.

"Test Connection" creates a test user and a test group and deletes both. JumpCloud looks a
user up before deciding between create and update, sends full users (addresses,
``tel:`` phone numbers, its 24-hex object id as ``externalId``) and updates with PUT of the
whole user, deactivates ("change to inactive") and deletes users, creates groups only with
members, adds members repeatedly (adds are idempotent) and removes them with an
Entra-style value list, renames and deletes groups.
"""

import pytest

from tests.factories import manual_host_with_history
from tests.scim.providers.helpers import assert_linked, group_member_ids, host_of
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    INITECH_TOKEN,
    ScimClient,
    assert_list_response,
    assert_scim_error,
    assert_user,
    patch_body,
)
from visitor_mgmt.models import HostGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def jumpcloud(client, initech, initech_token):
    return ScimClient(client, INITECH_TOKEN, account=initech)


def jc_user(email, first, last, object_id, **extra):
    """JumpCloud's create body (a sanitised real payload, see the doc)."""
    body = {
        "active": True,
        "addresses": [
            {
                "country": "US",
                "locality": "Louisville",
                "postalCode": "80027",
                "primary": True,
                "region": "CO",
                "streetAddress": "361 Centennial Pkwy",
                "type": "work",
            }
        ],
        "displayName": f"{first} {last}",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "externalId": object_id,
        "locale": "en-US",
        "name": {"familyName": last, "givenName": first},
        "phoneNumbers": [{"primary": True, "type": "work", "value": "tel:+1-555-555-5555"}],
        "preferredLanguage": "en-US",
        "schemas": [CORE_USER, ENTERPRISE],
        "userName": email,
    }
    body.update(extra)
    return body


def lookup(user_name):
    return "/Users?filter=userName%20eq%20%22" + user_name + "%22"


def group_lookup(name):
    return "/Groups?filter=displayName%20eq%20%22" + name.replace(" ", "%20") + "%22"


def test_test_connection_creates_and_deletes_a_test_user_and_group(jumpcloud, initech):
    resp = jumpcloud.post(
        "/Users", jc_user("scim-test@initech.example", "Scim", "Test", "66e2d689590450d073d2df3b")
    )
    assert resp.status_code == 201, resp
    user_id = resp.json()["id"]
    resp = jumpcloud.post(
        "/Groups",
        {
            "schemas": [CORE_GROUP],
            "displayName": "JumpCloud Test Group",
            "members": [{"value": user_id}],
        },
    )
    assert resp.status_code == 201, resp
    group_id = resp.json()["id"]
    assert jumpcloud.delete(f"/Users/{user_id}").status_code == 204
    assert jumpcloud.delete(f"/Groups/{group_id}").status_code == 204
    assert_list_response(jumpcloud.get(lookup("scim-test@initech.example")), total=0)
    assert_scim_error(jumpcloud.get(f"/Groups/{group_id}"), 404)
    # The test user's e-mail can be provisioned again afterwards.
    again = jumpcloud.post(
        "/Users", jc_user("scim-test@initech.example", "Scim", "Test", "66e2d689590450d073d2df3c")
    )
    assert again.status_code == 201, again


def test_full_cycle(jumpcloud, initech):
    sent = jc_user("ana.ruiz@initech.example", "Ana", "Ruiz", "66e2d689590450d073d2df01")
    assert_list_response(jumpcloud.get(lookup(sent["userName"])), total=0)
    resp = jumpcloud.post("/Users", sent)
    assert resp.status_code == 201, resp
    user_id = resp.json()["id"]
    assert_user(resp.json(), sent, user_id=user_id)
    host = host_of(initech, user_id)
    assert (host.email, host.alternate_mobile, host.external_id) == (
        "ana.ruiz@initech.example",
        "tel:+1-555-555-5555",
        "66e2d689590450d073d2df01",
    )

    # Update: the whole user again, with id, empty photos, reversed schemas, a department.
    updated = dict(sent, title="Facilities", schemas=[ENTERPRISE, CORE_USER])
    updated[ENTERPRISE] = {"department": "Operations"}
    resp = jumpcloud.put(f"/Users/{user_id}", dict(updated, id=user_id, photos=[]))
    assert resp.status_code == 200, resp
    assert_user(resp.json(), updated, user_id=user_id)
    host.refresh_from_db()
    assert (host.title, host.department) == ("Facilities", "Operations")

    # Deactivate ("change to inactive") and reactivate, as a full PUT ...
    resp = jumpcloud.put(f"/Users/{user_id}", dict(updated, id=user_id, active=False))
    assert resp.status_code == 200 and resp.json()["active"] is False, resp
    host.refresh_from_db()
    assert host.is_active is False
    resp = jumpcloud.put(f"/Users/{user_id}", dict(updated, id=user_id, active=True))
    assert resp.status_code == 200 and resp.json()["active"] is True, resp
    # ... or as one PATCH operation per attribute.
    resp = jumpcloud.patch(
        f"/Users/{user_id}", patch_body({"op": "replace", "path": "active", "value": False})
    )
    assert resp.status_code in (200, 204), resp
    assert jumpcloud.get(f"/Users/{user_id}").json()["active"] is False
    resp = jumpcloud.patch(
        f"/Users/{user_id}", patch_body({"op": "replace", "path": "active", "value": True})
    )
    assert resp.status_code in (200, 204), resp
    host.refresh_from_db()
    assert host.is_active is True

    # Group push: matched by name first; created only with members.
    second = jumpcloud.post(
        "/Users", jc_user("raj.iyer@initech.example", "Raj", "Iyer", "66e2d689590450d073d2df02")
    ).json()["id"]
    assert_list_response(jumpcloud.get(group_lookup("Front Desk")), total=0)
    resp = jumpcloud.post(
        "/Groups",
        {"schemas": [CORE_GROUP], "displayName": "Front Desk", "members": [{"value": user_id}]},
    )
    assert resp.status_code == 201, resp
    group_id = resp.json()["id"]
    assert group_member_ids(initech, group_id) == [user_id]

    # Member change: adds are repeated (idempotent), removes are a value list without filter.
    add = patch_body({"op": "add", "path": "members", "value": [{"value": second}]})
    for _ in range(2):
        assert jumpcloud.patch(f"/Groups/{group_id}", add).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == sorted([user_id, second])
    remove = patch_body({"op": "remove", "path": "members", "value": [{"value": user_id}]})
    assert jumpcloud.patch(f"/Groups/{group_id}", remove).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == [second]  # only that member, not all

    # Rename.
    resp = jumpcloud.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "replace", "path": "displayName", "value": "Lobby"}),
    )
    assert resp.status_code in (200, 204), resp
    assert HostGroup.objects.get(public_id=group_id).name == "Lobby"

    # Delete the user, then the group (deleted in JumpCloud).
    assert jumpcloud.delete(f"/Users/{user_id}").status_code == 204
    assert_scim_error(jumpcloud.get(f"/Users/{user_id}"), 404)
    assert jumpcloud.delete(f"/Groups/{group_id}").status_code == 204
    assert not HostGroup.objects.filter(public_id=group_id).exists()
    assert host_of(initech, second).deleted_at is None


def test_existing_manual_host_and_group_are_taken_over(jumpcloud, initech):
    host, group, visit = manual_host_with_history(
        initech,
        email="ava.martin@initech.example",
        first_name="Ava",
        last_name="Martin",
        group_name="Front Desk",
    )
    (found,) = assert_list_response(jumpcloud.get(lookup("ava.martin@initech.example")), total=1)
    assert found["id"] == str(host.public_id)
    body = jc_user("ava.martin@initech.example", "Ava", "Martin", "66e2d689590450d073d2df09")
    resp = jumpcloud.put(f"/Users/{host.public_id}", dict(body, id=str(host.public_id)))
    assert resp.status_code == 200, resp
    assert_linked(initech, host, visit, group)

    # "Takes over management of existing groups when the name matches."
    (found,) = assert_list_response(jumpcloud.get(group_lookup("front desk")), total=1)
    assert found["id"] == str(group.public_id)
    resp = jumpcloud.patch(
        f"/Groups/{group.public_id}",
        patch_body({"op": "add", "path": "members", "value": [{"value": str(host.public_id)}]}),
    )
    assert resp.status_code in (200, 204), resp
    group.refresh_from_db()
    assert group.source == "directory"
    assert group_member_ids(initech, str(group.public_id)) == [str(host.public_id)]
