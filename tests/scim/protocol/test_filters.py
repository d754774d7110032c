"""Lists and filters: SQL-scoped, strict (unsupported → 400 invalidFilter), paged."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from tests.factories import DirectoryHostFactory, HostFactory
from tests.scim.support import (
    CORE_USER,
    ENTERPRISE,
    SEARCH_REQUEST,
    assert_list_response,
    assert_scim_error,
    filter_qs,
    resource_ids,
)
from visitor_mgmt.models import Host


@pytest.fixture
def people(api):
    """Three users with distinct attributes; returns {nickname: id}."""
    alice = api.create_user(
        "Alice@Acme.test",
        externalId="Ext-Alice",
        displayName="Alice Smith",
        name={"givenName": "Alice", "familyName": "Smith"},
        emails=[
            {"type": "work", "value": "alice@acme.test"},
            {"type": "other", "value": "al@other.test"},
        ],
        phoneNumbers=[{"type": "mobile", "value": "+100"}],
        title="Engineer",
        **{ENTERPRISE: {"department": "Retail"}},
    )["id"]
    bob = api.create_user(
        "bob@acme.test",
        externalId="ext-bob",
        displayName="Bob Jones",
        name={"givenName": "Bob", "familyName": "Jones"},
        emails=[{"type": "work", "value": "bob@acme.test"}],
        active=False,
        **{ENTERPRISE: {"department": "Ops", "manager": {"value": alice}}},
    )["id"]
    carol = api.create_user(
        "carol@acme.test",
        displayName="Carol Smithers",
        name={"givenName": "Carol", "familyName": "Smithers"},
        emails=[{"type": "home", "value": "carol@home.test", "primary": True}],
    )["id"]
    return {"alice": alice, "bob": bob, "carol": carol}


USER_FILTERS = {
    'userName eq "alice@acme.test"': {"alice"},
    'userName eq "ALICE@ACME.TEST"': {"alice"},
    'USERNAME EQ "alice@acme.test"': {"alice"},
    f'{CORE_USER}:userName eq "bob@acme.test"': {"bob"},
    'userName ne "alice@acme.test"': {"bob", "carol"},
    'userName co "ACME"': {"alice", "bob", "carol"},
    'userName sw "car"': {"carol"},
    'userName ew "@ACME.test"': {"alice", "bob", "carol"},
    'userName gt "b"': {"bob", "carol"},
    'userName le "bob@acme.test"': {"alice", "bob"},
    'externalId eq "Ext-Alice"': {"alice"},
    'externalId eq "ext-alice"': set(),  # caseExact
    "externalId pr": {"alice", "bob"},
    'displayName eq "alice smith"': {"alice"},
    'displayName co "smith"': {"alice", "carol"},
    'name.givenName eq "Bob"': {"bob"},
    'name.familyName sw "Smith"': {"alice", "carol"},
    'emails.value eq "al@other.test"': {"alice"},
    'emails eq "bob@acme.test"': {"bob"},
    'emails[type eq "work"].value eq "alice@acme.test"': {"alice"},
    'emails[type eq "work"].value eq "al@other.test"': set(),
    'emails[type eq "other"].value eq "al@other.test"': {"alice"},
    'emails[type eq "work" and value eq "bob@acme.test"]': {"bob"},
    'emails[value co "home"]': {"carol"},
    'phoneNumbers[type eq "mobile"].value eq "+100"': {"alice"},
    'emails[type eq "home"].value eq "carol@home.test"': {"carol"},
    'emails[primary eq true].value eq "carol@home.test"': {"carol"},
    "emails[primary eq true]": {"carol"},
    "active eq true": {"alice", "carol"},
    "active eq false": {"bob"},
    'active eq "False"': {"bob"},
    "active ne true": {"bob"},
    "active pr": {"alice", "bob", "carol"},
    "title pr": {"alice"},
    'title eq ""': {"bob", "carol"},
    'department eq "ops"': {"bob"},
    f'{ENTERPRISE}:department eq "Retail"': {"alice"},
    'userName eq "alice@acme.test" or userName eq "bob@acme.test"': {"alice", "bob"},
    'name.familyName sw "Smith" and not (name.givenName eq "Carol")': {"alice"},
    '(active eq true) and (displayName co "Smith")': {"alice", "carol"},
    "not (userName pr)": set(),
    'userName eq "nobody@acme.test"': set(),
    # RFC 7644 §3.4.2.2: null compares with eq / ne ("absent or null").
    "title eq null": {"bob", "carol"},
    "title ne null": {"alice"},
    "externalId eq null": {"carol"},
    "externalId ne null": {"alice", "bob"},
    # §3.4.2.2 "not" and grouping, also around a value filter and inside the brackets.
    "not (active eq true)": {"bob"},
    'not (emails[type eq "work"])': {"carol"},
    'emails[type eq "home" or value sw "bob"]': {"bob", "carol"},
    'emails[type eq "other" or type eq "home"]': {"alice", "carol"},
    'emails[type eq "work" and value ew "@acme.test"]': {"alice", "bob"},
    # §3.4.2.2 valuePath on a single-valued complex attribute: and / or / not inside.
    'name[givenName eq "Bob" and familyName eq "Jones"]': {"bob"},
    'name[givenName eq "Bob" and familyName eq "Smith"]': set(),
    'name[givenName eq "Bob" or familyName eq "Smithers"]': {"bob", "carol"},
    'name[not (givenName eq "Bob")]': {"alice", "carol"},
    'name[givenName sw "a" and not (familyName eq "Smithers")]': {"alice"},
    'name[(givenName eq "Bob" or givenName eq "Carol") and familyName sw "J"]': {"bob"},
    "name[givenName pr]": {"alice", "bob", "carol"},
    f'{CORE_USER}:name[familyName co "smith"]': {"alice", "carol"},
    'not (name[givenName eq "Bob" or givenName eq "Carol"])': {"alice"},
}


@pytest.mark.parametrize("expression,expected", USER_FILTERS.items(), ids=USER_FILTERS.keys())
def test_user_filter(api, people, expression, expected):
    found = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(expected))
    assert resource_ids(found) == {people[n] for n in expected}


@pytest.fixture
def mixed(api, account):
    """{name: id} of two hosts written by hand (no stored document: GET builds their emails
    and phone numbers from columns) and two provisioned over SCIM (their stored document is
    what GET returns, kept as sent: string booleans, a blank display, a value-less email)."""
    desk = HostFactory(account=account, username="", email="desk@acme.test", mobile="+1 555 0100")
    two = HostFactory(
        account=account, username="", email="two@acme.test", alternate_email="alt@other.test"
    )
    strings = api.create_user(
        "ps@acme.test",
        emails=[
            {"type": "work", "value": "ps@acme.test", "primary": "True"},
            {"type": "other", "value": "ps@other.test", "primary": "False", "display": "PS"},
        ],
    )["id"]
    plain = api.create_user(
        "pb@acme.test",
        emails=[
            {"type": "work", "value": "pb@acme.test", "primary": False},
            {"type": "home", "display": ""},
        ],
        phoneNumbers=[{"type": "work", "value": "555-0199"}],
        ims=[{"type": "aim", "value": "pb-im"}],
        addresses=[{"type": "work", "locality": "Paris"}],
    )["id"]
    return {"desk": str(desk.public_id), "two": str(two.public_id), "ps": strings, "pb": plain}


# RFC 7644 §3.4.2.2 on multi-valued attributes, "any value matches": each over hosts written
# by hand (values built from columns: work email primary, other email, mobile) and hosts
# provisioned over SCIM (values from the stored document), so both halves of the query count.
MIXED_FILTERS = {
    'emails[type eq "other" or value eq "desk@acme.test"]': {"desk", "two", "ps"},
    'emails[not (type eq "work")]': {"two", "ps", "pb"},
    "emails.value pr": {"desk", "two", "ps", "pb"},
    "emails.display pr": {"ps"},  # "" is not a value (pr: "non-empty")
    "emails[value eq null]": {"pb"},
    "emails[value ne null]": {"desk", "two", "ps", "pb"},
    "emails[primary eq true]": {"desk", "two", "ps"},
    "emails[primary eq false]": {"ps", "pb"},
    "emails[primary ne true]": {"two", "ps", "pb"},
    "emails.primary pr": {"desk", "two", "ps", "pb"},
    'emails[type eq "work"] pr': {"desk", "two", "ps", "pb"},
    f'{CORE_USER}:emails.value eq "desk@acme.test"': {"desk"},
    "phoneNumbers.value co 555": {"desk", "pb"},  # a number compared as its text
    'ims.value eq "PB-IM"': {"pb"},
    'ims[type eq "aim"]': {"pb"},
    "addresses pr": {"pb"},
    'addresses[locality eq "paris"]': {"pb"},
    'userName lt "e"': {"desk"},  # a hand-written host's userName is its e-mail
}


@pytest.mark.parametrize("expression,expected", MIXED_FILTERS.items(), ids=MIXED_FILTERS.keys())
def test_multi_valued_filter_on_written_and_provisioned_hosts(api, mixed, expression, expected):
    found = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(expected))
    assert resource_ids(found) == {mixed[n] for n in expected}


def test_filters_by_id_and_manager(api, people):
    alice, bob = people["alice"], people["bob"]
    assert resource_ids(api.get("/Users?" + filter_qs(f'id eq "{bob}"')).json()["Resources"]) == {
        bob
    }
    assert resource_ids(
        api.get("/Users?" + filter_qs(f'id eq "{bob.upper()}"')).json()["Resources"]
    ) == {bob}
    assert_list_response(api.get("/Users?" + filter_qs('id eq "not-a-uuid"')), total=0)
    assert_list_response(api.get("/Users?" + filter_qs(f'id ne "{bob}"')), total=2)
    assert resource_ids(
        api.get("/Users?" + filter_qs(f'manager eq "{alice}"')).json()["Resources"]
    ) == {bob}
    assert resource_ids(
        api.get("/Users?" + filter_qs(f'manager.value eq "{alice}"')).json()["Resources"]
    ) == {bob}
    assert resource_ids(api.get("/Users?" + filter_qs("manager pr")).json()["Resources"]) == {bob}
    assert_list_response(api.get("/Users?" + filter_qs(f'manager ne "{alice}"')), total=2)


@pytest.mark.parametrize("quoted", [False, True])
def test_entra_reference_query(api, people, quoted):
    """GET ~/scim/Users?filter=id eq X and manager eq Y&attributes=id (values unquoted)."""
    alice, bob = people["alice"], people["bob"]
    wrap = (lambda v: f'"{v}"') if quoted else (lambda v: v)
    resp = api.get(
        "/Users?" + filter_qs(f"id eq {wrap(bob)} and manager eq {wrap(alice)}") + "&attributes=id"
    )
    (hit,) = assert_list_response(resp, total=1)
    assert hit == {"schemas": [CORE_USER, ENTERPRISE], "id": bob}
    resp = api.get("/Users?" + filter_qs(f"id eq {wrap(alice)} and manager eq {wrap(alice)}"))
    assert_list_response(resp, total=0)


@pytest.mark.parametrize("value", ["XR-7", "aXb", "X"])
def test_an_unquoted_value_may_hold_any_letter(api, value):
    """Entra sends some comparison values unquoted (docs/identity-providers/entra.md §1.8):
    the whole word after the operator is the value, whatever letters it holds."""
    user = api.create_user("xr@acme.test", externalId=value)["id"]
    (hit,) = assert_list_response(api.get("/Users?" + filter_qs(f"externalId eq {value}")), total=1)
    assert hit["id"] == user


def test_meta_last_modified_comparisons(api, people):
    now = timezone.now()
    Host.objects.filter(public_id=people["alice"]).update(updated_at=now - timedelta(days=2))
    stamp = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert resource_ids(
        api.get("/Users?" + filter_qs(f'meta.lastModified lt "{stamp}"')).json()["Resources"]
    ) == {people["alice"]}
    assert_list_response(api.get("/Users?" + filter_qs(f'meta.lastModified ge "{stamp}"')), total=2)
    assert_list_response(api.get("/Users?" + filter_qs(f'meta.created gt "{stamp}"')), total=3)


def test_a_date_time_without_a_zone_is_utc(api, people):
    """RFC 7643 §2.3.5: xsd:dateTime; without an offset the service reads UTC."""
    now = timezone.now()
    Host.objects.filter(public_id=people["alice"]).update(updated_at=now - timedelta(days=2))
    naive = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    resp = api.get("/Users?" + filter_qs(f'meta.lastModified lt "{naive}"'))
    assert resource_ids(resp.json()["Resources"]) == {people["alice"]}
    assert_list_response(api.get("/Users?" + filter_qs(f'meta.lastModified gt "{naive}"')), total=2)


@pytest.mark.parametrize("space", ["+", "%20"])
def test_both_space_encodings(api, people, space):
    query = "filter=userName" + space + "eq" + space + "%22alice%40acme.test%22"
    (found,) = assert_list_response(api.get("/Users?" + query), total=1)
    assert found["id"] == people["alice"]


def test_unknown_query_parameters_are_ignored(api, people):
    (found,) = assert_list_response(
        api.get(
            "/Users?aadOptscim062020&" + filter_qs('userName eq "bob@acme.test"') + "&sortBy=x"
        ),
        total=1,
    )
    assert found["id"] == people["bob"]


@pytest.mark.parametrize("server_zone", ["UTC", "Europe/Paris"])
@pytest.mark.parametrize("op,hit", [("eq", True), ("ne", False)])
@pytest.mark.parametrize("zone", ["Z", "+00:00", "+02:00", ""])
def test_meta_last_modified_equality(api, people, settings, op, hit, zone, server_zone):
    """RFC 7644 §3.4.2.2 eq/ne on a dateTime (RFC 7643 §2.3.5): the same instant in any
    offset, or without one (read as UTC whatever the server's time zone), matches; a second
    later does not."""
    settings.TIME_ZONE = server_zone
    stamp = timezone.now().replace(microsecond=0) - timedelta(days=3)
    Host.objects.filter(public_id=people["alice"]).update(updated_at=stamp)
    shown = stamp + timedelta(hours=2) if zone == "+02:00" else stamp
    text = shown.strftime("%Y-%m-%dT%H:%M:%S") + zone
    resp = api.get("/Users?" + filter_qs(f'meta.lastModified {op} "{text}"'))
    expected = {"alice"} if hit else {"bob", "carol"}
    assert resource_ids(resp.json()["Resources"]) == {people[n] for n in expected}, resp.content
    later = (stamp + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    resp = api.get("/Users?" + filter_qs(f'meta.lastModified {op} "{later}"'))
    expected = set() if hit else {"alice", "bob", "carol"}
    assert resource_ids(resp.json()["Resources"]) == {people[n] for n in expected}, resp.content


# RFC 7644 §3.4.2.2 on typed attributes: each operator against a date-time exactly equal to
# alice's lastModified (bob and carol are later), the resource type, and stored strings.
TYPED_FILTERS = {
    'meta.lastModified eq "{t}"': {"alice"},
    'meta.lastModified ne "{t}"': {"bob", "carol"},
    'meta.lastModified gt "{t}"': {"bob", "carol"},
    'meta.lastModified ge "{t}"': {"alice", "bob", "carol"},
    'meta.lastModified lt "{t}"': set(),
    'meta.lastModified le "{t}"': {"alice"},
    "meta.lastModified pr": {"alice", "bob", "carol"},
    'meta.resourceType eq "User"': {"alice", "bob", "carol"},
    'meta.resourceType ne "User"': set(),
    'meta.resourceType eq "Group"': set(),
    'meta.resourceType ne "Group"': {"alice", "bob", "carol"},
    "meta.resourceType pr": {"alice", "bob", "carol"},
    'nickName eq "ally"': {"alice"},
    'nickName ne "ally"': {"bob", "carol"},
    'nickName sw "AL"': {"alice"},
    "nickName pr": {"alice"},
    "nickName eq null": {"bob", "carol"},
    "nickName ne null": {"alice"},
    'nickName gt "a"': {"alice"},
    'nickName lt "B"': {"alice"},
    'nickName le "ALLY"': {"alice"},
    'nickName ge "ally"': {"alice"},
    'nickName gt "ally"': set(),
    'emails[value gt "B"]': {"bob", "carol"},
    'emails[value lt "AM"]': {"alice"},
    'displayName gt "b"': {"bob", "carol"},
    'displayName le "BOB JONES"': {"alice", "bob"},
    'externalId gt "ext-a"': {"bob"},  # caseExact: "Ext-Alice" < "ext-a" < "ext-bob"
    'externalId lt "Ext-B"': {"alice"},  # carol has none: absent matches no comparison
    'title lt "Z"': {"alice"},
    # The value is compared in the columns' normal form (spaces trimmed and collapsed).
    'title eq " Engineer "': {"alice"},
    'title le " Engineer"': {"alice"},
    "userName pr": {"alice", "bob", "carol"},
    "userName eq null": set(),
    "userName ne null": {"alice", "bob", "carol"},
    'userName lt "bob"': {"alice"},
    'userName ge "carol@acme.test"': {"carol"},
    "title eq null and nickName pr": set(),
    "id pr": {"alice", "bob", "carol"},
    "active ne false": {"alice", "carol"},
}


@pytest.mark.parametrize("expression,expected", TYPED_FILTERS.items(), ids=TYPED_FILTERS.keys())
def test_typed_filter(api, people, expression, expected):
    stamp = timezone.now().replace(microsecond=0) - timedelta(days=3)
    Host.objects.filter(public_id=people["alice"]).update(updated_at=stamp)
    patch = {"op": "add", "path": "nickName", "value": "Ally"}
    assert api.patch_ops(f"/Users/{people['alice']}", patch).status_code == 200
    Host.objects.filter(public_id=people["alice"]).update(updated_at=stamp)
    expression = expression.replace("{t}", stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
    found = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(expected))
    assert resource_ids(found) == {people[n] for n in expected}


BAD_TYPED_FILTERS = [
    'meta.lastModified co "2020"',
    'meta.lastModified sw "2020"',
    'meta.lastModified ew "Z"',
    'meta.lastModified gt "yesterday"',
    "meta.lastModified gt 5",
    "meta.lastModified eq null",
    'meta.resourceType co "U"',
    "meta.resourceType eq true",
    "nickName gt null",
    "nickName eq false",
    "userName gt null",
    "title co null",
    "title eq false",
    "active eq null",
    'active gt "true"',
    'id gt "x"',
    'manager co "x"',
    'members eq "x"',
]


@pytest.mark.parametrize("expression", BAD_TYPED_FILTERS)
def test_unsupported_typed_filter_is_400(api, people, expression):
    """RFC 7644 §3.4.2.2: a comparison the attribute's type does not allow is invalidFilter."""
    assert_scim_error(api.get("/Users?" + filter_qs(expression)), 400, "invalidFilter")


@pytest.mark.parametrize(
    "literal",
    [r'"CONTOSO\\jdoe"', r'"CONTOSO\jdoe"'],
    ids=["json-escaped backslash", "backslash escaping nothing"],
)
def test_backslash_in_filter_literal(api, literal):
    """RFC 7644 §3.4.2.2: compValue is a JSON string; a backslash before a letter JSON does
    not escape (Entra sends DOMAIN\\user as is) is read as a backslash."""
    user = api.create_user("CONTOSO\\jdoe")
    api.create_user("CONTOSOjdoe")
    (found,) = assert_list_response(
        api.get("/Users?" + filter_qs(f"userName eq {literal}")), total=1
    )
    assert found["id"] == user["id"]


def test_escaped_quote_in_filter_value(api):
    user = api.create_user('quo"te@acme.test')
    (found,) = assert_list_response(
        api.get("/Users?" + filter_qs(r'userName eq "QUO\"TE@acme.test"')), total=1
    )
    assert found["id"] == user["id"]


def test_filter_never_sees_tombstones_or_other_accounts(api, other_api, people):
    api.delete(f"/Users/{people['carol']}")
    other_api.create_user("carol@acme.test")
    assert_list_response(api.get("/Users?" + filter_qs('userName eq "carol@acme.test"')), total=0)
    assert_list_response(api.get("/Users?" + filter_qs('userName co "acme"')), total=2)


BAD_FILTERS = [
    'urn:example:custom:2.0:User:thing eq "x"',
    f'{ENTERPRISE}:manager.$ref eq "x"',  # computed on output, not stored: not searchable
    "nickName eq true",
    'x-custom-top-level eq "x"',
    'emails[type eq "work"].nonsense eq "x"',
    'addresses eq "x"',  # addresses have no "value"
    'emails[value eq "x" and phoneNumbers[value eq "y"]]',
    "emails[primary gt true]",
    'groups eq "x"',
    "active gt true",
    'active eq "maybe"',
    'id co "abc"',
    'meta.lastModified eq "yesterday"',
    'meta.lastModified co "2020"',
    "userName eq true",
    'manager co "x"',
    'userName eq "unterminated',
    "userName eq",
    'userName "x"',
    'userName xx "a"',
    '((userName eq "a")',
    "eq",
    'userName eq "a" and',
    'user~Name eq "a"',
    # value filters the service does not support on single-valued attributes
    'name[type eq "work"].givenName eq "Bob"',
    'name[givenName eq "Bob"].familyName eq "Jones"',
    'name[not (type eq "x")].givenName eq "Bob"',
    'name[type eq "a" or givenName eq "Bob"]',
    'name[type eq "a" and type eq "b" and givenName eq "Bob"]',
    'name[type eq "a"]',
    'name[noSuch eq "x" or givenName eq "Bob"]',
    'name[givenName eq "Bob" or type[value eq "x"]]',
    f'{ENTERPRISE}:name[givenName eq "Bob"]',
    'urn:example:other:name[givenName eq "Bob"]',
]


@pytest.mark.parametrize("expression", BAD_FILTERS)
def test_unsupported_or_malformed_filter_is_400_never_an_empty_list(api, people, expression):
    assert_scim_error(api.get("/Users?" + filter_qs(expression)), 400, "invalidFilter")


def test_overlong_filter_is_400(api):
    assert_scim_error(
        api.get("/Users?" + filter_qs('userName eq "' + "a" * 5000 + '"')), 400, "invalidFilter"
    )


# ------------------------------------------------------------------ groups


@pytest.fixture
def teams(api, people):
    eng = api.create_group("Engineering", externalId="Ext-Eng")["id"]
    ops = api.create_group("Ops")["id"]
    api.patch_ops(
        f"/Groups/{eng}",
        {
            "op": "add",
            "path": "members",
            "value": [{"value": people["alice"]}, {"value": people["bob"]}],
        },
    )
    api.patch_ops(
        f"/Groups/{ops}", {"op": "add", "path": "members", "value": [{"value": people["bob"]}]}
    )
    return {"eng": eng, "ops": ops}


GROUP_FILTERS = {
    'displayName eq "engineering"': {"eng"},
    'displayName eq "ENGINEERING"': {"eng"},
    'displayName sw "Eng"': {"eng"},
    'displayName ne "Ops"': {"eng"},
    'externalId eq "Ext-Eng"': {"eng"},
    'externalId eq "ext-eng"': set(),
    "externalId pr": {"eng"},
    "members pr": {"eng", "ops"},
    'displayName eq "nothing"': set(),
}


@pytest.mark.parametrize("expression,expected", GROUP_FILTERS.items(), ids=GROUP_FILTERS.keys())
def test_group_filter(api, teams, expression, expected):
    found = assert_list_response(
        api.get("/Groups?excludedAttributes=members&" + filter_qs(expression)), total=len(expected)
    )
    assert resource_ids(found) == {teams[n] for n in expected}
    assert all("members" not in g for g in found)


def test_group_member_and_id_filters(api, people, teams):
    alice, bob = people["alice"], people["bob"]
    found = api.get("/Groups?" + filter_qs(f'members.value eq "{alice}"')).json()["Resources"]
    assert resource_ids(found) == {teams["eng"]}
    found = api.get("/Groups?" + filter_qs(f'members eq "{bob}"')).json()["Resources"]
    assert resource_ids(found) == {teams["eng"], teams["ops"]}
    found = api.get("/Groups?" + filter_qs(f'members[value eq "{alice}"]')).json()["Resources"]
    assert resource_ids(found) == {teams["eng"]}
    resp = api.get(
        "/Groups?" + filter_qs(f"id eq {teams['ops']} and members eq {alice}") + "&attributes=id"
    )
    assert_list_response(resp, total=0)
    resp = api.get(
        "/Groups?" + filter_qs(f"id eq {teams['ops']} and members eq {bob}") + "&attributes=id"
    )
    (hit,) = assert_list_response(resp, total=1)
    assert hit == {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": teams["ops"]}
    assert_list_response(api.get("/Groups?" + filter_qs('members eq "not-a-uuid"')), total=0)


def test_group_member_value_filters_with_or_and_not(api, people, teams):
    """RFC 7644 §3.4.2.2 valuePath with "or" and "not" inside the brackets."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    found = api.get("/Groups?" + filter_qs(f'members[value eq "{alice}" or value eq "{carol}"]'))
    assert resource_ids(found.json()["Resources"]) == {teams["eng"]}
    found = api.get("/Groups?" + filter_qs(f'members[not (value eq "{alice}")]'))
    assert resource_ids(found.json()["Resources"]) == {teams["ops"]}
    found = api.get("/Groups?" + filter_qs(f'members[value eq "{alice}" and value eq "{bob}"]'))
    assert resource_ids(found.json()["Resources"]) == {teams["eng"]}
    found = api.get("/Groups?" + filter_qs(f'members ne "{alice}"'))
    assert resource_ids(found.json()["Resources"]) == {teams["ops"]}
    found = api.get("/Groups?" + filter_qs('members ne "not-a-uuid"'))
    assert resource_ids(found.json()["Resources"]) == {teams["eng"], teams["ops"]}


@pytest.mark.parametrize(
    "expression",
    [
        'name eq "Ops"',
        'userName eq "x"',
        'members co "x"',
        'members[type eq "User" and value eq "x"]',
        'members[type eq "User" or value eq "x"]',
    ],
)
def test_unsupported_group_filter_is_400(api, teams, expression):
    assert_scim_error(api.get("/Groups?" + filter_qs(expression)), 400, "invalidFilter")


# ------------------------------------------------------------------ paging


@pytest.fixture
def many(account):
    return [h.public_id for h in DirectoryHostFactory.create_batch(120, account=account)]


def test_default_page_is_100(api, many):
    resources = assert_list_response(api.get("/Users"), total=120, count=100)
    assert [r["id"] for r in resources] == [str(i) for i in many[:100]]


@pytest.mark.parametrize(
    "params,start,count,first",
    [
        ("startIndex=101", 101, 20, 100),
        ("startIndex=0&count=5", 1, 5, 0),
        ("startIndex=-7&count=5", 1, 5, 0),
        ("count=-1", 1, 0, None),
        ("count=0", 1, 0, None),
        ("startIndex=120&count=10", 120, 1, 119),
        ("startIndex=500", 500, 0, None),
        ("count=5000", 1, 120, 0),
        ("startIndex=&count=", 1, 100, 0),
        ("startIndex=99999999999999999999999&count=99999999999999999999", 2**31, 0, None),
    ],
)
def test_paging_params(api, many, params, start, count, first):
    resources = assert_list_response(
        api.get("/Users?" + params), total=120, start=start, count=count
    )
    if first is not None:
        assert resources[0]["id"] == str(many[first])


def test_count_is_capped_at_1000(api, account):
    DirectoryHostFactory.create_batch(1001, account=account)
    assert_list_response(api.get("/Users?count=1500&attributes=id"), total=1001, count=1000)


@pytest.mark.parametrize("params", ["startIndex=abc", "count=ten", "count=1.5", "startIndex=1e3"])
def test_non_numeric_paging_is_400(api, params):
    assert_scim_error(api.get("/Users?" + params), 400, "invalidValue")


# ------------------------------------------------------------------ attribute selection


def test_attributes_and_excluded_attributes(api, people):
    alice = people["alice"]
    path = f"/Users/{alice}"
    body = api.get(path + "?attributes=userName,name.givenName,emails.value").json()
    assert body == {
        "schemas": [CORE_USER, ENTERPRISE],
        "id": alice,
        "userName": "Alice@Acme.test",
        "name": {"givenName": "Alice"},
        "emails": [{"value": "alice@acme.test"}, {"value": "al@other.test"}],
    }
    body = api.get(path + f"?attributes={quote(ENTERPRISE)}:department,unknownThing").json()
    assert body == {
        "schemas": [CORE_USER, ENTERPRISE],
        "id": alice,
        ENTERPRISE: {"department": "Retail"},
    }
    body = api.get(path + "?excludedAttributes=emails,name.familyName,meta,id,schemas").json()
    assert "emails" not in body and "meta" not in body
    assert body["name"] == {"givenName": "Alice"}
    assert body["id"] == alice and body["schemas"]
    full = api.user(alice)
    assert full["name"] == {"givenName": "Alice", "familyName": "Smith"}  # stored doc intact
    listed = api.get(
        "/Users?attributes=userName&" + filter_qs('userName eq "bob@acme.test"')
    ).json()
    assert listed["Resources"] == [
        {"schemas": [CORE_USER, ENTERPRISE], "id": people["bob"], "userName": "bob@acme.test"}
    ]


def test_an_extension_urn_selects_or_excludes_the_whole_extension(api, people):
    """RFC 7644 §3.9 and §3.10: an extension's schema URN names the extension object; a URN
    prefix names one of its attributes. Excluding never alters the stored document."""
    bob = people["bob"]
    full = api.user(bob)
    assert set(full[ENTERPRISE]) == {"department", "manager"}
    assert api.get(f"/Users/{bob}?attributes={quote(ENTERPRISE)}").json() == {
        "schemas": [CORE_USER, ENTERPRISE],
        "id": bob,
        ENTERPRISE: full[ENTERPRISE],
    }
    without = api.get(f"/Users/{bob}?excludedAttributes={quote(ENTERPRISE)}").json()
    assert without == {key: value for key, value in full.items() if key != ENTERPRISE}
    one = api.get(f"/Users/{bob}?attributes={quote(ENTERPRISE)}:department").json()
    assert one == {
        "schemas": [CORE_USER, ENTERPRISE],
        "id": bob,
        ENTERPRISE: {"department": full[ENTERPRISE]["department"]},
    }
    trimmed = api.get(f"/Users/{bob}?excludedAttributes={quote(ENTERPRISE)}:department").json()
    assert trimmed[ENTERPRISE] == {"manager": full[ENTERPRISE]["manager"]}
    assert trimmed["userName"] == full["userName"]
    assert api.user(bob) == full


@pytest.mark.parametrize("sub", ["type", "TYPE"])
def test_excluding_a_sub_attribute_drops_it_from_every_value(api, people, sub):
    """RFC 7644 §3.9: ``emails.type`` names the sub-attribute in each value (names are
    case-insensitive, RFC 7643 §2.1); the values keep everything else."""
    alice = people["alice"]
    body = api.get(f"/Users/{alice}?excludedAttributes=emails.{sub}").json()
    assert body["emails"] == [{"value": "alice@acme.test"}, {"value": "al@other.test"}]
    assert body["phoneNumbers"] == [{"type": "mobile", "value": "+100"}]
    assert [e["type"] for e in api.user(alice)["emails"]] == ["work", "other"]


CUSTOM = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"


@pytest.mark.parametrize(
    "param, things",
    [
        ("attributes", [{"size": 1}]),
        ("excludedAttributes", ["plain", {"kind": "a"}]),
    ],
)
def test_a_sub_attribute_of_a_list_with_plain_values(api, param, things):
    """RFC 7644 §3.9 on an extension the server does not describe: ``things.size`` names a
    sub-attribute of each object in the list. A plain value in that list has none: it is
    not selected by ``attributes`` and is left as it is by ``excludedAttributes``."""
    stored = {"things": ["plain", {"kind": "a", "size": 1}]}
    user = api.create_user("lists@acme.test", **{CUSTOM: stored})
    resp = api.get(f"/Users/{user['id']}?{param}={quote(CUSTOM)}:things.size")
    assert resp.status_code == 200, resp.content
    assert resp.json()[CUSTOM] == {"things": things}
    assert api.user(user["id"])[CUSTOM] == stored


# ------------------------------------------------------------------ .search


def test_users_search(api, people):
    body = {
        "schemas": [SEARCH_REQUEST],
        "filter": 'displayName co "smith"',
        "startIndex": 1,
        "count": 1,
        "attributes": ["userName"],
    }
    resp = api.post("/Users/.search", body)
    (hit,) = assert_list_response(resp, total=2, count=1)
    assert hit == {
        "schemas": [CORE_USER, ENTERPRISE],
        "id": people["alice"],
        "userName": "Alice@Acme.test",
    }
    assert_list_response(api.post("/Users/.search", {"schemas": [SEARCH_REQUEST]}), total=3)
    assert_scim_error(
        api.post("/Users/.search", {"filter": "nickName gt true"}), 400, "invalidFilter"
    )
    assert_scim_error(api.post("/Users/.search", {"filter": 5}), 400, "invalidValue")
    assert_scim_error(api.post("/Users/.search", {"count": "x"}), 400, "invalidValue")


def test_unknown_or_non_string_attribute_names_are_passed_over(api, people):
    """RFC 7644 §3.9 / §3.4.3: a name the server cannot read as an attribute path selects
    nothing and does not stop the names after it; a .search body's list may hold only
    strings, others are passed over too."""
    alice = people["alice"]
    expected = {"schemas": [CORE_USER, ENTERPRISE], "id": alice, "userName": "Alice@Acme.test"}
    assert api.get(f"/Users/{alice}?attributes=a.b.c,userName").json() == expected
    resp = api.post(
        "/Users/.search",
        {"schemas": [SEARCH_REQUEST], "filter": f'id eq "{alice}"', "attributes": [5, "userName"]},
    )
    (hit,) = assert_list_response(resp, total=1)
    assert hit == expected


def test_groups_search(api, teams):
    resp = api.post(
        "/Groups/.search",
        {
            "schemas": [SEARCH_REQUEST],
            "filter": 'displayName eq "ops"',
            "excludedAttributes": "members",
        },
    )
    (hit,) = assert_list_response(resp, total=1)
    assert hit["id"] == teams["ops"] and "members" not in hit


def test_username_of_a_host_without_one_is_its_email(api, account):
    """A host written by hand shows its e-mail as userName (so a directory's matching query
    finds it); one with neither has no userName: eq null, not pr."""
    by_email = HostFactory(account=account, username="", email="desk@acme.test")
    bare = HostFactory(account=account, username="", email="")
    named = DirectoryHostFactory(account=account, username="named@acme.test", email="")
    cases = {
        'userName eq "DESK@acme.test"': {by_email},
        'userName sw "desk"': {by_email},
        'userName eq "named@acme.test"': {named},
        'userName ne "desk@acme.test"': {bare, named},
        "userName pr": {by_email, named},
        "userName eq null": {bare},
        "userName ne null": {by_email, named},
        # RFC 7644 §3.4.2.2: an absent userName (no username, no e-mail) orders nowhere.
        'userName lt "e"': {by_email},
        'userName ge "a"': {by_email, named},
    }
    for expression, hosts in cases.items():
        found = api.get("/Users?" + filter_qs(expression)).json()["Resources"]
        assert resource_ids(found) == {str(h.public_id) for h in hosts}, expression


@pytest.mark.parametrize(
    "expression,status",
    [
        ('userName eq "' + "a" * 3986 + '"', 200),  # 4,000 characters: the longest allowed
        ('userName eq "' + "a" * 3987 + '"', 400),
        ("(" * 20 + 'userName eq "a"' + ")" * 20, 200),  # nested 20 deep: the deepest
        ("(" * 21 + 'userName eq "a"' + ")" * 21, 400),
        (" or ".join(['userName eq "a"'] * 101), 200),  # 100 and/or: the most
        (" and ".join(['userName eq "a"'] * 102), 400),
        ('userName eq "a" OR userName eq "b" AND title pr', 200),
        ("active eq TRUE", 200),
        ("title eq NULL", 200),
    ],
    ids=[
        "4000 chars",
        "4001 chars",
        "depth 20",
        "depth 21",
        "100 ors",
        "101 ands",
        "upper-case operators",
        "TRUE",
        "NULL",
    ],
)
def test_filter_limits_and_literals(api, expression, status):
    """RFC 7644 §3.4.2.2: operators and true/false/null in any case; this service's limits
    (length, nesting, and/or count) are inclusive."""
    resp = api.get("/Users?" + filter_qs(expression))
    assert resp.status_code == status, resp.content
    if status == 400:
        assert resp.json()["scimType"] == "invalidFilter"
