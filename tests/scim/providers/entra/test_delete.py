"""Scenario 10 — hard delete of a user (docs/identity-providers/entra.md §1.7, §8.10).

DELETE → 204 with no body; again → 404; GET → 404; the Host row stays as a tombstone so
visit history survives, and the userName can be provisioned again.
"""

import uuid

from tests.factories import VisitFactory
from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import (
    assert_empty_list,
    assert_list_response,
    assert_scim_error,
    assert_user,
    patch_body,
    users_filter,
)
from visitor_mgmt.models import Host


def test_delete_user_then_404(entra):
    user = tut_user("bye@contoso.com")
    user_id = entra.post_user(user)

    resp = entra.delete(f"/Users/{user_id}")
    assert resp.status_code == 204, resp
    assert resp.content == b""

    assert_scim_error(entra.get(f"/Users/{user_id}"), 404)
    assert_scim_error(entra.delete(f"/Users/{user_id}"), 404)
    assert_scim_error(
        entra.patch(
            f"/Users/{user_id}", patch_body({"op": "Replace", "path": "title", "value": "x"})
        ),
        404,
    )
    assert_empty_list(entra.get(users_filter("userName", "bye@contoso.com")))
    assert_list_response(entra.get("/Users"), total=0)

    host = Host.objects.get(public_id=user_id)
    assert host.deleted_at is not None


def test_delete_keeps_visit_history(entra):
    user_id = entra.post_user(tut_user("visited@contoso.com"))
    host = Host.objects.get(public_id=user_id)
    visit = VisitFactory(account=host.account, host=host, host_name="Visited Host")
    assert entra.delete(f"/Users/{user_id}").status_code == 204
    visit.refresh_from_db()
    assert visit.host_id == host.id
    assert visit.host_name == "Visited Host"


def test_deleted_username_can_be_provisioned_again(entra):
    body = tut_user("again@contoso.com")
    old_id = entra.post_user(body)
    assert entra.delete(f"/Users/{old_id}").status_code == 204

    resp = entra.post("/Users", body)
    assert resp.status_code == 201, resp
    new_id = resp.json()["id"]
    assert new_id != old_id
    assert_user(entra.user(new_id), body, user_id=new_id)
    (found,) = assert_list_response(
        entra.get(users_filter("userName", "again@contoso.com")), total=1
    )
    assert found["id"] == new_id
    assert_scim_error(entra.get(f"/Users/{old_id}"), 404)


def test_delete_unknown_user_is_404(entra):
    assert_scim_error(entra.delete(f"/Users/{uuid.uuid4()}"), 404)


def test_deleted_user_leaves_its_groups(entra):
    user_id = entra.post_user(tut_user("member@contoso.com"))
    group_id = entra.post_group("Reception")
    resp = entra.patch(f"/Groups/{group_id}", patch_body(entra.mode.add_members(user_id)))
    assert resp.status_code == 204, resp
    assert entra.delete(f"/Users/{user_id}").status_code == 204
    group = entra.get(f"/Groups/{group_id}")
    assert group.status_code == 200, group
    assert group.json()["members"] == []
