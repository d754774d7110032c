"""PingOne's SCIM outbound connector (docs/identity-providers/pingone.md), over HTTP.

PingOne authenticates with Basic or a static Bearer token, looks users up with the
admin's filter expression (its own examples: ``username Eq "%s"`` and an e-mail filter),
finds groups by listing them all, updates users with PUT (no user PATCH), disables with
``active: false`` or DELETEs (``REMOVE_ACTION``), and PATCHes group memberships; with
"Overwrite" membership handling the whole member list is replaced. Group names can be
LDAP distinguished names.
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
    patch_body,
)
from visitor_mgmt.models import HostGroup

pytestmark = pytest.mark.django_db

PING_HEADERS = {"User-Agent": "Apache-HttpClient/4.5.14 (Java/17.0.9)"}
DN = "cn=Front Desk,ou=Groups,dc=initech,dc=example"


@pytest.fixture(params=["bearer", "basic"])
def pingone(request, client, initech, initech_token):
    return ScimClient(
        client,
        INITECH_TOKEN,
        account=initech,
        auth=request.param,
        basic_user="pingone",
        headers=PING_HEADERS,
    )


def ping_user(user_name, first, last, email, **extra):
    body = {
        "schemas": [CORE_USER, ENTERPRISE],
        "userName": user_name,
        "name": {"givenName": first, "familyName": last},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body


def by_username(value):
    """PingOne's default user filter expression, ``username Eq "%s"``."""
    return "/Users?filter=username%20Eq%20%22" + value + "%22"


def by_email(value):
    return "/Users?filter=emails%20eq%20%22" + value + "%22"


def all_groups(start=1, count=100):
    return f"/Groups?startIndex={start}&count={count}"


def find_group(pingone, name):
    """PingOne finds a group by listing all groups and comparing names."""
    listed = pingone.get(all_groups()).json()
    return next((g for g in listed["Resources"] if g["displayName"] == name), None)


def test_full_cycle(pingone, initech):
    sent = ping_user("jsmith", "Janet", "Smith", "jsmith@initech.example", title="Analyst")
    assert_list_response(pingone.get(by_username("jsmith")), total=0)
    resp = pingone.post("/Users", sent)
    assert resp.status_code == 201, resp
    user_id = resp.json()["id"]
    (found,) = assert_list_response(pingone.get(by_username("JSMITH")), total=1)
    assert found["id"] == user_id
    (found,) = assert_list_response(pingone.get(by_email("jsmith@initech.example")), total=1)
    assert found["id"] == user_id

    # Update: PUT of the user (PingOne does not PATCH users).
    updated = dict(sent, title="Lead Analyst", **{ENTERPRISE: {"department": "Finance"}})
    resp = pingone.put(f"/Users/{user_id}", updated)
    assert resp.status_code == 200, resp
    host = host_of(initech, user_id)
    assert (host.title, host.department) == ("Lead Analyst", "Finance")

    # REMOVE_ACTION "Disable", then enabled again.
    resp = pingone.put(f"/Users/{user_id}", dict(updated, active=False))
    assert resp.status_code == 200 and resp.json()["active"] is False, resp
    host.refresh_from_db()
    assert host.is_active is False
    resp = pingone.put(f"/Users/{user_id}", dict(updated, active=True))
    assert resp.status_code == 200 and resp.json()["active"] is True, resp

    # Groups: not found in the list, so created; DN names are fine.
    second = pingone.post(
        "/Users", ping_user("bwayne", "Bruce", "Wayne", "bwayne@initech.example")
    ).json()["id"]
    assert find_group(pingone, DN) is None
    resp = pingone.post("/Groups", {"schemas": [CORE_GROUP], "displayName": DN})
    assert resp.status_code == 201, resp
    group_id = resp.json()["id"]
    assert find_group(pingone, DN)["id"] == group_id
    add = patch_body({"op": "add", "path": "members", "value": [{"value": user_id}]})
    assert pingone.patch(f"/Groups/{group_id}", add).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == [user_id]

    # Member change with "Overwrite" handling: the whole list is replaced ...
    overwrite = patch_body({"op": "replace", "path": "members", "value": [{"value": second}]})
    assert pingone.patch(f"/Groups/{group_id}", overwrite).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == [second]
    # ... and "Merge" adds and removes one member (filtered path or value list).
    merge = patch_body(
        {"op": "add", "path": "members", "value": [{"value": user_id}]},
        {"op": "remove", "path": f'members[value eq "{second}"]'},
    )
    assert pingone.patch(f"/Groups/{group_id}", merge).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == [user_id]
    remove = patch_body({"op": "remove", "path": "members", "value": [{"value": user_id}]})
    assert pingone.patch(f"/Groups/{group_id}", remove).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == []

    # Rename (the DN changed in the source).
    renamed = "cn=Lobby,ou=Groups,dc=initech,dc=example"
    resp = pingone.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "replace", "path": "displayName", "value": renamed}),
    )
    assert resp.status_code in (200, 204), resp
    assert HostGroup.objects.get(public_id=group_id).name == renamed

    # REMOVE_ACTION "Delete", and the group deleted too.
    assert pingone.delete(f"/Users/{user_id}").status_code == 204
    assert_scim_error(pingone.get(f"/Users/{user_id}"), 404)
    assert pingone.delete(f"/Groups/{group_id}").status_code == 204
    assert find_group(pingone, renamed) is None


def test_provision_disabled_users(pingone, initech):
    resp = pingone.post(
        "/Users", ping_user("off", "Off", "Line", "off@initech.example", active=False)
    )
    assert resp.status_code == 201 and resp.json()["active"] is False, resp
    assert host_of(initech, resp.json()["id"]).is_active is False


def test_group_list_pages_in_a_stable_order(pingone, initech):
    from tests.factories import HostGroupFactory

    for n in range(5):
        HostGroupFactory(account=initech, name=f"cn=G{n},ou=Groups")
    first = pingone.get(all_groups(1, 2)).json()
    rest = pingone.get(all_groups(3, 100)).json()
    assert first["totalResults"] == rest["totalResults"] == 5
    names = [g["displayName"] for g in first["Resources"] + rest["Resources"]]
    assert sorted(names) == [f"cn=G{n},ou=Groups" for n in range(5)]


def test_existing_manual_host_is_linked(pingone, initech):
    host, group, visit = manual_host_with_history(
        initech, email="ava.martin@initech.example", first_name="Ava", last_name="Martin"
    )
    # Unique User Identifier "workEmail": the e-mail filter finds the manual host.
    (found,) = assert_list_response(pingone.get(by_email("ava.martin@initech.example")), total=1)
    assert found["id"] == str(host.public_id)
    body = ping_user("ava.martin@initech.example", "Ava", "Martin", "ava.martin@initech.example")
    resp = pingone.put(f"/Users/{host.public_id}", body)
    assert resp.status_code == 200, resp
    assert_linked(initech, host, visit, group)
    (found,) = assert_list_response(pingone.get(by_username("Ava.Martin@initech.example")), total=1)
    assert found["id"] == str(host.public_id)


def test_its_email_co_example_is_a_clear_invalid_filter_never_an_empty_list(pingone):
    """``email`` is no SCIM attribute: an empty list would make PingOne create a duplicate."""
    resp = pingone.get("/Users?filter=email%20Co%20%22initech.example%22")
    body = assert_scim_error(resp, 400, "invalidFilter")
    assert "email" in body["detail"]
