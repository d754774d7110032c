"""Cross-account isolation: a token sees and touches only its own account, in SQL."""

import pytest

from tests.scim.support import assert_list_response, assert_scim_error, filter_qs
from visitor_mgmt.models import Host, HostGroup


@pytest.fixture
def theirs(other_api):
    user = other_api.create_user("secret@globex.test", title="Spy")
    group = other_api.create_group("Globex Only")
    other_api.patch_ops(
        f"/Groups/{group['id']}", {"op": "add", "path": "members", "value": [{"value": user["id"]}]}
    )
    return {"user": user["id"], "group": group["id"]}


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_accounts_user_is_404_and_untouched(api, theirs, method):
    body = {
        "userName": "stolen@acme.test",
        "Operations": [{"op": "replace", "path": "title", "value": "Mine"}],
    }
    assert_scim_error(api.request(method, f"/Users/{theirs['user']}", body), 404)
    host = Host.objects.get(public_id=theirs["user"])
    assert (host.username, host.title, host.deleted_at) == ("secret@globex.test", "Spy", None)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_accounts_group_is_404_and_untouched(api, theirs, method):
    body = {"displayName": "Stolen", "Operations": [{"op": "remove", "path": "members"}]}
    assert_scim_error(api.request(method, f"/Groups/{theirs['group']}", body), 404)
    group = HostGroup.objects.get(public_id=theirs["group"])
    assert group.name == "Globex Only" and group.members.count() == 1


def test_lists_filters_and_search_see_only_their_account(api, theirs):
    mine = api.create_user("me@acme.test")
    assert_list_response(api.get("/Users"), total=1)
    assert_list_response(
        api.get("/Users?" + filter_qs('userName eq "secret@globex.test"')), total=0
    )
    assert_list_response(api.get("/Users?" + filter_qs(f'id eq "{theirs["user"]}"')), total=0)
    assert_list_response(api.get("/Users?" + filter_qs('title eq "Spy"')), total=0)
    assert_list_response(api.post("/Users/.search", {"filter": 'userName co "globex"'}), total=0)
    assert_list_response(api.get("/Groups"), total=0)
    assert_list_response(api.get("/Groups?" + filter_qs('displayName eq "Globex Only"')), total=0)
    assert_list_response(api.get("/Groups?" + filter_qs(f'members eq "{theirs["user"]}"')), total=0)
    (found,) = assert_list_response(api.get("/Users?" + filter_qs('userName co "acme"')), total=1)
    assert found["id"] == mine["id"]


def test_other_accounts_user_cannot_become_a_member(api, theirs):
    group = api.create_group("Acme Team")["id"]
    resp = api.patch_ops(
        f"/Groups/{group}", {"op": "add", "path": "members", "value": [{"value": theirs["user"]}]}
    )
    assert_scim_error(resp, 400, "invalidValue")
    resp = api.patch_ops(
        f"/Groups/{group}",
        {"op": "replace", "path": "members", "value": [{"value": theirs["user"]}]},
    )
    assert_scim_error(resp, 400, "invalidValue")
    resp = api.post("/Groups", {"displayName": "Sneaky", "members": [{"value": theirs["user"]}]})
    assert_scim_error(resp, 400, "invalidValue")
    assert api.members(group) == set()


def test_removing_another_accounts_member_id_does_nothing_to_them(api, other_api, theirs):
    group = api.create_group("Acme Team")["id"]
    resp = api.patch_ops(
        f"/Groups/{group}", {"op": "remove", "path": f'members[value eq "{theirs["user"]}"]'}
    )
    assert resp.status_code == 204
    assert other_api.members(theirs["group"]) == {theirs["user"]}


def test_names_are_unique_per_account_only(api, theirs):
    api.create_user("secret@globex.test")
    api.create_group("globex only")
