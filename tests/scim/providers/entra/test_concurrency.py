"""Entra runs requests in parallel: races must end in 201/409/204, never a 5xx or a duplicate.

PostgreSQL only (real row locks and constraint checks across connections).
"""

import pytest

from tests.scim.providers.entra.payloads import DEFAULT, minimal_user, tut_user
from tests.scim.support import CONTOSO_TOKEN, patch_body, run_in_parallel
from visitor_mgmt.models import Host, HostGroupMembership

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_parallel(account, calls):
    """Run ``calls`` (functions of Contoso's ScimClient) at once, each on its own connection."""
    return run_in_parallel(CONTOSO_TOKEN, calls, account=account)


def test_parallel_duplicate_posts_give_one_201_and_409s(scim):
    variants = ["race@contoso.com", "RACE@contoso.com", "Race@Contoso.com", "race@CONTOSO.com"]
    results = run_parallel(
        scim.account, [lambda s, v=v: s.post("/Users", tut_user(v)) for v in variants]
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 409, 409, 409], results
    for r in results:
        if r.status_code == 409:
            assert r.json()["scimType"] == "uniqueness", r
    assert Host.objects.filter(account=scim.account, deleted_at__isnull=True).count() == 1


def test_parallel_same_member_adds_give_one_membership(scim):
    user_id = scim.post_user(minimal_user("racer@contoso.com"))
    group_id = scim.post_group("Race Group")
    body = patch_body(DEFAULT.add_members(user_id))
    results = run_parallel(scim.account, [lambda s: s.patch(f"/Groups/{group_id}", body)] * 4)
    assert [r.status_code for r in results] == [204] * 4, results
    assert HostGroupMembership.objects.filter(group__public_id=group_id).count() == 1


def test_parallel_patches_to_one_user_lose_no_update(scim):
    user_id = scim.post_user(tut_user("many.writers@contoso.com"))
    paths = ["title", "displayName", "nickName", "preferredLanguage"]
    calls = [
        lambda s, p=p: s.patch(
            f"/Users/{user_id}", patch_body({"op": "Add", "path": p, "value": f"v-{p}"})
        )
        for p in paths
    ]
    results = run_parallel(scim.account, calls)
    assert all(r.status_code in (200, 204) for r in results), results
    fetched = scim.get(f"/Users/{user_id}").json()
    assert {p: fetched.get(p) for p in paths} == {p: f"v-{p}" for p in paths}
