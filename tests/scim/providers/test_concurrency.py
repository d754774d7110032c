"""Okta pushes group memberships in parallel PATCHes to the same group (other SCIM servers
lost members that way: a read-modify-write without a lock). Each PATCH removes one member
and adds another, in Okta's shape; none may be lost, none may fail.

PostgreSQL only (real row locks across connections).
"""

import pytest
from django.test import Client

from tests.scim.providers.helpers import group_member_ids
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    INITECH_TOKEN,
    ScimClient,
    patch_body,
    run_in_parallel,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_okta_membership_patches_lose_no_member(initech, initech_token):
    okta = ScimClient(Client(), INITECH_TOKEN, account=initech)
    ids = [
        okta.post("/Users", {"schemas": [CORE_USER], "userName": f"u{n}@okta.local"}).json()["id"]
        for n in range(8)
    ]
    old, new = ids[:4], ids[4:]
    resp = okta.post(
        "/Groups",
        {
            "schemas": [CORE_GROUP],
            "displayName": "Parallel",
            "members": [{"value": i} for i in old],
        },
    )
    group_id = resp.json()["id"]

    def swap_one_member(n):
        body = patch_body(
            {"op": "remove", "path": f'members[value eq "{old[n]}"]'},
            {"op": "add", "path": "members", "value": [{"value": new[n], "display": "x"}]},
        )
        return lambda okta: okta.patch(f"/Groups/{group_id}", body).status_code

    statuses = run_in_parallel(
        INITECH_TOKEN, [swap_one_member(n) for n in range(4)], account=initech, auth="basic"
    )
    assert all(status in (200, 204) for status in statuses), statuses
    assert group_member_ids(initech, group_id) == sorted(new)
