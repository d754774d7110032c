"""Error paths, protocol details and discovery (docs/identity-providers/entra.md §1.11, §9.11,
§9.12; docs/architecture.md §4).

Every error is a SCIM Error JSON with application/scim+json and "status" as a string,
including framework-level 404/405/413; bad filters are 400 invalidFilter; paging follows
startIndex/count (default 100, max 1000).
"""

import json
import uuid
from datetime import datetime

import pytest

from tests.scim.providers.entra.payloads import minimal_user, tut_user
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    LIST_RESPONSE,
    PATCH_OP,
    assert_list_response,
    assert_scim_content_type,
    assert_scim_error,
    assert_user,
    patch_body,
)


def parse_dt(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---------------------------------------------------------------- not found / routing


# Unknown and malformed ids, unknown routes, 405s and /Bulk: tests/scim/protocol/test_errors.py
# (every verb, both resources, Entra's hex sample id included).


# ---------------------------------------------------------------- bad bodies


def test_user_without_username_is_400(scim):
    assert_scim_error(
        scim.post("/Users", {"schemas": [CORE_USER], "displayName": "No Name"}), 400, "invalidValue"
    )


def test_group_without_display_name_is_400(scim):
    assert_scim_error(
        scim.post("/Groups", {"schemas": [CORE_GROUP], "externalId": "x"}), 400, "invalidValue"
    )


def test_patch_without_operations_is_400(scim):
    user_id = scim.post_user(minimal_user("ops@contoso.com"))
    resp = scim.patch(f"/Users/{user_id}", {"schemas": [PATCH_OP]})
    assert_scim_error(resp, 400, ("invalidSyntax", "invalidValue"))


def test_remove_without_path_is_400_no_target(scim):
    user_id = scim.post_user(minimal_user("nopath@contoso.com"))
    resp = scim.patch(f"/Users/{user_id}", patch_body({"op": "Remove"}))
    assert_scim_error(resp, 400, "noTarget")


def test_oversized_body_is_413(scim):
    body = tut_user("huge@contoso.com", displayName="x" * (1024 * 1024 + 10))
    assert_scim_error(scim.post("/Users", body), 413)


def test_null_update_returns_200(scim):
    """Logic App SCIM_Null_Update_Test: setting an attribute to null succeeds and clears it."""
    user = tut_user("nulls@contoso.com", title="Boss")
    user_id = scim.post_user(user)
    fetched = scim.patch_user(
        user_id, patch_body({"op": "Replace", "path": "title", "value": None})
    )
    assert_user(fetched, {k: v for k, v in user.items() if k != "title"}, user_id=user_id)


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(
    "query",
    [
        "filter=userName+eq",
        "filter=userName+eq+%22unterminated",
        "filter=%28userName+eq+%22a%22",
        "filter=userName+xx+%22a%22",
    ],
)
def test_filter_syntax_error_is_400_invalid_filter(scim, query):
    assert_scim_error(scim.get(f"/Users?{query}"), 400, "invalidFilter")


@pytest.mark.parametrize("resource", ["Users", "Groups"])
def test_unsupported_filter_attribute_is_400_invalid_filter(scim, resource):
    assert_scim_error(
        scim.get(f"/{resource}?filter=favouriteColour+eq+%22blue%22"), 400, "invalidFilter"
    )


def test_filter_and_of_username_and_external_id(scim):
    user_id = scim.post_user(tut_user("and@contoso.com", externalId="ext-and"))
    scim.post_user(tut_user("other@contoso.com", externalId="ext-other"))
    qs = "/Users?filter=userName+eq+%22and%40contoso.com%22+and+externalId+eq+%22ext-and%22"
    (found,) = assert_list_response(scim.get(qs), total=1)
    assert found["id"] == user_id
    qs = "/Users?filter=userName+eq+%22and%40contoso.com%22+and+externalId+eq+%22ext-other%22"
    assert_list_response(scim.get(qs), total=0)


def test_filter_by_work_email_value_path(scim):
    user = tut_user("mailmatch@contoso.com")
    user_id = scim.post_user(user)
    value = user["emails"][0]["value"]
    qs = "/Users?filter=" + f'emails[type eq "work"].value eq "{value}"'.replace(" ", "+").replace(
        '"', "%22"
    )
    (found,) = assert_list_response(scim.get(qs), total=1)
    assert found["id"] == user_id


def test_filter_by_id(scim):
    user_id = scim.post_user(minimal_user("byid@contoso.com"))
    (found,) = assert_list_response(scim.get(f"/Users?filter=id+eq+%22{user_id}%22"), total=1)
    assert found["id"] == user_id


# ---------------------------------------------------------------- attributes / excludedAttributes


def test_attributes_parameter_limits_the_resource(scim):
    user_id = scim.post_user(tut_user("attrs@contoso.com"))
    (found,) = assert_list_response(
        scim.get("/Users?filter=userName+eq+%22attrs%40contoso.com%22&attributes=userName"), total=1
    )
    assert found["id"] == user_id and found["userName"] == "attrs@contoso.com"
    assert set(found) <= {"id", "schemas", "userName", "meta"}, found


def test_excluded_attributes_on_user(scim):
    user = tut_user("excl@contoso.com")
    user_id = scim.post_user(user)
    resp = scim.get(f"/Users/{user_id}?excludedAttributes=emails")
    assert resp.status_code == 200, resp
    assert "emails" not in resp.json()
    assert resp.json()["userName"] == "excl@contoso.com"


# ---------------------------------------------------------------- paging


@pytest.fixture
def eleven_users(scim):
    return [scim.post_user(minimal_user(f"page{i:02d}@contoso.com")) for i in range(11)]


def test_pagination_walks_every_user_once(scim, eleven_users):
    """Logic App pagination test: /Users?startIndex=N&count=5 over 11 users."""
    seen = []
    for start in (1, 6, 11):
        resp = scim.get(f"/Users?startIndex={start}&count=5")
        page = assert_list_response(resp, total=11, count=min(5, 12 - start), start=start)
        seen += [r["id"] for r in page]
    assert sorted(seen) == sorted(eleven_users)


# count=0 or negative, startIndex below one or past the end, non-numeric paging, the
# default page of 100 and the cap of 1000: tests/scim/protocol/test_filters.py (test_paging_params
# and the tests after it), which also check which resource comes first.


def test_paging_on_groups(scim):
    for i in range(3):
        scim.post("/Groups", {"schemas": [CORE_GROUP], "displayName": f"G{i}"})
    assert_list_response(scim.get("/Groups?startIndex=2&count=1"), total=3, count=1, start=2)


# ---------------------------------------------------------------- meta and discovery


def test_last_modified_moves_on_a_real_change(scim):
    user_id = scim.post_user(tut_user("lm@contoso.com"))
    before = scim.user(user_id)["meta"]
    after = scim.patch_user(
        user_id, patch_body({"op": "Replace", "path": "title", "value": "New"})
    )["meta"]
    assert after["created"] == before["created"]
    assert parse_dt(after["lastModified"]) > parse_dt(before["lastModified"])


def test_service_provider_config(scim):
    resp = scim.get("/ServiceProviderConfig")
    assert resp.status_code == 200, resp
    assert_scim_content_type(resp)
    body = resp.json()
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert body["patch"]["supported"] is True
    assert body["filter"]["supported"] is True
    assert body["filter"]["maxResults"] == 1000
    assert body["bulk"]["supported"] is False
    assert any(s["type"] == "oauthbearertoken" for s in body["authenticationSchemes"])


def test_schemas_endpoint_lists_user_enterprise_and_group(scim):
    resp = scim.get("/Schemas")
    assert resp.status_code == 200, resp
    assert_scim_content_type(resp)
    body = resp.json()
    assert body["schemas"] == [LIST_RESPONSE]
    ids = {s["id"] for s in body["Resources"]}
    assert {CORE_USER, ENTERPRISE, CORE_GROUP} <= ids


def test_resource_types_endpoint(scim):
    resp = scim.get("/ResourceTypes")
    assert resp.status_code == 200, resp
    body = resp.json()
    types = {r["name"]: r for r in body["Resources"]}
    assert types["User"]["endpoint"].endswith("/Users")
    assert types["User"]["schema"] == CORE_USER
    assert {e["schema"] for e in types["User"].get("schemaExtensions", [])} == {ENTERPRISE}
    assert types["Group"]["endpoint"].endswith("/Groups")


def test_error_bodies_are_valid_json_with_string_status(scim):
    for resp in (
        scim.get(f"/Users/{uuid.uuid4()}"),
        scim.get("/Users?filter=bogus"),
        scim.get("/Nope"),
        scim.post("/Users", "not json"),
    ):
        assert resp.status_code >= 400, resp
        assert_scim_content_type(resp)
        parsed = json.loads(resp.content)
        assert isinstance(parsed["status"], str)
