"""Whatever a client sends, the answer is a SCIM response, never a 5xx."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scim.support import ENTERPRISE, PATCH_OP, filter_qs

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["value", "type", "primary", "display", "$ref", "x"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=8,
)
paths = st.sampled_from(
    [
        "userName",
        "active",
        "title",
        "name",
        "name.givenName",
        "emails",
        "emails.value",
        'emails[type eq "work"].value',
        'emails[type eq "work"]',
        'roles[primary eq "True"].value',
        "phoneNumbers",
        'addresses[type eq "work"].postalCode',
        "manager",
        "manager.value",
        f"{ENTERPRISE}:manager",
        f"{ENTERPRISE}:department",
        ENTERPRISE,
        'manager[value eq "x"]',
        "members",
        'members[value eq "x"]',
        "id",
        "meta",
        "groups",
        "displayName",
        "externalId",
        "emails[",
        "a.b.c",
        "urn:x:y",
        "",
        'emails[type eq "a" or value co "b"].display',
    ]
) | st.text(max_size=15)
operations = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "Replace", "remove", "REMOVE", "nope"])},
    optional={"path": paths, "value": json_values | st.dictionaries(paths, json_values)},
)


@FUZZ
@given(ops=st.lists(operations, min_size=1, max_size=4))
def test_random_user_patches_never_5xx(api, ops):
    user = api.get("/Users?" + filter_qs('userName eq "fuzz@acme.test"')).json()["Resources"]
    user_id = user[0]["id"] if user else api.create_user("fuzz@acme.test")["id"]
    resp = api.request("PATCH", f"/Users/{user_id}", {"schemas": [PATCH_OP], "Operations": ops})
    assert resp.status_code in (200, 400, 409), resp.content
    if resp.status_code == 200:
        assert resp.json() == api.user(user_id)


@FUZZ
@given(ops=st.lists(operations, min_size=1, max_size=4))
def test_random_group_patches_never_5xx(api, ops):
    groups = api.get("/Groups?" + filter_qs('displayName eq "Fuzz"')).json()["Resources"]
    group_id = groups[0]["id"] if groups else api.create_group("Fuzz")["id"]
    resp = api.request("PATCH", f"/Groups/{group_id}", {"schemas": [PATCH_OP], "Operations": ops})
    assert resp.status_code in (204, 400, 409), resp.content
    api.get(f"/Groups/{group_id}")  # still readable


@FUZZ
@given(body=st.dictionaries(paths | st.text(max_size=10), json_values, max_size=6))
def test_random_user_posts_never_5xx(api, body):
    resp = api.post("/Users", body)
    assert resp.status_code in (201, 400, 409), resp.content


filter_words = st.sampled_from(
    [
        "userName",
        "eq",
        "ne",
        "co",
        "pr",
        "gt",
        "and",
        "or",
        "not",
        "(",
        ")",
        "[",
        "]",
        '"x"',
        "true",
        "null",
        "emails",
        "type",
        ".value",
        "id",
        "manager",
        "meta.lastModified",
        '"2020-01-01T00:00:00Z"',
        "members",
        "value",
        '"',
        "\\",
        "12",
    ]
)


@FUZZ
@given(words=st.lists(filter_words | st.text(max_size=6), min_size=1, max_size=8))
def test_random_filters_are_200_or_400(api, words):
    expression = " ".join(words)
    for resource in ("Users", "Groups"):
        resp = api.get(f"/{resource}?" + filter_qs(expression))
        assert resp.status_code in (200, 400), (expression, resp.content)
        if resp.status_code == 400:
            assert resp.json()["scimType"] == "invalidFilter"


@FUZZ
@given(raw=st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_random_bodies_never_5xx(api, raw):
    for method, path in (("POST", "/Users"), ("POST", "/Groups"), ("POST", "/Users/.search")):
        resp = api.request(method, path, raw)
        assert resp.status_code in (200, 201, 400, 409), (raw, resp.content)
        json.loads(resp.content)


@FUZZ
@given(
    names=st.lists(paths, max_size=4),
    excluded=st.booleans(),
    resource=st.sampled_from(["Users", "Groups"]),
)
def test_random_attribute_selections_are_200(api, names, excluded, resource):
    from urllib.parse import quote

    if not api.get("/Users").json()["Resources"]:
        user = api.create_user(
            "sel@acme.test",
            name={"givenName": "S"},
            **{ENTERPRISE: {"manager": "m", "department": "D"}},
        )
        group = api.create_group("Sel")
        api.patch_ops(
            f"/Groups/{group['id']}",
            {"op": "add", "path": "members", "value": [{"value": user["id"]}]},
        )
    param = "excludedAttributes" if excluded else "attributes"
    resp = api.get(f"/{resource}?{param}=" + quote(",".join(names), safe=""))
    assert resp.status_code == 200, resp.content
    for item in resp.json()["Resources"]:
        assert item["id"] and item["schemas"]
