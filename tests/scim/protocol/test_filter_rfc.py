"""GET filters general SCIM 2.0 clients send, each pinned over HTTP (RFC 7644 §3.4.2.2).

Every case is a filter on /Users (or /Groups) over three users that differ in the
attribute the filter reads; the RFC section is on the case's line. Ids are plain ASCII
(mutmut reruns tests by id).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.scim.support import (
    CORE_USER,
    ENTERPRISE,
    assert_list_response,
    assert_scim_error,
    filter_qs,
    resource_ids,
)
from visitor_mgmt.models import Host


@pytest.fixture
def trio(api):
    """{name: id} of three users; "lee" has no title, no phone and no extension."""
    ann = api.create_user(
        "ann@acme.test",
        title="Engineer",
        emails=[
            {"type": "work", "value": "ann@acme.test", "primary": True},
            {"type": "home", "value": "ann@home.test"},
        ],
        phoneNumbers=[{"type": "work", "value": "+1 555 0100"}],
        **{ENTERPRISE: {"department": "Retail", "employeeNumber": "100"}},
    )["id"]
    ben = api.create_user(
        "ben@acme.test",
        title="Manager",
        emails=[{"type": "home", "value": "ben@home.test"}],
        active=False,
        **{ENTERPRISE: {"department": "Ops"}},
    )["id"]
    lee = api.create_user("lee@acme.test", emails=[{"type": "work", "value": "lee@acme.test"}])[
        "id"
    ]
    return {"ann": ann, "ben": ben, "lee": lee}


CASES = {
    # §3.4.2.2 "eq null" / "ne null" ("pr" and its negation; Table 3 and the null rule).
    "title-eq-null": ("title eq null", {"lee"}),
    "title-ne-null": ("title ne null", {"ann", "ben"}),
    "department-eq-null": (f"{ENTERPRISE}:department eq null", {"lee"}),
    "department-ne-null": (f"{ENTERPRISE}:department ne null", {"ann", "ben"}),
    "phone-value-eq-null": ("phoneNumbers.value eq null", {"ben", "lee"}),
    "phone-value-ne-null": ("phoneNumbers.value ne null", {"ann"}),
    "phones-eq-null": ("phoneNumbers eq null", {"ben", "lee"}),
    "work-email-value-eq-null": ('emails[type eq "work"].value eq null', {"ben"}),
    "work-email-value-ne-null": ('emails[type eq "work"].value ne null', {"ann", "lee"}),
    "email-primary-eq-null": ("emails.primary eq null", {"ben", "lee"}),
    "email-primary-ne-null": ("emails.primary ne null", {"ann"}),
    # §3.4.2.2 logical "not" with grouping parentheses.
    "not-eq": ('not (title eq "Engineer")', {"ben", "lee"}),
    "not-pr": ("not (title pr)", {"lee"}),
    "not-and": ("not (title pr and active eq true)", {"ben", "lee"}),
    "not-or": ('not (title eq "Engineer" or title eq "Manager")', {"lee"}),
    "not-not": ('not (not (title eq "Manager"))', {"ben"}),
    "and-not": ('title pr and not (title sw "Eng")', {"ben"}),
    # §3.4.2.2 complex attribute filter grouping ("valuePath") with "or"/"and" inside.
    "brackets-or": ('emails[type eq "home" or value ew "lee@acme.test"]', {"ann", "ben", "lee"}),
    "brackets-or-one-side": ('emails[type eq "other" or value sw "ben@"]', {"ben"}),
    "brackets-and": ('emails[type eq "work" and primary eq true]', {"ann"}),
    "brackets-and-neither": ('emails[type eq "home" and primary eq true]', set()),
    "brackets-not": ('emails[not (type eq "work")]', {"ann", "ben"}),
    "brackets-then-or": ('emails[type eq "work"] or title eq "Manager"', {"ann", "ben", "lee"}),
    "brackets-and-outside": ('emails[type eq "home"] and active eq false', {"ben"}),
    # §3.4.2.2 precedence: "and" binds tighter than "or"; parentheses override it.
    "precedence-and-over-or": (
        'title eq "Manager" or title eq "Engineer" and active eq false',
        {"ben"},
    ),
    "parentheses-override": (
        '(title eq "Manager" or title eq "Engineer") and active eq true',
        {"ann"},
    ),
    # §3.4.2.2 attribute names and operators are case-insensitive; extension attributes
    # are named by their schema URN (§3.10).
    "operator-case": ('title EQ "engineer"', {"ann"}),
    "urn-employee-number": (f'{ENTERPRISE}:employeeNumber eq "100"', {"ann"}),
    "urn-core-title": (f'{CORE_USER}:title sw "MAN"', {"ben"}),
    "active-eq-false": ("active eq false", {"ben"}),
}


@pytest.mark.parametrize("expression, expected", list(CASES.values()), ids=list(CASES))
def test_filter(api, trio, expression, expected):
    found = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(expected))
    assert resource_ids(found) == {trio[name] for name in expected}


def test_or_inside_brackets_on_groups(api, trio):
    """§3.4.2.2: a valuePath with "or" on the members of a group."""
    first = api.create_group("First", members=[{"value": trio["ann"]}])["id"]
    api.create_group("Second", members=[{"value": trio["lee"]}])
    expression = f'members[value eq "{trio["ann"]}" or value eq "{trio["ben"]}"]'
    (found,) = assert_list_response(api.get("/Groups?" + filter_qs(expression)), total=1)
    assert found["id"] == first


@pytest.mark.parametrize("zone", ["Z", "+00:00", "-05:00", ""], ids=["z", "utc", "minus5", "none"])
@pytest.mark.parametrize("op", ["eq", "ne"])
def test_last_modified_equality_in_any_zone(api, trio, zone, op):
    """§3.4.2.2 on a dateTime (RFC 7643 §2.3.5): "eq" matches the same instant written in
    any offset, or without one (UTC); "ne" matches every other user."""
    stamp = timezone.now().replace(microsecond=0) - timedelta(days=5)
    Host.objects.filter(public_id=trio["ben"]).update(updated_at=stamp)
    shown = stamp - timedelta(hours=5) if zone == "-05:00" else stamp
    text = shown.strftime("%Y-%m-%dT%H:%M:%S") + zone
    resp = api.get("/Users?" + filter_qs(f'meta.lastModified {op} "{text}"'))
    expected = {"ben"} if op == "eq" else {"ann", "lee"}
    assert resource_ids(resp.json()["Resources"]) == {trio[n] for n in expected}, resp.content


@pytest.mark.parametrize(
    "expression",
    ['userName eq "CONTOSO\\jdoe"', 'userName eq "CONTOSO\\\\jdoe"'],
    ids=["bare-backslash", "escaped-backslash"],
)
def test_backslash_before_a_letter_is_a_backslash(api, expression):
    """§3.4.2.2: compValue is a JSON string. "\\j" is no JSON escape; Windows account names
    (DOMAIN\\user) arrive that way, and the backslash is read as itself."""
    user = api.create_user("CONTOSO\\jdoe")
    api.create_user("CONTOSOjdoe")
    api.create_user("CONTOSO\\\\jdoe")
    (found,) = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=1)
    assert found["id"] == user["id"]


@pytest.mark.parametrize(
    "expression",
    ["not title pr", 'emails[type eq "work"', "title eq", 'not (title eq "x"'],
    ids=["not-without-parentheses", "unclosed-bracket", "missing-value", "unclosed-not"],
)
def test_malformed_filter_is_invalid_filter(api, trio, expression):
    """§3.4.2.2 / §3.12 (Table 9): a filter that does not parse is 400 invalidFilter."""
    assert_scim_error(api.get("/Users?" + filter_qs(expression)), 400, "invalidFilter")


@pytest.mark.parametrize(
    "expression",
    [
        'name[givenName eq "a" or emails[type eq "work"].value eq "b"]',
        'manager[value eq "a" or emails[type eq "work"].value eq "b"]',
    ],
    ids=["complex-attribute", "manager"],
)
def test_a_value_filter_inside_an_or_value_filter_is_invalid_filter(api, trio, expression):
    """§3.4.2.2: valuePath filters do not nest; refused as invalidFilter with the reason."""
    body = assert_scim_error(api.get("/Users?" + filter_qs(expression)), 400, "invalidFilter")
    assert body["detail"] == "Unsupported value filter."


def test_a_value_filter_inside_an_and_value_filter_is_invalid_filter(api, trio):
    """§3.4.2.2: valuePath filters do not nest, in an "and" chain either."""
    expression = 'name[givenName eq "a" and emails[type eq "work"].value eq "b"]'
    body = assert_scim_error(api.get("/Users?" + filter_qs(expression)), 400, "invalidFilter")
    assert body["detail"] == "Unsupported value filter."


@pytest.mark.parametrize(
    "expression, expected",
    [
        ('emails.value co "_b%"', {"odd"}),
        ('emails.value co "%"', {"odd"}),
        ('emails.value co "_"', {"odd"}),
        ('emails.value sw "a_b%c\\\\d"', {"odd"}),
        ('emails.value co "c\\\\d"', {"odd"}),
        ('emails.value ew "%c\\\\d@x.test"', {"odd"}),
        ('emails.value co "cd@"', {"plain"}),
    ],
    ids=[
        "underscore-percent",
        "percent",
        "underscore",
        "sw-backslash",
        "co-backslash",
        "ew-backslash",
        "no-backslash",
    ],
)
def test_like_wildcards_and_backslashes_are_plain_characters(api, expression, expected):
    """§3.4.2.2 "co"/"sw"/"ew" compare text: "%", "_" and "\\" in the value are characters
    to find, not patterns (each user's emails are a stored multi-valued attribute)."""
    made = {
        "odd": api.create_user("odd@acme.test", emails=[{"value": "a_b%c\\d@x.test"}]),
        "plain": api.create_user("plain@acme.test", emails=[{"value": "abxcd@x.test"}]),
    }
    found = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(expected))
    assert resource_ids(found) == {made[name]["id"] for name in expected}


@pytest.mark.parametrize(
    "expression, detail",
    [
        ('emails.value[type eq "work"]', "Unsupported value filter."),
        ('emails[type[value eq "x"].value eq "y"]', "Unsupported value filter."),
        ('addresses eq "x"', "Filtering on 'addresses.value' is not supported."),
        (
            'urn:example:other:name[type eq "work"].givenName eq "Bob"',
            "Filtering on urn:example:other:name.givenName is not supported.",
        ),
    ],
    ids=["filter-on-sub-attribute", "nested-in-comparison", "no-value-sub", "unknown-urn"],
)
def test_unsupported_value_filter_names_the_reason(api, trio, expression, detail):
    """§3.4.2.2 / §3.12: a value filter the service cannot evaluate is 400 invalidFilter,
    and the detail tells the client which part it refused."""
    body = assert_scim_error(api.get("/Users?" + filter_qs(expression)), 400, "invalidFilter")
    assert body["detail"] == detail
