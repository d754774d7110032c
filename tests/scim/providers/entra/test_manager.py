"""Scenario 9 — manager (enterprise extension reference). docs/identity-providers/entra.md §1.8,
§8.9, §9.14.

GET returns the manager under the enterprise extension as {"value": "<id>"} (never at the
top level), or Entra re-sends it every cycle (azure-docs#11784).
"""

from urllib.parse import quote_plus

import pytest

from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import CORE_USER, ENTERPRISE, assert_list_response, assert_user, patch_body

MANAGER_PATH = f"{ENTERPRISE}:manager"


def assert_manager(resource, user, manager_id, *, user_id):
    """The whole user equals ``user`` plus (or minus) the manager reference."""
    resource = dict(resource)
    assert "manager" not in resource, "manager must live under the enterprise extension"
    ext = dict(resource.get(ENTERPRISE) or {})
    manager = ext.pop("manager", None)
    if manager_id is None:
        assert manager in (None, {}, {"value": ""}) or manager.get("value") in (None, ""), resource
    else:
        assert isinstance(manager, dict), resource
        assert manager["value"] == manager_id, resource
        assert set(manager) <= {"value", "$ref", "displayName"}, manager
        if manager.get("$ref"):
            assert manager["$ref"].endswith(f"/scim/v2/Users/{manager_id}"), manager
    if ext:
        resource[ENTERPRISE] = ext
    else:
        resource.pop(ENTERPRISE, None)
        resource["schemas"] = [s for s in resource["schemas"] if s != ENTERPRISE]
    assert_user(resource, user, user_id=user_id)


@pytest.fixture
def people(entra):
    boss = tut_user("boss@contoso.com", externalId="boss")
    boss2 = tut_user("boss2@contoso.com", externalId="boss2")
    worker = tut_user("worker@contoso.com", externalId="worker")
    return {
        "boss": entra.post_user(boss),
        "boss2": entra.post_user(boss2),
        "worker": entra.post_user(worker),
        "worker_body": worker,
    }


def reference_query(user_id, manager_id, *, quoted):
    q = f'"{manager_id}"' if quoted else manager_id
    u = f'"{user_id}"' if quoted else user_id
    return "/Users?" + "filter=" + quote_plus(f"id eq {u} and manager eq {q}") + "&attributes=id"


def test_manager_lifecycle(entra, people):
    m = entra.mode
    boss, boss2, worker = people["boss"], people["boss2"], people["worker"]
    user = people["worker_body"]

    # 1. Add (TUT Example 5 legacy shape in default mode; URN path + {value} with the flag).
    if m.flag:
        add = {"op": "add", "path": MANAGER_PATH, "value": {"value": boss}}
    else:
        add = {
            "op": "Add",
            "path": "manager",
            "value": [{"$ref": f"http://testserver/scim/v2/Users/{boss}", "value": boss}],
        }
    assert_manager(entra.patch_user(worker, patch_body(add)), user, boss, user_id=worker)

    # 2. Reference check before the next update: id eq X and manager eq Y, unquoted and quoted.
    for quoted in (False, True):
        (hit,) = assert_list_response(
            entra.get(reference_query(worker, boss, quoted=quoted)), total=1
        )
        assert hit["id"] == worker
        assert "userName" not in hit and ENTERPRISE not in hit, hit
        assert_list_response(entra.get(reference_query(worker, boss2, quoted=quoted)), total=0)

    # 3. Replace with the full enterprise URN path and {"value": id}.
    replace = {"op": m.op("replace"), "path": MANAGER_PATH, "value": {"value": boss2}}
    assert_manager(entra.patch_user(worker, patch_body(replace)), user, boss2, user_id=worker)
    assert_list_response(entra.get(reference_query(worker, boss, quoted=True)), total=0)
    assert_list_response(entra.get(reference_query(worker, boss2, quoted=True)), total=1)

    # 4. Clear with {"value": ""} (validator "Remove Manager").
    clear = {"op": m.op("replace"), "path": MANAGER_PATH, "value": {"value": ""}}
    assert_manager(entra.patch_user(worker, patch_body(clear)), user, None, user_id=worker)
    assert_list_response(entra.get(reference_query(worker, boss2, quoted=True)), total=0)

    # 5. Set again with a plain string, then remove manager[value eq "id"].
    set_plain = {"op": m.op("add"), "path": MANAGER_PATH, "value": boss}
    assert_manager(entra.patch_user(worker, patch_body(set_plain)), user, boss, user_id=worker)
    remove = {"op": m.op("remove"), "path": f'manager[value eq "{boss}"]'}
    assert_manager(entra.patch_user(worker, patch_body(remove)), user, None, user_id=worker)


def test_remove_manager_with_urn_path(entra, people):
    m = entra.mode
    worker, boss, user = people["worker"], people["boss"], people["worker_body"]
    entra.patch_user(
        worker,
        patch_body({"op": m.op("add"), "path": MANAGER_PATH, "value": {"value": boss}}),
    )
    fetched = entra.patch_user(worker, patch_body({"op": m.op("remove"), "path": MANAGER_PATH}))
    assert_manager(fetched, user, None, user_id=worker)


def test_manager_posted_as_plain_string(entra, people):
    """TUT schema example: "manager": "<id>" under the enterprise extension."""
    body = tut_user(
        "plain.mgr@contoso.com",
        externalId="pm",
        **{ENTERPRISE: {"manager": people["boss"], "department": "Ops"}},
    )
    user_id = entra.post_user(body)
    expected = {**body, ENTERPRISE: {"department": "Ops"}}
    assert_manager(entra.user(user_id), expected, people["boss"], user_id=user_id)


def test_manager_posted_as_value_object(entra, people):
    body = tut_user(
        "obj.mgr@contoso.com",
        externalId="om",
        **{ENTERPRISE: {"manager": {"value": people["boss"]}}},
    )
    user_id = entra.post_user(body)
    expected = {k: v for k, v in body.items() if k != ENTERPRISE}
    expected["schemas"] = [CORE_USER]
    assert_manager(entra.user(user_id), expected, people["boss"], user_id=user_id)


def test_resending_the_same_manager_is_a_no_op(entra, people):
    m = entra.mode
    worker, boss = people["worker"], people["boss"]
    body = patch_body({"op": m.op("replace"), "path": MANAGER_PATH, "value": {"value": boss}})
    first = entra.patch_user(worker, body)
    second = entra.patch_user(worker, body)
    assert first == second
