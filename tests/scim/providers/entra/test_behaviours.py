"""docs/identity-providers/entra.md §9 — the 15 behaviours that matter most, each with its one-line
test."""

import time
import uuid

from tests.factories import DirectoryHostFactory
from tests.scim.providers.entra.payloads import DEFAULT, FLAGGED, minimal_user, tut_user
from tests.scim.providers.entra.test_users_create import EXAMPLE_2
from tests.scim.providers.entra.test_validator_inventory import (
    assert_validator_user,
    validator_user,
)
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    PATCH_OP,
    assert_empty_list,
    assert_list_response,
    assert_scim_error,
    assert_user,
    groups_filter,
    patch_body,
    users_filter,
)
from visitor_mgmt.models import Host


def test_01_empty_filter_is_200_empty_list_never_404(scim):
    assert_empty_list(scim.get(users_filter("userName", str(uuid.uuid4()))))
    assert_empty_list(scim.get(groups_filter(str(uuid.uuid4()))))


def test_02_case_insensitive_username_agrees_with_uniqueness(scim):
    user_id = scim.post_user(tut_user("Alice@X.com"))
    (found,) = assert_list_response(scim.get(users_filter("userName", "alice@x.com")), total=1)
    assert found["id"] == user_id
    assert_scim_error(scim.post("/Users", tut_user("ALICE@x.com")), 409, "uniqueness")


def test_02b_case_insensitive_group_display_name_agrees_with_uniqueness(scim):
    group_id = scim.post_group("Front Desk")
    (found,) = assert_list_response(scim.get(groups_filter("FRONT desk")), total=1)
    assert found["id"] == group_id
    dup = {"schemas": [CORE_GROUP], "displayName": "front DESK"}
    assert_scim_error(scim.post("/Groups", dup), 409, "uniqueness")


def test_03_op_names_case_insensitive(scim):
    views = []
    for i, op in enumerate(["Replace", "replace", "Add", "add"]):
        user_id = scim.post_user(minimal_user(f"op{i}@contoso.com"))
        fetched = scim.patch_user(user_id, patch_body({"op": op, "path": "title", "value": "T"}))
        views.append({k: v for k, v in fetched.items() if k not in ("id", "meta", "userName")})
    assert all(v == views[0] for v in views), views
    assert views[0]["title"] == "T"


def test_04_active_accepts_strings_and_booleans_via_replace_or_add(scim):
    for i, (op, value, expected) in enumerate(
        [
            ("Replace", "False", False),
            ("Replace", False, False),
            ("Add", "False", False),
            ("Replace", "True", True),
            ("replace", True, True),
            ("Add", "true", True),
        ]
    ):
        user_id = scim.post_user(tut_user(f"act{i}@contoso.com", active=not expected))
        fetched = scim.patch_user(user_id, patch_body({"op": op, "path": "active", "value": value}))
        assert fetched["active"] is expected, (op, value, fetched)


def test_05_disabled_user_still_returned_by_id_and_filter(scim):
    user_id = scim.post_user(tut_user("off@contoso.com"))
    scim.patch_user(user_id, patch_body({"op": "Replace", "path": "active", "value": "False"}))
    assert scim.user(user_id)["active"] is False
    (found,) = assert_list_response(scim.get(users_filter("userName", "off@contoso.com")), total=1)
    assert found["active"] is False


def test_06_add_filtered_value_path_creates_the_element(scim):
    user = minimal_user("nomail@contoso.com")
    user_id = scim.post_user(user)
    op = {"op": "Add", "path": 'emails[type eq "work"].value', "value": "x@y.com"}
    fetched = scim.patch_user(user_id, patch_body(op))
    assert_user(
        fetched, {**user, "emails": [{"type": "work", "value": "x@y.com"}]}, user_id=user_id
    )


def test_07_pathless_replace_with_dotted_and_urn_keys(scim):
    user = tut_user("flag@contoso.com")
    user_id = scim.post_user(user)
    value = {
        "displayName": "Bjfe",
        "name.givenName": "Kkom",
        f"{ENTERPRISE}:employeeNumber": "Aklq",
    }
    fetched = scim.patch_user(user_id, patch_body({"op": "replace", "value": value}))
    assert fetched["displayName"] == "Bjfe"
    assert fetched["name"]["givenName"] == "Kkom"
    assert fetched[ENTERPRISE]["employeeNumber"] == "Aklq"
    assert "name.givenName" not in fetched and f"{ENTERPRISE}:employeeNumber" not in fetched


def test_08_member_removal_in_both_shapes_never_wipes_the_group(scim):
    u1, u2, u3 = (scim.post_user(minimal_user(f"m{i}@contoso.com")) for i in range(3))
    group_id = scim.post_group("Three")
    assert (
        scim.patch(f"/Groups/{group_id}", patch_body(DEFAULT.add_members(u1, u2, u3))).status_code
        == 204
    )
    assert (
        scim.patch(f"/Groups/{group_id}", patch_body(DEFAULT.remove_member(u1))).status_code == 204
    )
    assert {m["value"] for m in scim.get(f"/Groups/{group_id}").json()["members"]} == {u2, u3}
    assert (
        scim.patch(f"/Groups/{group_id}", patch_body(FLAGGED.remove_member(u2))).status_code == 204
    )
    assert {m["value"] for m in scim.get(f"/Groups/{group_id}").json()["members"]} == {u3}


def test_09_idempotent_membership_and_many_members_per_op(scim, contoso):
    ids = [str(h.public_id) for h in DirectoryHostFactory.create_batch(150, account=contoso)]
    outsider = scim.post_user(minimal_user("outsider@contoso.com"))
    group_id = scim.post_group("Big")
    assert (
        scim.patch(f"/Groups/{group_id}", patch_body(DEFAULT.add_members(*ids))).status_code == 204
    )
    assert (
        scim.patch(f"/Groups/{group_id}", patch_body(DEFAULT.add_members(*ids))).status_code == 204
    )
    assert (
        scim.patch(f"/Groups/{group_id}", patch_body(DEFAULT.remove_member(outsider))).status_code
        == 204
    )
    assert len(scim.get(f"/Groups/{group_id}").json()["members"]) == 150


def test_10_lenient_post_input(scim):
    resp = scim.post("/Users", EXAMPLE_2)
    assert resp.status_code == 201, resp
    assert_user(resp.json(), EXAMPLE_2)
    body = validator_user()
    resp = scim.post("/Users", body)
    assert resp.status_code == 201, resp
    assert_validator_user(resp.json(), body)


def test_11_status_codes(scim):
    resp = scim.post("/Users", tut_user("codes@contoso.com"))
    assert (resp.status_code, bool(resp.json().get("id"))) == (201, True)
    user_id = resp.json()["id"]
    assert scim.post("/Users", tut_user("codes@contoso.com")).status_code == 409
    group_id = scim.post_group("Codes")
    assert (
        scim.patch(f"/Groups/{group_id}", patch_body(DEFAULT.add_members(user_id))).status_code
        == 204
    )
    assert scim.patch(
        f"/Users/{user_id}", patch_body({"op": "Replace", "path": "title", "value": "x"})
    ).status_code in (200, 204)
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert scim.get(f"/Users/{user_id}").status_code == 404
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert scim.get(f"/Groups/{group_id}").status_code == 404
    assert scim.get("/Users", token="vmscim_bad-000000000000000000000000000000").status_code == 401


def test_12_scim_error_bodies_on_every_error_path(scim):
    assert_scim_error(scim.get("/NoSuchThing"), 404)
    assert_scim_error(scim.get("/Users?filter=userName+zz+%22a%22"), 400, "invalidFilter")
    assert_scim_error(scim.get(f"/Users/{uuid.uuid4()}"), 404)


def test_13_round_trip_fidelity_and_no_write_on_identical_sync(scim):
    user = tut_user(
        "fidelity@contoso.com", **{ENTERPRISE: {"department": "Retail", "employeeNumber": "1"}}
    )
    user_id = scim.post_user(user)
    assert_user(scim.user(user_id), user, user_id=user_id)
    body = patch_body({"op": "Replace", "path": "externalId", "value": "new-ext"})
    first = scim.patch_user(user_id, body)
    assert_user(first, {**user, "externalId": "new-ext"}, user_id=user_id)
    stamp = Host.objects.get(public_id=user_id).updated_at
    assert scim.patch_user(user_id, body) == first
    assert Host.objects.get(public_id=user_id).updated_at == stamp


def test_14_manager_handling(scim):
    boss = scim.post_user(minimal_user("boss@contoso.com"))
    worker = scim.post_user(minimal_user("worker@contoso.com"))
    path = f"{ENTERPRISE}:manager"
    ops = [
        (
            {
                "op": "Add",
                "path": "manager",
                "value": [{"$ref": f"https://x/scim/v2/Users/{boss}", "value": boss}],
            },
            boss,
        ),
        ({"op": "Replace", "path": path, "value": {"value": boss}}, boss),
        ({"op": "Replace", "path": path, "value": {"value": ""}}, None),
        ({"op": "Replace", "path": path, "value": boss}, boss),
        ({"op": "Remove", "path": f'manager[value eq "{boss}"]'}, None),
    ]
    for op, expected in ops:
        fetched = scim.patch_user(worker, patch_body(op))
        manager = (fetched.get(ENTERPRISE) or {}).get("manager") or {}
        assert (manager.get("value") or None) == expected, (op, fetched)
        qs = f"/Users?filter=id+eq+{worker}+and+manager+eq+{boss}&attributes=id"
        assert_list_response(scim.get(qs), total=1 if expected else 0)


def test_15_sustained_entra_rate_no_429_or_5xx(scim, settings):
    """25–50 req/s of creates plus memberships with the production rate limit in force."""
    settings.SCIM_RATE_LIMIT = 200
    group_id = scim.post_group("Load")
    statuses = []
    for i in range(60):
        t0 = time.monotonic()
        resp = scim.post("/Users", {"schemas": [CORE_USER], "userName": f"load{i}@contoso.com"})
        statuses.append(resp.status_code)
        if resp.status_code == 201:
            body = {"schemas": [PATCH_OP], "Operations": [DEFAULT.add_members(resp.json()["id"])]}
            statuses.append(scim.patch(f"/Groups/{group_id}", body).status_code)
        time.sleep(max(0.0, 0.04 - (time.monotonic() - t0)))  # ≈ 25–50 requests per second
    assert statuses.count(429) == 0
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) == {201, 204}
