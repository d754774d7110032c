"""Okta as a SCIM 2.0 client (docs/identity-providers/okta.md), over HTTP.

Okta's OIN-template apps update a profile with GET then PUT of the whole user, switch
``active`` with a path-less PATCH, never DELETE a user, push groups with POST and PATCH
(``members[value eq "…"]`` removes, ``add`` with ``display``, a path-less ``replace`` that
repeats the group's ``id`` to rename). Its custom (App Integration Wizard) apps PUT
everything, users and groups alike. Both ask ``userName eq`` with ``startIndex=1&count=100``
before a create, and page imports by 100.
"""

import pytest

from tests.factories import manual_host_with_history
from tests.scim.providers.helpers import assert_linked, group_member_ids, host_of
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    INITECH_TOKEN,
    ScimClient,
    assert_list_response,
    assert_scim_error,
    assert_user,
    member_ids,
    patch_body,
)
from visitor_mgmt.models import Host, HostGroup

pytestmark = pytest.mark.django_db

OKTA_HEADERS = {
    "User-Agent": "Okta SCIM Client 1.0.0",
    "Accept": "application/scim+json",
    "Accept-Encoding": "gzip,deflate",
}
OKTA_JSON = "application/scim+json; charset=utf-8"


@pytest.fixture(params=["bearer", "basic"])
def okta(request, client, initech, initech_token):
    """Initech's Okta app, authenticating with the token as a Bearer token (HTTP Header
    mode) or as the Basic password (custom apps' Basic Auth mode)."""
    return ScimClient(
        client, INITECH_TOKEN, account=initech, auth=request.param, headers=OKTA_HEADERS
    )


def okta_user(user_name, given, family, okta_id, **extra):
    """Okta's create body (its SCIM 2.0 reference), password and empty groups included."""
    body = {
        "schemas": [CORE_USER],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": f"{given} {family}",
        "locale": "en-US",
        "externalId": okta_id,
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    body.update(extra)
    return body


def matching_query(user_name):
    return (
        "/Users?filter=userName%20eq%20%22"
        + user_name.replace("@", "%40")
        + ("%22&startIndex=1&count=100")
    )


def group_query(name):
    return (
        "/Groups?filter=displayName%20eq%20%22"
        + name.replace(" ", "%20")
        + ("%22&startIndex=1&count=100")
    )


def active(value):
    return patch_body({"op": "replace", "value": {"active": value}})


def create(okta, body):
    assert_list_response(okta.get(matching_query(body["userName"])), total=0)
    resp = okta.post("/Users", body, content_type=OKTA_JSON)
    assert resp.status_code == 201, resp
    assert "password" not in resp.json(), resp  # never stored nor returned
    assert resp.json().get("groups") in (None, []), resp
    return resp.json()


def test_test_api_credentials_then_full_oin_cycle(okta, initech):
    # "Test API Credentials".
    assert_list_response(okta.get("/Users?startIndex=1&count=2"), total=0)

    # Assign: match (no result), create.
    sent = okta_user("test.user@okta.local", "Test", "User", "00ujl29u0le5T6Aj10h7")
    created = create(okta, sent)
    user_id = created["id"]
    expected = {k: v for k, v in sent.items() if k not in ("password", "groups")}
    assert_user(created, expected, user_id=user_id)
    host = host_of(initech, user_id)
    assert (host.username, host.email, host.first_name, host.external_id) == (
        "test.user@okta.local",
        "test.user@okta.local",
        "Test",
        "00ujl29u0le5T6Aj10h7",
    )

    # Profile update: GET, then PUT of the whole user (no password this time).
    current = okta.get(f"/Users/{user_id}").json()
    updated = dict(expected, id=user_id, title="Office Manager")
    updated["name"] = {"givenName": "Tess", "familyName": "User"}
    updated["displayName"] = "Tess User"
    resp = okta.put(
        f"/Users/{user_id}", dict(updated, meta=current["meta"]), content_type=OKTA_JSON
    )
    assert resp.status_code == 200, resp
    assert_user(resp.json(), updated, user_id=user_id)
    host.refresh_from_db()
    assert (host.first_name, host.display_name, host.title) == (
        "Tess",
        "Tess User",
        "Office Manager",
    )

    # Deactivate (unassign or deactivate in Okta): path-less PATCH; the user stays readable.
    resp = okta.patch(f"/Users/{user_id}", active(False))
    assert resp.status_code in (200, 204), resp
    fetched = okta.get(f"/Users/{user_id}")
    assert fetched.status_code == 200 and fetched.json()["active"] is False, fetched
    host.refresh_from_db()
    assert host.is_active is False and host.deleted_at is None

    # Reactivate.
    assert okta.patch(f"/Users/{user_id}", active(True)).status_code in (200, 204)
    assert okta.get(f"/Users/{user_id}").json()["active"] is True
    host.refresh_from_db()
    assert host.is_active is True

    # Group Push: look up by name, create with no members, then add.
    second = create(okta, okta_user("sam.lee@okta.local", "Sam", "Lee", "00ujl29u0le5T6Aj10h8"))
    assert_list_response(okta.get(group_query("Test SCIMv2")), total=0)
    resp = okta.post(
        "/Groups",
        {"schemas": [CORE_GROUP], "displayName": "Test SCIMv2", "members": []},
        content_type=OKTA_JSON,
    )
    assert resp.status_code == 201, resp
    group_id = resp.json()["id"]
    resp = okta.patch(
        f"/Groups/{group_id}",
        patch_body(
            {
                "op": "add",
                "path": "members",
                "value": [{"value": user_id, "display": "test.user@okta.local"}],
            }
        ),
    )
    assert resp.status_code in (200, 204), resp
    assert group_member_ids(initech, group_id) == [user_id]

    # Member change: one request removes (filtered path) and adds.
    resp = okta.patch(
        f"/Groups/{group_id}",
        patch_body(
            {"op": "remove", "path": f'members[value eq "{user_id}"]'},
            {"op": "add", "path": "members", "value": [{"value": second["id"], "display": "sam"}]},
        ),
    )
    assert resp.status_code in (200, 204), resp
    assert group_member_ids(initech, group_id) == [second["id"]]

    # Rename: path-less replace that repeats the group's id (sent with membership updates).
    resp = okta.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "replace", "value": {"id": group_id, "displayName": "Front Desk"}}),
    )
    assert resp.status_code in (200, 204), resp
    assert HostGroup.objects.get(public_id=group_id).name == "Front Desk"
    assert group_member_ids(initech, group_id) == [second["id"]]

    # "Push now" of the full list, then of an empty group.
    full = [{"value": user_id}, {"value": second["id"]}]
    resp = okta.patch(
        f"/Groups/{group_id}", patch_body({"op": "replace", "path": "members", "value": full})
    )
    assert resp.status_code in (200, 204), resp
    assert group_member_ids(initech, group_id) == sorted([user_id, second["id"]])
    resp = okta.patch(
        f"/Groups/{group_id}", patch_body({"op": "replace", "path": "members", "value": []})
    )
    assert resp.status_code in (200, 204), resp
    assert group_member_ids(initech, group_id) == []

    # Unlink the pushed group with "Delete the group in the target app".
    assert okta.delete(f"/Groups/{group_id}").status_code == 204
    assert_scim_error(okta.get(f"/Groups/{group_id}"), 404)
    assert not HostGroup.objects.filter(public_id=group_id).exists()

    # Unassigning a user never DELETEs it: deactivated, still readable, visits kept.
    assert okta.patch(f"/Users/{user_id}", active(False)).status_code in (200, 204)
    assert okta.get(f"/Users/{user_id}").json()["active"] is False
    assert Host.objects.filter(account=initech, deleted_at__isnull=True).count() == 2


def test_aiw_app_puts_everything(okta, initech):
    """Custom (App Integration Wizard) apps cannot be set to PATCH: users and groups are PUT."""
    sent = okta_user("aiw.user@okta.local", "Aiw", "User", "00uaiw0001")
    user_id = create(okta, sent)["id"]
    whole = {k: v for k, v in sent.items() if k not in ("password", "groups")}

    resp = okta.put(f"/Users/{user_id}", dict(whole, id=user_id, active=False))
    assert resp.status_code == 200 and resp.json()["active"] is False, resp
    assert host_of(initech, user_id).is_active is False
    resp = okta.put(f"/Users/{user_id}", dict(whole, id=user_id, active=True))
    assert resp.status_code == 200 and resp.json()["active"] is True, resp

    resp = okta.post("/Groups", {"schemas": [CORE_GROUP], "displayName": "AIW", "members": []})
    group_id = resp.json()["id"]
    # Straight after the POST, a PUT with the full list; members may carry "display": null.
    body = {
        "schemas": [CORE_GROUP],
        "id": group_id,
        "displayName": "AIW Renamed",
        "members": [{"value": user_id, "display": None}],
    }
    resp = okta.put(f"/Groups/{group_id}", body)
    assert resp.status_code == 200, resp
    assert resp.json()["displayName"] == "AIW Renamed"
    assert member_ids(resp.json()) == [user_id]
    resp = okta.put(f"/Groups/{group_id}", dict(body, members=[]))
    assert resp.status_code == 200 and member_ids(resp.json()) == [], resp


def test_matching_finds_an_all_caps_username_and_a_404_for_unknown_ids(okta):
    user_id = create(okta, okta_user("mixed.Case@okta.local", "Mixed", "Case", "00u1"))["id"]
    (found,) = assert_list_response(okta.get(matching_query("MIXED.CASE@OKTA.LOCAL")), total=1)
    assert found["id"] == user_id
    assert_scim_error(okta.get("/Users/010101"), 404)
    assert_scim_error(okta.get("/Groups/010101"), 404)
    # Okta's spec test needs a user back from count=1.
    assert len(assert_list_response(okta.get("/Users?count=1"), total=1)) == 1


def test_duplicate_create_is_a_409_that_stops_the_job(okta):
    body = okta_user("dup@okta.local", "Dup", "User", "00u2")
    create(okta, body)
    assert_scim_error(okta.post("/Users", body), 409, "uniqueness")


def test_import_pages_by_one_hundred_in_a_stable_order(okta, initech):
    from tests.factories import DirectoryHostFactory, HostGroupFactory

    for n in range(130):
        DirectoryHostFactory(account=initech, username=f"u{n:03d}@okta.local")
    for n in range(3):
        HostGroupFactory(account=initech, name=f"Team {n}")
    first = okta.get("/Users?startIndex=1&count=100").json()
    second = okta.get("/Users?startIndex=101&count=100").json()
    assert first["totalResults"] == second["totalResults"] == 130
    assert (first["itemsPerPage"], second["itemsPerPage"]) == (100, 30)
    assert (first["startIndex"], second["startIndex"]) == (1, 101)
    ids = [r["id"] for r in first["Resources"] + second["Resources"]]
    assert len(set(ids)) == 130
    again = okta.get("/Users?startIndex=1&count=100").json()
    assert [r["id"] for r in again["Resources"]] == ids[:100]
    groups = assert_list_response(okta.get("/Groups?startIndex=1&count=100"), total=3)
    assert sorted(g["displayName"] for g in groups) == ["Team 0", "Team 1", "Team 2"]


def test_assigning_a_person_who_is_already_a_manual_host_links_them(okta, initech):
    host, group, visit = manual_host_with_history(
        initech, email="ava.martin@initech.example", first_name="Ava", last_name="Martin"
    )
    (found,) = assert_list_response(okta.get(matching_query("ava.martin@initech.example")), total=1)
    assert found["id"] == str(host.public_id)
    # Okta keeps that id and pushes its profile with a PUT of the whole user.
    body = okta_user("ava.martin@initech.example", "Ava", "Martin", "00uava")
    body = {k: v for k, v in body.items() if k not in ("password", "groups")}
    resp = okta.put(f"/Users/{host.public_id}", dict(body, id=str(host.public_id)))
    assert resp.status_code == 200, resp
    host = assert_linked(initech, host, visit, group)
    assert (host.username, host.external_id) == ("ava.martin@initech.example", "00uava")
