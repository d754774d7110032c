"""Property-based tests (hypothesis): whatever Entra, or anything else, sends,

- the answer is never a 5xx;
- a 4xx is a SCIM Error (``schemas``, ``status`` as a string, a ``detail``,
  ``application/scim+json``);
- a rejected request changes nothing: every host row (columns, stored document,
  timestamps), group and membership of the account is exactly as before;
- an accepted write leaves the written host's columns equal to the projection of its stored
  document, the response equal to the next GET, and every other resource untouched.

Requests are generated in two families: Entra-like (the shapes in docs/identity-providers/entra.md:
capitalised ops,
"True"/"False" strings, filtered sub-attribute paths, path-less dotted keys, member value
lists, manager in every shape) and malformed (wrong JSON types for every attribute, unknown
ops, broken paths, absurd nesting, text no database stores). tests/scim/protocol/test_fuzz.py covers
free-form fuzzing of the same endpoints for status codes only.
"""

import json
import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scim_hosts.mapping import host_fields_from_document
from tests.factories import AccountFactory, HostFactory, ScimTokenFactory
from tests.scim.support import CORE_GROUP, CORE_USER, ENTERPRISE, ERROR, PATCH_OP, SCIM_JSON
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership
from visitor_mgmt.services.text import normalise_host_values

EXAMPLES = 150
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ------------------------------------------------------------------ strategies: values

nasty_text = st.sampled_from(
    [
        "",
        " ",
        "a\x00b",
        "\ud800",
        "x" * 300,
        "'; DROP TABLE visitor_mgmt_host; --",
        '"',
        "\\",
        "%00",
        "é" * 200,
        "\u202e",
        "null",
        "True",
    ]
)
plain_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)
text = plain_text | nasty_text
emailish = st.builds(
    lambda a, b: f"{a}@{b}.test",
    st.from_regex(r"[a-z0-9.]{1,12}", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
)
booleanish = st.sampled_from(
    [True, False, "True", "False", "true", "false", "TRUE", "yes", 1, 0, None]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["value", "type", "primary", "display", "$ref", "x"]) | plain_text,
            children,
            max_size=4,
        )
    ),
    max_leaves=10,
)


def nested(depth):
    value = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"v": value}
    return value


deep_values = st.integers(1, 80).map(nested)

# ------------------------------------------------------------------ strategies: Entra-like users

ENTRA_PATHS = {
    "userName": emailish,
    "active": booleanish,
    "displayName": text,
    "title": text,
    "nickName": text,
    "preferredLanguage": st.sampled_from(["en-US", "fr-FR", ""]),
    "name.givenName": text,
    "name.familyName": text,
    "name.formatted": text,
    "externalId": text,
    'emails[type eq "work"].value': emailish | text,
    'emails[type eq "other"].value': emailish,
    'phoneNumbers[type eq "mobile"].value': st.from_regex(r"\+?[0-9 ()-]{3,20}", fullmatch=True)
    | text,
    'phoneNumbers[type eq "work"].value': st.from_regex(r"[0-9]{3,15}", fullmatch=True),
    'phoneNumbers[type eq "fax"].value': text,
    'addresses[type eq "work"].streetAddress': text,
    'addresses[type eq "work"].locality': text,
    'addresses[type eq "work"].country': st.sampled_from(["US", "DE", ""]),
    'roles[primary eq "True"].value': text,
    f"{ENTERPRISE}:department": text,
    f"{ENTERPRISE}:organization": text,
    f"{ENTERPRISE}:employeeNumber": text,
    f"{ENTERPRISE}:costCenter": text,
    f"{ENTERPRISE}:manager": st.sampled_from(["MANAGER", ""]) | st.just({"value": "MANAGER"}),
    "urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User:tag": text,
}
entra_path = st.sampled_from(sorted(ENTRA_PATHS))


@st.composite
def entra_operation(draw):
    path = draw(entra_path)
    value = draw(ENTRA_PATHS[path])
    flag = draw(st.booleans())  # the aadOptscim062020 tenant: lower-case ops, booleans
    op = draw(
        st.sampled_from(["add", "replace", "remove"] if flag else ["Add", "Replace", "Remove"])
    )
    if op.lower() == "remove":
        return {"op": op, "path": path}
    if flag and draw(st.booleans()) and "[" not in path:
        return {"op": op, "value": {path: value}}  # path-less, dotted key
    if draw(st.booleans()) and isinstance(value, str) and "[" in path:
        value = [{"value": value}]  # scimgateway#117 shape
    return {"op": op, "path": path, "value": value}


malformed_operation = st.one_of(
    st.fixed_dictionaries(
        {"op": st.sampled_from(["add", "Replace", "remove", "nope", "", "ADD ", 5, None, ["add"]])},
        optional={
            "path": entra_path
            | st.sampled_from(
                [
                    "",
                    "emails[",
                    "emails[type eq]",
                    "a.b.c",
                    "urn:x",
                    "members[value eq",
                    "id",
                    "meta.created",
                    "schemas",
                    "groups",
                    'emails[type eq "work"].value.x',
                    "[]",
                    "name..givenName",
                    'manager[value eq "x"]',
                ]
            )
            | plain_text
            | st.integers(),
            "value": json_values | deep_values,
        },
    ),
    json_values,  # an operation that is not an object at all
)


@st.composite
def entra_user(draw, user_name=None):
    body = {"schemas": [CORE_USER, ENTERPRISE], "userName": user_name or draw(emailish)}
    if draw(st.booleans()):
        body["active"] = draw(booleanish)
    if draw(st.booleans()):
        body["name"] = {"givenName": draw(text), "familyName": draw(text), "formatted": draw(text)}
    if draw(st.booleans()):
        body["emails"] = [{"primary": True, "type": "work", "value": draw(emailish)}]
    if draw(st.booleans()):
        body["phoneNumbers"] = [
            {"type": "mobile", "value": "+1 425 555 0100"},
            {"type": "work", "value": draw(text)},
        ]
    for attr in ("displayName", "title", "externalId", "preferredLanguage"):
        if draw(st.booleans()):
            body[attr] = draw(text)
    if draw(st.booleans()):
        body[ENTERPRISE] = {
            "department": draw(text),
            "manager": draw(st.sampled_from(["", "MGR", {"value": "MGR"}])),
        }
    if draw(st.booleans()):  # one attribute of any JSON type, or absurdly nested
        body[
            draw(
                st.sampled_from(
                    [
                        "userName",
                        "active",
                        "name",
                        "emails",
                        "phoneNumbers",
                        "title",
                        "roles",
                        "addresses",
                        ENTERPRISE,
                        "x-custom",
                        "meta",
                        "id",
                        "schemas",
                        "groups",
                        "password",
                    ]
                )
            )
        ] = draw(json_values | deep_values)
    return body


# ------------------------------------------------------------------ state


def snapshot(account):
    return {
        "hosts": list(Host.objects.filter(account=account).order_by("pk").values()),
        "groups": list(HostGroup.objects.filter(account=account).order_by("pk").values()),
        "members": sorted(
            HostGroupMembership.objects.filter(group__account=account).values_list(
                "group_id", "host_id"
            )
        ),
    }


def without(snap, *, host_pk=None, group_pk=None):
    out = dict(snap)
    out["hosts"] = [h for h in snap["hosts"] if h["id"] != host_pk]
    out["groups"] = [g for g in snap["groups"] if g["id"] != group_pk]
    out["members"] = [m for m in snap["members"] if m[0] != group_pk]
    return out


def assert_never_5xx(resp):
    event(f"status {resp.status_code}")  # the outcome mix: --hypothesis-show-statistics
    assert resp.status_code < 500, resp.content[:1000]
    if resp.status_code >= 400:
        assert resp["Content-Type"] == SCIM_JSON, resp["Content-Type"]
        body = json.loads(resp.content)
        assert body["schemas"] == [ERROR] and body["status"] == str(resp.status_code), body
        assert isinstance(body["detail"], str) and body["detail"]


def assert_same_as_get(api, resp, path):
    """The write's answer is what a GET returns next, number for number (PostgreSQL's jsonb
    rewrites 7.2e+16 as 72000000000000000; the service stores that form from the start)."""
    fetched = api.get(path)
    assert fetched.status_code == 200
    assert json.loads(resp.content) == json.loads(fetched.content)


def assert_row_matches_document(host):
    # The row holds the document's values in the core's normal form (look-alikes equal).
    fields = normalise_host_values(host_fields_from_document(host.directory_data))
    assert {name: getattr(host, name) for name in fields} == fields, host.directory_data


@pytest.fixture
def world(api, account):
    """Three users, one group with two of them, and another account's data alongside."""
    alice = api.create_user(
        "alice@acme.test",
        name={"givenName": "Alice", "familyName": "A"},
        emails=[{"type": "work", "value": "alice@acme.test", "primary": True}],
        **{ENTERPRISE: {"department": "Sales"}},
    )
    bob = api.create_user("bob@acme.test", title="Engineer")
    carol = api.create_user("carol@acme.test")["id"]
    group = api.create_group("Reception")
    member_op = {
        "op": "add",
        "path": "members",
        "value": [{"value": alice["id"]}, {"value": bob["id"]}],
    }
    assert api.patch_ops(f"/Groups/{group['id']}", member_op).status_code == 204
    other = AccountFactory(slug="other")
    ScimTokenFactory(account=other)
    HostFactory(account=other, username="alice@acme.test")
    return {
        "api": api,
        "account": account,
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "group": group,
    }


# ------------------------------------------------------------------ properties


@PROPERTY
@given(ops=st.lists(entra_operation() | malformed_operation, min_size=1, max_size=5))
def test_user_patch_is_all_or_nothing(world, ops):
    api, account = world["api"], world["account"]
    target = world["alice"]["id"]
    before = snapshot(account)
    resp = api.request("PATCH", f"/Users/{target}", {"schemas": [PATCH_OP], "Operations": ops})
    assert_never_5xx(resp)
    if resp.status_code >= 400:
        assert snapshot(account) == before
        return
    assert resp.status_code == 200
    host = Host.objects.get(public_id=target)
    assert_row_matches_document(host)
    assert_same_as_get(api, resp, f"/Users/{target}")
    assert without(snapshot(account), host_pk=host.pk) == without(before, host_pk=host.pk)


@settings(PROPERTY, max_examples=2 * EXAMPLES)
@given(ops=st.lists(entra_operation(), min_size=1, max_size=6))
def test_entra_like_user_patches_are_accepted_or_refused_cleanly(world, ops):
    """Only Entra's shapes: a refusal must be a value problem (400), never a crash or 409
    unless the userName is taken."""
    api, account = world["api"], world["account"]
    target = world["bob"]["id"]
    before = snapshot(account)
    resp = api.request("PATCH", f"/Users/{target}", {"schemas": [PATCH_OP], "Operations": ops})
    assert_never_5xx(resp)
    assert resp.status_code in (200, 400, 409), resp.content
    if resp.status_code == 409:
        assert "alice@acme.test" in resp.json()["detail"].lower()
    if resp.status_code != 200:
        assert snapshot(account) == before
    else:
        assert_row_matches_document(Host.objects.get(public_id=target))


member_ops = st.lists(
    st.one_of(
        st.builds(
            lambda op, who: {"op": op, "path": "members", "value": [{"value": w} for w in who]},
            st.sampled_from(["Add", "add", "Remove", "remove", "replace", "Replace"]),
            st.lists(
                st.sampled_from(["ALICE", "BOB", "CAROL", "UNKNOWN", "not-a-uuid", ""]), max_size=4
            ),
        ),
        st.builds(
            lambda who: {"op": "remove", "path": f'members[value eq "{who}"]'},
            st.sampled_from(["ALICE", "BOB", "CAROL", "UNKNOWN", 'x" or value pr or "', ""]),
        ),
        st.builds(lambda name: {"op": "Replace", "path": "displayName", "value": name}, text),
        st.builds(
            lambda ext: {"op": "replace", "path": "externalId", "value": ext}, text | json_values
        ),
        malformed_operation,
    ),
    min_size=1,
    max_size=5,
)


@PROPERTY
@given(ops=member_ops)
def test_group_patch_is_all_or_nothing(world, api, ops):
    account = world["account"]
    carol = world["carol"]
    ids = {
        "ALICE": world["alice"]["id"],
        "BOB": world["bob"]["id"],
        "CAROL": carol,
        "UNKNOWN": str(uuid.uuid4()),
    }
    raw = json.dumps({"schemas": [PATCH_OP], "Operations": ops})
    for name, value in ids.items():
        raw = raw.replace(f'"{name}"', json.dumps(value)).replace(
            f'\\"{name}\\"', json.dumps(json.dumps(value))[1:-1]
        )
    group = world["group"]["id"]
    before = snapshot(account)
    resp = api.request("PATCH", f"/Groups/{group}", raw.encode())
    assert_never_5xx(resp)
    if resp.status_code >= 400:
        assert snapshot(account) == before
        return
    assert resp.status_code == 204 and resp.content == b""
    fetched = api.get(f"/Groups/{group}").json()
    rows = HostGroupMembership.objects.filter(group__public_id=group)
    db_members = {str(v) for v in rows.values_list("host__public_id", flat=True)}
    assert {m["value"] for m in fetched.get("members", [])} == db_members
    pk = HostGroup.objects.get(public_id=group).pk
    assert without(snapshot(account), group_pk=pk) == without(before, group_pk=pk)


@PROPERTY
@given(body=entra_user())
def test_user_post_creates_one_consistent_host_or_nothing(world, body):
    api, account = world["api"], world["account"]
    before = snapshot(account)
    resp = api.post("/Users", body)
    assert_never_5xx(resp)
    if resp.status_code >= 400:
        assert snapshot(account) == before
        if resp.status_code == 409:
            taken = Host.objects.filter(
                account=account, deleted_at__isnull=True, username__iexact=body["userName"]
            )
            assert taken.exists()
        return
    assert resp.status_code == 201
    host = Host.objects.get(public_id=resp.json()["id"])
    assert_row_matches_document(host)
    assert_same_as_get(api, resp, f"/Users/{host.public_id}")
    assert without(snapshot(account), host_pk=host.pk) == before
    api.delete(f"/Users/{host.public_id}")  # keep the account small


@PROPERTY
@given(body=entra_user(user_name="bob@acme.test"))
def test_user_put_replaces_consistently_or_changes_nothing(world, body):
    api, account = world["api"], world["account"]
    target = world["bob"]["id"]
    before = snapshot(account)
    resp = api.put(f"/Users/{target}", body)
    assert_never_5xx(resp)
    if resp.status_code >= 400:
        assert snapshot(account) == before
        return
    assert resp.status_code == 200
    host = Host.objects.get(public_id=target)
    assert_row_matches_document(host)
    assert without(snapshot(account), host_pk=host.pk) == without(before, host_pk=host.pk)


filter_attrs = st.sampled_from(
    [
        "userName",
        "externalId",
        "id",
        "active",
        "displayName",
        "name.givenName",
        "title",
        "emails.value",
        'emails[type eq "work"].value',
        "meta.lastModified",
        "meta.created",
        f"{ENTERPRISE}:manager",
        "manager",
        f"{ENTERPRISE}:department",
        "unknownAttr",
        "emails[value",
        "members",
        "members.value",
    ]
)
filter_values = st.one_of(
    st.builds(json.dumps, emailish | plain_text | nasty_text),
    st.sampled_from(
        [
            "true",
            "false",
            "null",
            "1",
            "-1e999",
            "2020-01-01T00:00:00Z",
            '"2020-01-01T00:00:00Z"',
            '"x',
            'x"',
        ]
    ),
    st.from_regex(r"[0-9A-Fa-f-]{1,36}", fullmatch=True),
)


@st.composite
def scim_filter(draw, depth=0):
    kind = draw(
        st.sampled_from(
            ["cmp", "pr", "and", "or", "not", "group", "junk"]
            if depth < 3
            else ["cmp", "pr", "junk"]
        )
    )
    if kind == "cmp":
        op = draw(
            st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "xx"])
        )
        return f"{draw(filter_attrs)} {op} {draw(filter_values)}"
    if kind == "pr":
        return f"{draw(filter_attrs)} pr"
    if kind in ("and", "or"):
        return f"{draw(scim_filter(depth + 1))} {kind} {draw(scim_filter(depth + 1))}"
    if kind == "not":
        return f"not ({draw(scim_filter(depth + 1))})"
    if kind == "group":
        return f"({draw(scim_filter(depth + 1))})"
    return draw(st.text(alphabet='abc ()[]"\\.:=eqn', max_size=20))


paging = st.one_of(
    st.none(),
    st.integers(-(2**40), 2**70).map(str),
    st.sampled_from(["", "0", "-1", "1e3", "1.5", "x", " 5 ", "99999999999999999999999", "٣"]),
)


@PROPERTY
@given(
    expression=scim_filter(),
    start=paging,
    count=paging,
    resource=st.sampled_from(["Users", "Groups"]),
    search=st.booleans(),
)
def test_filters_and_paging_are_200_or_a_scim_400(
    world, expression, start, count, resource, search
):
    api = world["api"]
    if search:
        body = {"filter": expression}
        for name, value in (("startIndex", start), ("count", count)):
            if value is not None:
                body[name] = value
        resp = api.post(f"/{resource}/.search", body)
    else:
        params = [f"filter={quote(expression, safe='')}"]
        params += [
            f"{n}={quote(v, safe='')}"
            for n, v in (("startIndex", start), ("count", count))
            if v is not None
        ]
        resp = api.get(f"/{resource}?" + "&".join(params))
    assert_never_5xx(resp)
    assert resp.status_code in (200, 400), resp.content
    if resp.status_code == 400:
        assert resp.json()["scimType"] in ("invalidFilter", "invalidValue")
        return
    listed = resp.json()
    assert 0 <= listed["itemsPerPage"] == len(listed["Resources"]) <= 1000
    assert listed["totalResults"] <= 3  # never another account's resources
    model = Host if resource == "Users" else HostGroup
    ids = {uuid.UUID(r["id"]) for r in listed["Resources"]}
    assert model.objects.filter(public_id__in=ids, account=world["account"]).count() == len(ids)


@PROPERTY
@given(
    raw_id=st.text(min_size=1, max_size=60)
    | st.sampled_from(
        ["' OR 1=1 --", "..", "%2e%2e", "00000000-0000-0000-0000-000000000000", "{id}", "*"]
    ),
    method=st.sampled_from(["GET", "PUT", "PATCH", "DELETE"]),
    resource=st.sampled_from(["Users", "Groups"]),
)
def test_any_id_is_a_scim_404_or_400_and_changes_nothing(world, raw_id, method, resource):
    api, account = world["api"], world["account"]
    before = snapshot(account)
    body = {"schemas": [CORE_USER], "userName": "alice@acme.test"} if method == "PUT" else None
    if method == "PATCH":
        body = {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "title", "value": "x"}],
        }
    resp = api.request(method, f"/{resource}/" + quote(raw_id, safe=""), body)
    assert_never_5xx(resp)
    assert resp.status_code in (400, 404, 405), (raw_id, resp.content)
    assert snapshot(account) == before


@PROPERTY
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.builds(lambda v: json.dumps(v).encode(), json_values | deep_values),
        st.builds(
            lambda body, cut: json.dumps(body).encode()[:cut],
            entra_user(),
            st.integers(0, 400),
        ),
        st.sampled_from(
            [b"\xff\xfe{}", b'{"userName": "\\ud800"}', b"[]", b"null", b'{"a": NaN}', b"{" * 5000]
        ),
    ),
    target=st.sampled_from(
        [
            "POST /Users",
            "POST /Groups",
            "PUT user",
            "PATCH user",
            "PATCH group",
            "POST /Users/.search",
        ]
    ),
)
def test_malformed_bodies_are_a_scim_400_and_change_nothing(world, raw, target):
    api, account = world["api"], world["account"]
    method, _, path = target.partition(" ")
    path = {
        "user": f"/Users/{world['alice']['id']}",
        "group": f"/Groups/{world['group']['id']}",
    }.get(path, path)
    before = snapshot(account)
    resp = api.request(method, path, raw)
    assert_never_5xx(resp)
    if resp.status_code >= 300:
        assert snapshot(account) == before
    elif method == "POST" and path in ("/Users", "/Groups"):
        created = resp.json()["id"]
        api.delete(f"/{path.strip('/')}/{created}")


@PROPERTY
@given(
    attr=st.sampled_from(["displayName", "externalId", "members", "schemas", "id", "meta", "x"]),
    value=json_values | deep_values,
)
def test_group_posts_with_any_attribute_type_never_5xx(world, attr, value):
    api, account = world["api"], world["account"]
    before = snapshot(account)
    body = {"schemas": [CORE_GROUP], "displayName": "Generated", attr: value}
    resp = api.post("/Groups", body)
    assert_never_5xx(resp)
    if resp.status_code >= 400:
        assert snapshot(account) == before
    else:
        assert resp.status_code == 201
        api.delete(f"/Groups/{resp.json()['id']}")


@pytest.mark.parametrize("path", ["/Users/%0A", "/Users/%2F%0A", "/Nope%0A", "/%0A/x"])
def test_a_path_with_a_newline_is_a_scim_404(api, path):
    # Found by the property above: "." in the catch-all route did not match "\n", so such
    # paths fell through to Django's HTML 404.
    resp = api.get(path)
    assert resp.status_code == 404
    assert resp["Content-Type"] == SCIM_JSON
    assert json.loads(resp.content)["schemas"] == [ERROR]
