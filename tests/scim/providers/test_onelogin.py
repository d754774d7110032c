"""OneLogin's "SCIM Provisioner with SAML (SCIM v2 Enterprise)" connector
(docs/identity-providers/onelogin.md), over HTTP.

OneLogin sends the admin's SCIM JSON template with its placeholders filled: its default
template has ``emails`` as one object and SCIM 1.x-style enterprise URNs. It asks
``userName eq`` (``+`` for spaces, a trailing ``&``), PUTs the whole template to update or
suspend, DELETEs users when the app's deprovisioning action is Delete, lists groups
without a filter, and PATCHes group members. Its requests carry no User-Agent.
"""

import pytest

from tests.factories import manual_host_with_history
from tests.scim.providers.helpers import assert_linked, group_member_ids, host_of
from tests.scim.support import (
    CORE_GROUP,
    ENTERPRISE,
    INITECH_TOKEN,
    ScimClient,
    assert_list_response,
    assert_scim_error,
    patch_body,
)
from visitor_mgmt.models import HostGroup

pytestmark = pytest.mark.django_db

V2_CORE = "urn:scim:schemas:core:2.0"
V2_ENTERPRISE = "urn:scim:schemas:extension:enterprise:2.0"
V1_CORE = "urn:scim:schemas:core:1.0"
V1_ENTERPRISE = "urn:scim:schemas:extension:enterprise:1.0"


@pytest.fixture
def onelogin(client, initech, initech_token):
    return ScimClient(client, INITECH_TOKEN, account=initech, headers={"User-Agent": ""})


def template(
    user_name, first, last, email, *, title="", department="", urns=(V2_CORE, V2_ENTERPRISE)
):
    """OneLogin's enterprise template with its placeholders filled (no manager)."""
    core, enterprise = urns
    return {
        "schemas": [core, enterprise],
        "userName": user_name,
        "name": {"familyName": last, "givenName": first, "formatted": f"{first} {last}"},
        "emails": {"value": email, "type": "work", "primary": True},
        "title": title,
        enterprise: {
            "department": department,
            "manager": {"managerId": "", "displayName": " "},
        },
    }


def lookup(user_name):
    return "/Users?filter=userName+eq+%22" + user_name + "%22&"


def test_enable_probe_then_full_cycle(onelogin, initech):
    # "Enable": a userName OneLogin knows does not exist; an empty list is the answer.
    assert_list_response(onelogin.get(lookup("onelogin-test-user01")), total=0)
    assert_list_response(onelogin.get("/Groups"), total=0)

    body = template(
        "jane.doe", "Jane", "Doe", "jane.doe@initech.example", title="Engineer", department="R&D"
    )
    resp = onelogin.post("/Users", body)
    assert resp.status_code == 201, resp
    user_id = resp.json()["id"]
    assert resp.json()["emails"] == [
        {"value": "jane.doe@initech.example", "type": "work", "primary": True}
    ]
    # The 1.x-style extension is read as the enterprise extension.
    assert resp.json()[ENTERPRISE] == {"department": "R&D"}
    assert ENTERPRISE in resp.json()["schemas"]
    host = host_of(initech, user_id)
    assert (host.username, host.email, host.first_name, host.title, host.department) == (
        "jane.doe",
        "jane.doe@initech.example",
        "Jane",
        "Engineer",
        "R&D",
    )

    # Update: PUT of the template (URL ends with "?").
    body = template(
        "jane.doe", "Jane", "Smith", "jane.smith@initech.example", title="Lead", department="Ops"
    )
    resp = onelogin.put(f"/Users/{user_id}?", body)
    assert resp.status_code == 200, resp
    host.refresh_from_db()
    assert (host.last_name, host.email, host.title, host.department) == (
        "Smith",
        "jane.smith@initech.example",
        "Lead",
        "Ops",
    )

    # Suspend, then unsuspend: the template carries "active" (a string in some templates).
    resp = onelogin.put(f"/Users/{user_id}?", dict(body, active="false"))
    assert resp.status_code == 200 and resp.json()["active"] is False, resp
    host.refresh_from_db()
    assert host.is_active is False
    resp = onelogin.put(f"/Users/{user_id}?", dict(body, active="true"))
    assert resp.status_code == 200 and resp.json()["active"] is True, resp

    # Groups: a rule maps roles to groups; OneLogin creates the group and PATCHes members.
    resp = onelogin.post("/Groups", {"schemas": [CORE_GROUP], "displayName": "Visitors Desk"})
    assert resp.status_code == 201, resp
    group_id = resp.json()["id"]
    add = patch_body({"op": "add", "path": "members", "value": [{"value": user_id}]})
    assert onelogin.patch(f"/Groups/{group_id}", add).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == [user_id]
    # The same add again (a repeated rule run) changes nothing.
    assert onelogin.patch(f"/Groups/{group_id}", add).status_code in (200, 204)
    assert group_member_ids(initech, group_id) == [user_id]
    (listed,) = assert_list_response(onelogin.get("/Groups"), total=1)
    assert listed["displayName"] == "Visitors Desk"

    # Member change: the role is taken away.
    second = onelogin.post(
        "/Users", template("li.wei", "Li", "Wei", "li.wei@initech.example")
    ).json()["id"]
    resp = onelogin.patch(
        f"/Groups/{group_id}",
        patch_body(
            {"op": "add", "path": "members", "value": [{"value": second}]},
            {"op": "remove", "path": f'members[value eq "{user_id}"]'},
        ),
    )
    assert resp.status_code in (200, 204), resp
    assert group_member_ids(initech, group_id) == [second]

    # Rename.
    resp = onelogin.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "replace", "path": "displayName", "value": "Front Desk"}),
    )
    assert resp.status_code in (200, 204), resp
    assert HostGroup.objects.get(public_id=group_id).name == "Front Desk"

    # Deprovisioning action "Delete": DELETE the user; it is gone, its group membership too.
    assert onelogin.delete(f"/Users/{user_id}").status_code == 204
    assert_scim_error(onelogin.get(f"/Users/{user_id}"), 404)
    assert_list_response(onelogin.get(lookup("jane.doe")), total=0)
    assert group_member_ids(initech, group_id) == [second]
    assert host_of(initech, user_id).deleted_at is not None
    # OneLogin never deletes groups; an admin may, and the group goes.
    assert onelogin.delete(f"/Groups/{group_id}").status_code == 204
    assert_scim_error(onelogin.get(f"/Groups/{group_id}"), 404)


def test_scim_1_template_urns_and_manager_id(onelogin, initech):
    boss = onelogin.post(
        "/Users",
        template("boss", "Big", "Boss", "boss@initech.example", urns=(V1_CORE, V1_ENTERPRISE)),
    )
    assert boss.status_code == 201, boss
    body = template(
        "minion",
        "Mini",
        "On",
        "minion@initech.example",
        department="Ops",
        urns=(V1_CORE, V1_ENTERPRISE),
    )
    body[V1_ENTERPRISE]["manager"] = {"managerId": boss.json()["id"], "displayName": "Big Boss"}
    resp = onelogin.post("/Users", body)
    assert resp.status_code == 201, resp
    extension = resp.json()[ENTERPRISE]
    assert extension["department"] == "Ops"
    assert extension["manager"]["value"] == boss.json()["id"]
    assert V1_ENTERPRISE not in resp.json()
    assert host_of(initech, resp.json()["id"]).department == "Ops"


def test_trailing_ampersand_and_plus_encoding_find_the_user(onelogin):
    user_id = onelogin.post("/Users", template("a.b", "A", "B", "a.b@initech.example")).json()["id"]
    (found,) = assert_list_response(onelogin.get(lookup("a.b")), total=1)
    assert found["id"] == user_id


def test_an_existing_manual_host_is_linked_by_the_first_provisioning(onelogin, initech):
    """OneLogin's lookup uses the username it provisions; with the e-mail as username (the
    usual "SCIM Username" mapping) a manual host with that e-mail is found and the PUT
    links it."""
    host, group, visit = manual_host_with_history(
        initech, email="ava.martin@initech.example", first_name="Ava", last_name="Martin"
    )
    (found,) = assert_list_response(onelogin.get(lookup("ava.martin@initech.example")), total=1)
    assert found["id"] == str(host.public_id)
    body = template(
        "ava.martin@initech.example",
        "Ava",
        "Martin",
        "ava.martin@initech.example",
        department="Sales",
    )
    resp = onelogin.put(f"/Users/{host.public_id}?", body)
    assert resp.status_code == 200, resp
    host = assert_linked(initech, host, visit, group)
    assert host.department == "Sales"


def test_a_create_for_a_manual_host_links_instead_of_duplicating(onelogin, initech):
    host, group, visit = manual_host_with_history(
        initech, email="bo@initech.example", first_name="Bo", last_name="Lind"
    )
    resp = onelogin.post(
        "/Users", template("bo@initech.example", "Bo", "Lind", "bo@initech.example")
    )
    assert resp.status_code == 201 and resp.json()["id"] == str(host.public_id), resp
    assert_linked(initech, host, visit, group)
