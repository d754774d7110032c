"""Cross-account isolation: Contoso's token never sees or changes Fabrikam's data.

docs/architecture.md §4 "Tenant": every request is scoped to the token's account, on every path
(get, list, filter, member resolution). Foreign ids look exactly like unknown ids.
"""

import pytest

from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import (
    ENTERPRISE,
    assert_empty_list,
    assert_group,
    assert_list_response,
    assert_scim_error,
    assert_user,
    group_body,
    groups_filter,
    patch_body,
    users_filter,
)
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership

SHARED_NAME = "shared@contoso.com"


@pytest.fixture
def fabrikam_data(scim_b):
    user = tut_user(SHARED_NAME, externalId="fab-ext")
    user_id = scim_b.post_user(user)
    group_id = scim_b.post_group("Fabrikam Team", "fab-group")
    resp = scim_b.patch(
        f"/Groups/{group_id}",
        patch_body({"op": "Add", "path": "members", "value": [{"value": user_id}]}),
    )
    assert resp.status_code == 204, resp
    return {"user": user, "user_id": user_id, "group_id": group_id}


def test_foreign_user_is_404_on_every_verb(entra, scim_b, fabrikam_data):
    uid = fabrikam_data["user_id"]
    assert_scim_error(entra.get(f"/Users/{uid}"), 404)
    op = {"op": entra.mode.op("replace"), "path": "active", "value": entra.mode.boolean(False)}
    assert_scim_error(entra.patch(f"/Users/{uid}", patch_body(op)), 404)
    assert_scim_error(entra.delete(f"/Users/{uid}"), 404)
    # Fabrikam's user is untouched.
    assert_user(scim_b.user(uid), fabrikam_data["user"], user_id=uid)
    host = Host.objects.get(public_id=uid)
    assert host.is_active and host.deleted_at is None


def test_foreign_users_are_not_listed_or_filtered(entra, fabrikam_data):
    assert_empty_list(entra.get(users_filter("userName", SHARED_NAME)))
    assert_empty_list(entra.get(users_filter("externalId", "fab-ext")))
    assert_list_response(entra.get("/Users"), total=0)
    uid = fabrikam_data["user_id"]
    assert_empty_list(entra.get("/Users?filter=id+eq+%22" + uid + "%22"))


def test_foreign_group_is_404_and_not_listed(entra, scim_b, fabrikam_data):
    gid = fabrikam_data["group_id"]
    assert_scim_error(entra.get(f"/Groups/{gid}"), 404)
    assert_scim_error(entra.get(f"/Groups/{gid}?excludedAttributes=members"), 404)
    op = {"op": entra.mode.op("replace"), "path": "displayName", "value": "Hijacked"}
    assert_scim_error(entra.patch(f"/Groups/{gid}", patch_body(op)), 404)
    assert_scim_error(
        entra.patch(
            f"/Groups/{gid}", patch_body(entra.mode.remove_member(fabrikam_data["user_id"]))
        ),
        404,
    )
    assert_scim_error(entra.delete(f"/Groups/{gid}"), 404)
    assert_empty_list(entra.get(groups_filter("Fabrikam Team")))
    assert_list_response(entra.get("/Groups"), total=0)
    got = scim_b.get(f"/Groups/{gid}")
    assert_group(
        got.json(),
        display_name="Fabrikam Team",
        external_id="fab-group",
        member_ids=[fabrikam_data["user_id"]],
        group_id=gid,
    )


def test_foreign_user_id_as_member_is_400_and_nothing_changes(entra, fabrikam_data):
    mine = entra.post_user(tut_user("mine@contoso.com"))
    gid = entra.post_group("Contoso Team")
    body = patch_body(entra.mode.add_members(mine, fabrikam_data["user_id"]))
    assert_scim_error(entra.patch(f"/Groups/{gid}", body), 400, "invalidValue")
    assert not HostGroupMembership.objects.filter(group__public_id=gid).exists()
    got = entra.get(f"/Groups/{gid}")
    assert got.json()["members"] == []


def test_foreign_group_id_as_member_is_rejected(entra, fabrikam_data):
    gid = entra.post_group("Contoso Team")
    resp = entra.patch(
        f"/Groups/{gid}", patch_body(entra.mode.add_members(fabrikam_data["group_id"]))
    )
    assert resp.status_code in (204, 400), resp
    if resp.status_code == 400:
        assert_scim_error(resp, 400, "invalidValue")
    assert not HostGroupMembership.objects.filter(group__public_id=gid).exists()


def test_same_username_and_group_name_in_two_accounts(entra, fabrikam_data):
    """Uniqueness is per account: Contoso can provision the same names."""
    resp = entra.post("/Users", tut_user(SHARED_NAME, externalId="con-ext"))
    assert resp.status_code == 201, resp
    assert resp.json()["id"] != fabrikam_data["user_id"]
    (found,) = assert_list_response(entra.get(users_filter("userName", SHARED_NAME)), total=1)
    assert found["id"] == resp.json()["id"]
    resp = entra.post("/Groups", group_body("fabrikam team"))
    assert resp.status_code == 201, resp
    assert HostGroup.objects.filter(name__iexact="fabrikam team").count() == 2


def test_reference_query_does_not_cross_accounts(entra, scim_b, fabrikam_data):
    boss = scim_b.post_user(tut_user("boss@fabrikam.com", externalId="fb"))
    uid = fabrikam_data["user_id"]
    op = {
        "op": "Replace",
        "path": f"{ENTERPRISE}:manager",
        "value": {"value": boss},
    }
    assert scim_b.patch(f"/Users/{uid}", patch_body(op)).status_code in (200, 204)
    qs = f"/Users?filter=id+eq+%22{uid}%22+and+manager+eq+%22{boss}%22&attributes=id"
    assert_list_response(scim_b.get(qs), total=1)
    assert_empty_list(entra.get(qs))


def test_foreign_member_remove_does_not_touch_their_group(entra, fabrikam_data):
    gid = entra.post_group("Contoso Team")
    uid = fabrikam_data["user_id"]
    resp = entra.patch(f"/Groups/{gid}", patch_body(entra.mode.remove_member(uid)))
    assert resp.status_code in (204, 400), resp
    assert (
        HostGroupMembership.objects.filter(group__public_id=fabrikam_data["group_id"]).count() == 1
    )
