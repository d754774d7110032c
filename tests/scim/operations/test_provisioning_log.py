"""The provisioning log: one row per write or failure, never a token or a body."""

import pytest

from scim_hosts.models import ProvisioningEvent
from tests.scim.support import TOKEN, filter_qs


def rows(account):
    return list(
        ProvisioningEvent.objects.filter(account=account)
        .order_by("id")
        .values("method", "resource_type", "resource_name", "action", "outcome", "status", "reason")
    )


def last(account):
    return ProvisioningEvent.objects.filter(account=account).order_by("-id").first()


def test_user_lifecycle_is_logged(api, account):
    user = api.create_user("log@acme.test", title="T")
    uid = user["id"]
    api.patch_ops(
        f"/Users/{uid}",
        {"op": "Replace", "path": "title", "value": "U"},
        {"op": "Add", "path": "nickName", "value": "N"},
    )
    api.patch_ops(f"/Users/{uid}", {"op": "Replace", "path": "active", "value": "False"})
    api.patch_ops(f"/Users/{uid}", {"op": "Replace", "path": "active", "value": "True"})
    api.put(f"/Users/{uid}", {"userName": "log@acme.test"})
    api.delete(f"/Users/{uid}")
    assert rows(account) == [
        {
            "method": "POST",
            "resource_type": "User",
            "resource_name": "log@acme.test",
            "action": "created",
            "outcome": "success",
            "status": 201,
            "reason": "",
        },
        {
            "method": "PATCH",
            "resource_type": "User",
            "resource_name": "log@acme.test",
            "action": "updated",
            "outcome": "success",
            "status": 200,
            "reason": "Changed: title",
        },
        {
            "method": "PATCH",
            "resource_type": "User",
            "resource_name": "log@acme.test",
            "action": "deactivated",
            "outcome": "success",
            "status": 200,
            "reason": "",
        },
        {
            "method": "PATCH",
            "resource_type": "User",
            "resource_name": "log@acme.test",
            "action": "reactivated",
            "outcome": "success",
            "status": 200,
            "reason": "",
        },
        {
            "method": "PUT",
            "resource_type": "User",
            "resource_name": "log@acme.test",
            "action": "updated",
            "outcome": "success",
            "status": 200,
            "reason": "Changed: title",
        },
        {
            "method": "DELETE",
            "resource_type": "User",
            "resource_name": "log@acme.test",
            "action": "deleted",
            "outcome": "success",
            "status": 204,
            "reason": "",
        },
    ]
    assert set(ProvisioningEvent.objects.values_list("resource_id", flat=True)) == {uid}


def test_group_changes_are_logged(api, account):
    users = [api.create_user(f"g{i}@acme.test")["id"] for i in range(3)]
    gid = api.create_group("Team")["id"]
    ProvisioningEvent.objects.all().delete()
    add = {"op": "Add", "path": "members", "value": [{"value": u} for u in users[:2]]}
    api.patch_ops(f"/Groups/{gid}", add)
    api.patch_ops(f"/Groups/{gid}", add)  # no-op: nothing logged
    api.patch_ops(f"/Groups/{gid}", {"op": "remove", "path": f'members[value eq "{users[0]}"]'})
    api.patch_ops(
        f"/Groups/{gid}", {"op": "replace", "path": "members", "value": [{"value": users[2]}]}
    )
    api.patch_ops(
        f"/Groups/{gid}",
        {"op": "add", "path": "members", "value": [{"value": users[0]}]},
        {"op": "remove", "path": f'members[value eq "{users[2]}"]'},
    )
    api.patch_ops(f"/Groups/{gid}", {"op": "Replace", "path": "displayName", "value": "Crew"})
    api.patch_ops(f"/Groups/{gid}", {"op": "replace", "value": {"externalId": "x"}})
    api.delete(f"/Groups/{gid}")
    assert [(r["action"], r["reason"], r["status"]) for r in rows(account)] == [
        ("members-added", "2 members added", 204),
        ("members-removed", "1 member removed", 204),
        ("members-replaced", "Members replaced (1)", 204),
        ("members-updated", "1 member added, 1 member removed", 204),
        ("renamed", 'Renamed from "Team"', 204),
        ("updated", "", 204),
        ("deleted", "", 204),
    ]
    assert {r["resource_type"] for r in rows(account)} == {"Group"}


def test_failures_are_logged_with_status_and_reason(api, account):
    api.create_user("dup@acme.test")
    ProvisioningEvent.objects.all().delete()
    api.post("/Users", {"userName": "DUP@acme.test", "password": "hunter2"})
    api.get("/Users/00000000-0000-0000-0000-000000000000")
    api.get("/Users?" + filter_qs("nickName eq true"))  # a string compared with a boolean
    api.post("/Users/.search", {"filter": "bad"})
    logged = rows(account)
    assert [(r["method"], r["action"], r["outcome"], r["status"]) for r in logged] == [
        ("POST", "create", "failure", 409),
        ("GET", "read", "failure", 404),
        ("GET", "read", "failure", 400),
        ("POST", "search", "failure", 400),
    ]
    assert logged[0]["reason"] == 'A user with userName "DUP@acme.test" already exists.'
    everything = str(list(ProvisioningEvent.objects.values()))
    assert "hunter2" not in everything and TOKEN not in everything


def test_reads_and_auth_failures_are_not_logged(api, account):
    api.create_user("r@acme.test")
    before = ProvisioningEvent.objects.count()
    api.get("/Users")
    api.get("/Users?" + filter_qs('userName eq "r@acme.test"'))
    api.get("/Groups?excludedAttributes=members")
    api.get("/ServiceProviderConfig")
    api.get("/Users", token="vmscim_wrong-000000000000000000000000000000")
    assert ProvisioningEvent.objects.count() == before


def test_long_values_are_truncated(api, account):
    api.get("/Users?" + filter_qs('userName eq "a" and ' + "x" * 1000))  # 400 quoting the filter
    event = last(account)
    assert event.status == 400
    assert len(event.reason) == 300 and event.reason.endswith("…")


@pytest.mark.parametrize("path", ["/Bulk", "/nope"])
def test_authenticated_requests_to_other_endpoints_log_their_failure(api, account, path):
    api.get(path)
    assert last(account).outcome == "failure"


def test_group_created_with_and_without_members(api, account):
    user = api.create_user("m@acme.test")["id"]
    api.post("/Groups", {"displayName": "Empty", "members": []})
    api.post("/Groups", {"displayName": "Full", "members": [{"value": user}]})
    assert [(r["action"], r["reason"]) for r in rows(account)[1:]] == [
        ("created", ""),
        ("created", "Members replaced (1)"),
    ]
