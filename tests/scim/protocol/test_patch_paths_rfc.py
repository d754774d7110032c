"""PATCH shapes general SCIM 2.0 clients send, each pinned over HTTP (RFC 7644 §3.5.2).

Each case is one PATCH request on a user made by POST, and the user GET then returns.
The RFC section a case follows is on its line; ids are plain ASCII (mutmut reruns tests by
id).
"""

import copy

import pytest

from tests.scim.support import CORE_USER, ENTERPRISE, assert_scim_error

BASE = {
    "userName": "kim@acme.test",
    "displayName": "Kim Lee",
    "title": "Engineer",
    "emails": [
        {"type": "work", "value": "kim@acme.test", "primary": True},
        {"type": "home", "value": "kim@home.test"},
    ],
    "phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}],
    ENTERPRISE: {"department": "Retail", "employeeNumber": "7"},
}

WORK = BASE["emails"][0]
HOME = BASE["emails"][1]


def expect(**changes):
    """BASE with top-level keys replaced ("ENT" is the enterprise extension)."""
    out = copy.deepcopy(BASE)
    for key, value in changes.items():
        out[ENTERPRISE if key == "ENT" else key] = value
    return out


def view(resource):
    return {k: v for k, v in resource.items() if k not in ("id", "meta", "schemas", "active")}


@pytest.fixture
def kim(api):
    resp = api.post("/Users", {"schemas": [CORE_USER, ENTERPRISE], **BASE})
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


CASES = {
    # §3.5.2.1 / §3.5.2.3: a path naming the extension schema URN with an object value
    # adds (merges) or replaces the sub-attributes it names.
    "add-extension-urn-object": (
        [{"op": "add", "path": ENTERPRISE, "value": {"division": "North"}}],
        expect(ENT={"department": "Retail", "employeeNumber": "7", "division": "North"}),
    ),
    "replace-extension-urn-object": (
        [{"op": "replace", "path": ENTERPRISE, "value": {"department": "Sales"}}],
        expect(ENT={"department": "Sales", "employeeNumber": "7"}),
    ),
    # §3.5.2.1: without a path the value is the resource's attributes; a key naming the core
    # schema URN carries core attributes.
    "pathless-core-urn-wrapped": (
        [{"op": "replace", "value": {CORE_USER: {"title": "Lead", "displayName": "K. Lee"}}}],
        expect(title="Lead", displayName="K. Lee"),
    ),
    "pathless-add-core-urn-wrapped": (
        [{"op": "add", "value": {CORE_USER: {"nickName": "Kimmy"}}}],
        expect(nickName="Kimmy"),
    ),
    # §3.5.2.3: a sub-attribute of a multi-valued attribute without a filter replaces it in
    # every element.
    "replace-emails-value-unfiltered": (
        [{"op": "replace", "path": "emails.value", "value": "same@acme.test"}],
        expect(emails=[{**WORK, "value": "same@acme.test"}, {**HOME, "value": "same@acme.test"}]),
    ),
    "replace-phonenumbers-value-unfiltered": (
        [{"op": "replace", "path": "phoneNumbers.value", "value": "+1 555 0199"}],
        expect(phoneNumbers=[{"type": "mobile", "value": "+1 555 0199"}]),
    ),
    # §3.5.2.2: removing a sub-attribute of every element.
    "remove-emails-type-unfiltered": (
        [{"op": "remove", "path": "emails.type"}],
        expect(emails=[{"value": "kim@acme.test", "primary": True}, {"value": "kim@home.test"}]),
    ),
    # §3.5.2.2 (the common client form): remove with a plain list of values removes the
    # elements whose value is listed, and leaves the others.
    "remove-emails-plain-value-list": (
        [{"op": "remove", "path": "emails", "value": ["kim@home.test"]}],
        expect(emails=[WORK]),
    ),
    "remove-emails-value-objects": (
        [{"op": "remove", "path": "emails", "value": [{"value": "kim@acme.test"}]}],
        expect(emails=[HOME]),
    ),
    # §3.5.2.1: "add" of values already present is no change for them; the others are
    # still added.
    "add-first-value-exists-rest-added": (
        [
            {
                "op": "add",
                "path": "emails",
                "value": [dict(HOME), {"type": "other", "value": "kim@other.test"}],
            }
        ],
        expect(emails=[WORK, HOME, {"type": "other", "value": "kim@other.test"}]),
    ),
    # §3.5.2.1 with RFC 7643 §2.1: an added element of a type already there is merged into
    # that element, its sub-attributes named in any case stored under the schema's names.
    "add-element-of-an-existing-type-merged-with-schema-names": (
        [{"op": "add", "path": "emails", "value": [{"TYPE": "work", "DISPLAY": "Kim"}]}],
        expect(emails=[{**WORK, "display": "Kim"}, HOME]),
    ),
    # §3.5.2.1 / §3.5.2.3 with a filter that matches nothing: the element the filter
    # describes is created, with every attribute an "and" of "eq" names.
    "add-creates-element-from-and-filter": (
        [
            {
                "op": "add",
                "path": 'phoneNumbers[type eq "work" and primary eq true].value',
                "value": "+1 555 0142",
            }
        ],
        expect(
            phoneNumbers=[
                {"type": "mobile", "value": "+1 555 0100"},
                {"type": "work", "primary": True, "value": "+1 555 0142"},
            ]
        ),
    ),
    # §3.5.2 (valuePath, §3.4.2.2 operators) inside a path filter.
    "filter-and": (
        [
            {
                "op": "replace",
                "path": 'emails[type eq "work" and primary eq true].value',
                "value": "w@acme.test",
            }
        ],
        expect(emails=[{**WORK, "value": "w@acme.test"}, HOME]),
    ),
    "filter-and-second-false": (
        [
            {
                "op": "remove",
                "path": 'emails[type eq "home" and primary eq true]',
            }
        ],
        expect(),
    ),
    "filter-or": (
        [{"op": "remove", "path": 'emails[type eq "home" or value eq "nobody@x.test"]'}],
        expect(emails=[WORK]),
    ),
    "filter-or-both": (
        [{"op": "remove", "path": 'emails[type eq "home" or type eq "work"]'}],
        expect(emails=None),
    ),
    "filter-co": (
        [{"op": "remove", "path": 'emails[value co "@home."]'}],
        expect(emails=[WORK]),
    ),
    "filter-sw": (
        [{"op": "replace", "path": 'emails[value sw "KIM@ACME"].display', "value": "W"}],
        expect(emails=[{**WORK, "display": "W"}, HOME]),
    ),
    "filter-ew": (
        [{"op": "remove", "path": 'emails[value ew "home.test"]'}],
        expect(emails=[WORK]),
    ),
    "filter-ne": (
        [{"op": "remove", "path": 'emails[type ne "work"]'}],
        expect(emails=[WORK]),
    ),
    "filter-pr": (
        [{"op": "replace", "path": "emails[primary pr].display", "value": "P"}],
        expect(emails=[{**WORK, "display": "P"}, HOME]),
    ),
    "filter-not-pr": (
        [{"op": "remove", "path": "emails[not (primary pr)]"}],
        expect(emails=[WORK]),
    ),
    "filter-eq-null": (
        [{"op": "remove", "path": "emails[primary eq null]"}],
        expect(emails=[WORK]),
    ),
    "filter-ne-null": (
        [{"op": "remove", "path": "emails[primary ne null]"}],
        expect(emails=[HOME]),
    ),
    "filter-gt": (
        [{"op": "remove", "path": 'emails[value gt "kim@b"]'}],
        expect(emails=[WORK]),
    ),
    "filter-lt": (
        [{"op": "remove", "path": 'emails[value lt "kim@b"]'}],
        expect(emails=[HOME]),
    ),
    "filter-ge-equal-value": (
        [{"op": "remove", "path": 'emails[value ge "kim@home.test"]'}],
        expect(emails=[WORK]),
    ),
    "filter-le-equal-value": (
        [{"op": "remove", "path": 'emails[value le "kim@acme.test"]'}],
        expect(emails=[HOME]),
    ),
    "filter-eq-case-insensitive-value": (
        [{"op": "remove", "path": 'emails[value eq "KIM@HOME.TEST"]'}],
        expect(emails=[WORK]),
    ),
}


@pytest.mark.parametrize("operations, expected", list(CASES.values()), ids=list(CASES))
def test_patch_shape(api, kim, operations, expected):
    resp = api.patch_ops(f"/Users/{kim}", *operations)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body == api.user(kim)
    if expected.get("emails") is None:
        expected = {k: v for k, v in expected.items() if k != "emails"}
    assert view(body) == expected


def test_post_with_attributes_wrapped_in_the_core_urn(api):
    """§3.3 with §8.7.1: core attributes may come under their schema URN, as extensions do."""
    body = {
        "schemas": [CORE_USER],
        "userName": "wrapped@acme.test",
        CORE_USER: {"displayName": "Wrapped", "title": "Chef"},
    }
    resp = api.post("/Users", body)
    assert resp.status_code == 201, resp.content
    created = api.user(resp.json()["id"])
    assert created["displayName"] == "Wrapped"
    assert created["title"] == "Chef"
    assert CORE_USER not in created


@pytest.mark.parametrize(
    "path",
    ['title[value eq "x"]', 'name[givenName eq "Nobody"].familyName', 'name[givenName ne "Kim"]'],
    ids=["string-attribute", "complex-attribute-sub", "complex-attribute"],
)
def test_no_element_matches_on_a_single_valued_attribute_is_no_target(api, kim, path):
    """§3.5.2 (noTarget, Table 9): a filter on a single-valued attribute that matches
    nothing cannot create an element (there is no list to add it to): 400 noTarget, and
    nothing changes."""
    resp = api.patch_ops(f"/Users/{kim}", {"op": "replace", "path": path, "value": "Y"})
    body = assert_scim_error(resp, 400, "noTarget")
    assert path in body["detail"]
    assert view(api.user(kim)) == BASE


def test_replace_on_a_filter_without_equality_that_matches_nothing_is_no_target(api, kim):
    """§3.5.2.3: a filter that matches no element and does not say what one would hold
    (no "eq") has no target: 400 noTarget."""
    resp = api.patch_ops(
        f"/Users/{kim}",
        {"op": "replace", "path": 'emails[value co "nowhere"].display', "value": "D"},
    )
    assert_scim_error(resp, 400, "noTarget")
    assert view(api.user(kim)) == BASE


def test_remove_with_a_filter_that_matches_nothing_changes_nothing(api, kim):
    """§3.5.2.2: remove on a filter that matches no element is no change (200)."""
    resp = api.patch_ops(f"/Users/{kim}", {"op": "remove", "path": 'emails[type eq "fax"]'})
    assert resp.status_code == 200, resp.content
    assert view(api.user(kim)) == BASE


def test_replace_extension_urn_with_a_string_is_400(api, kim):
    """§3.5.2.3: the extension URN names a complex value; a string for it is invalidValue."""
    resp = api.patch_ops(f"/Users/{kim}", {"op": "replace", "path": ENTERPRISE, "value": "Sales"})
    assert_scim_error(resp, 400, "invalidValue")
    assert view(api.user(kim)) == BASE


CUSTOM = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"

MERGES = {
    # §3.5.2.3: replacing a complex attribute with an object sets the sub-attributes it
    # names; a sub-attribute named in another case is the same one (§2.1 of RFC 7643:
    # attribute names are case-insensitive) and gets its schema's spelling.
    "sub-attribute-in-another-case-is-added-with-its-own-name": (
        [{"op": "replace", "path": "name", "value": {"MIDDLENAME": "Q"}}],
        {"givenName": "Kim", "familyName": "Lee", "middleName": "Q"},
    ),
    "existing-sub-attribute-in-another-case-is-replaced": (
        [{"op": "replace", "path": "name", "value": {"GIVENNAME": "Kimberly"}}],
        {"givenName": "Kimberly", "familyName": "Lee"},
    ),
    # §3.5.2.3 with RFC 7643 §2.5: a null sub-attribute is unassigned: it is removed, and
    # removing one that is not there is no change.
    "null-sub-attribute-removes-it": (
        [{"op": "replace", "path": "name", "value": {"familyName": None}}],
        {"givenName": "Kim"},
    ),
    "null-for-an-absent-sub-attribute-changes-nothing": (
        [{"op": "replace", "path": "name", "value": {"middleName": None}}],
        {"givenName": "Kim", "familyName": "Lee"},
    ),
}


@pytest.mark.parametrize("operations, name", list(MERGES.values()), ids=list(MERGES))
def test_replace_complex_attribute_merges(api, operations, name):
    user = api.create_user("merge@acme.test", name={"givenName": "Kim", "familyName": "Lee"})
    resp = api.patch_ops(f"/Users/{user['id']}", *operations)
    assert resp.status_code == 200, resp.content
    assert api.user(user["id"])["name"] == name


def test_an_extension_attribute_named_in_another_case_is_replaced_not_doubled(api, kim):
    """§3.5.2.3 on an extension the server does not describe: the sub-attribute it already
    stores is found whatever the case of the name in the request."""
    add = {"op": "add", "path": f"{CUSTOM}:CustomAttribute", "value": "Blue"}
    assert api.patch_ops(f"/Users/{kim}", add).status_code == 200
    replace = {"op": "replace", "path": CUSTOM, "value": {"customattribute": "Red"}}
    resp = api.patch_ops(f"/Users/{kim}", replace)
    assert resp.status_code == 200, resp.content
    assert api.user(kim)[CUSTOM] == {"CustomAttribute": "Red"}


def test_an_extension_the_server_does_not_describe_is_replaced_and_removed_whole(api, kim):
    """§3.5.2.3 / §3.5.2.2 with a path naming a whole extension (RFC 7643 §3.3: its URN ends
    with the resource type), also for an extension the schema does not list."""
    add = {"op": "add", "path": CUSTOM, "value": {"CustomAttribute": "Blue", "Other": "1"}}
    assert api.patch_ops(f"/Users/{kim}", add).status_code == 200
    assert api.user(kim)[CUSTOM] == {"CustomAttribute": "Blue", "Other": "1"}
    replace = {"op": "replace", "path": CUSTOM, "value": {"CustomAttribute": "Red"}}
    assert api.patch_ops(f"/Users/{kim}", replace).status_code == 200
    assert api.user(kim)[CUSTOM] == {"CustomAttribute": "Red", "Other": "1"}
    assert api.patch_ops(f"/Users/{kim}", {"op": "remove", "path": CUSTOM}).status_code == 200
    assert CUSTOM not in api.user(kim)
    assert view(api.user(kim)) == BASE


def test_add_a_role_of_a_type_already_there_adds_it(api, kim):
    """§3.5.2.1: "add" on a multi-valued attribute adds the values; only attributes whose
    type is unique per element (emails, phoneNumbers, addresses) update the element of
    that type. Roles may share a type."""
    first = {"type": "app", "value": "Reader"}
    second = {"type": "app", "value": "Writer"}
    for role in (first, second):
        resp = api.patch_ops(f"/Users/{kim}", {"op": "add", "path": "roles", "value": [role]})
        assert resp.status_code == 200, resp.content
    assert api.user(kim)["roles"] == [first, second]


def test_add_plain_values_to_emails_is_invalid_value(api, kim):
    """§3.5.2.1: the value of "add" must hold values of the attribute's type; emails are
    complex (RFC 7643 §4.1.2), so a plain string is 400 invalidValue and nothing changes.
    (A plain list on "remove" names the values to remove: see the cases above.)"""
    resp = api.patch_ops(
        f"/Users/{kim}", {"op": "add", "path": "emails", "value": ["k@third.test"]}
    )
    body = assert_scim_error(resp, 400, "invalidValue")
    assert body["detail"] == 'Each "emails" value must be an object.'
    assert api.user(kim)["emails"] == BASE["emails"]


def test_two_phone_numbers_of_one_type_in_one_add_are_one_element(api, kim):
    """§3.5.2.1 (RFC 7643 §2.4: a type appears once per multi-valued attribute here): the
    second element of the same type, whatever the case of its "type" key, updates the
    first instead of adding a duplicate."""
    value = [{"Type": "work", "value": "+1 555 0001"}, {"type": "work", "value": "+1 555 0002"}]
    resp = api.patch_ops(f"/Users/{kim}", {"op": "add", "path": "phoneNumbers", "value": value})
    assert resp.status_code == 200, resp.content
    assert api.user(kim)["phoneNumbers"] == [
        {"type": "mobile", "value": "+1 555 0100"},
        {"type": "work", "value": "+1 555 0002"},
    ]


PATHLESS_REPLACES = {
    # §3.5.2.3 without a path: "replace" of a multi-valued attribute replaces the list,
    # also when the value is wrapped in the core schema URN, and keys after the wrapper
    # still apply.
    "core-urn-wrapped-list-replaced": (
        {CORE_USER: {"phoneNumbers": [{"type": "fax", "value": "9"}]}},
        {"phoneNumbers": [{"type": "fax", "value": "9"}]},
    ),
    "keys-after-the-core-urn-apply": (
        {CORE_USER: {"title": "Lead"}, "displayName": "K. Lee"},
        {"title": "Lead", "displayName": "K. Lee"},
    ),
}


@pytest.mark.parametrize(
    "value, changed", list(PATHLESS_REPLACES.values()), ids=list(PATHLESS_REPLACES)
)
def test_pathless_replace(api, kim, value, changed):
    resp = api.patch_ops(f"/Users/{kim}", {"op": "replace", "value": value})
    assert resp.status_code == 200, resp.content
    assert view(api.user(kim)) == expect(**changed)


def test_replace_a_list_in_an_extension_named_whole_replaces_it(api, kim):
    """§3.5.2.3: "replace" with the extension URN as path replaces each attribute it names;
    a list is replaced, not added to."""
    add = {"op": "add", "path": CUSTOM, "value": {"Tags": ["old"]}}
    assert api.patch_ops(f"/Users/{kim}", add).status_code == 200
    replace = {"op": "replace", "path": CUSTOM, "value": {"Tags": ["new"]}}
    assert api.patch_ops(f"/Users/{kim}", replace).status_code == 200
    assert api.user(kim)[CUSTOM] == {"Tags": ["new"]}


def test_keys_after_an_extension_in_a_pathless_value_apply(api, kim):
    """§3.5.2.1 / §3.5.2.3 without a path: every key of the value applies, also those that
    come after an extension schema URN key."""
    value = {ENTERPRISE: {"department": "Ops"}, "title": "Lead", "displayName": "K. Lee"}
    resp = api.patch_ops(f"/Users/{kim}", {"op": "replace", "value": value})
    assert resp.status_code == 200, resp.content
    assert view(api.user(kim)) == expect(
        ENT={"department": "Ops", "employeeNumber": "7"}, title="Lead", displayName="K. Lee"
    )


GOOD = {"op": "replace", "path": "title", "value": "Changed"}

# §3.12 with §3.5.2: the error of a bad operation names it by its 1-based position in the
# request, also when it comes from a key of a path-less value; each is the second here.
NUMBERED_ERRORS = {
    "nested-filter-as-an-attribute-expression": (
        {"op": "replace", "path": 'emails[x[value eq "a"] eq "b"].value', "value": "y"},
        "invalidPath",
        "Operation 2: Nested value filters are not supported in paths.",
    ),
    "extension-urn-path-with-a-string": (
        {"op": "replace", "path": ENTERPRISE, "value": "x"},
        "invalidValue",
        f'Operation 2: "{ENTERPRISE}" must be an object.',
    ),
    # §3.10: a value filter follows an attribute name.
    "filter-without-an-attribute": (
        {"op": "replace", "path": '[type eq "work"]value', "value": "x"},
        "invalidPath",
        "Operation 2: Unexpected text after the filter in path '[type eq \"work\"]value'.",
    ),
    # §3.10: a sub-attribute follows its attribute after a ".", never a ":".
    "core-urn-path-with-a-colon-before-the-sub-attribute": (
        {"op": "replace", "path": f"{CORE_USER}:name:givenName", "value": "x"},
        "invalidPath",
        f"Operation 2: Invalid path '{CORE_USER}:name:givenName'.",
    ),
    "extension-path-with-a-colon-before-the-sub-attribute": (
        {"op": "replace", "path": f"{ENTERPRISE}:manager:value", "value": "x"},
        "invalidPath",
        f"Operation 2: Invalid path '{ENTERPRISE}:manager:value'.",
    ),
    "pathless-bad-key": (
        {"op": "replace", "value": {"ti tle": "x"}},
        "invalidPath",
        "Operation 2: Invalid path 'ti tle'.",
    ),
    "pathless-bad-key-under-the-core-urn": (
        {"op": "replace", "value": {CORE_USER: {"ti tle": "x"}}},
        "invalidPath",
        "Operation 2: Invalid path 'ti tle'.",
    ),
    "pathless-bad-key-under-an-extension-urn": (
        {"op": "add", "value": {ENTERPRISE: {"dept name": "x"}}},
        "invalidPath",
        f"Operation 2: Invalid path '{ENTERPRISE}:dept name'.",
    ),
    "pathless-read-only-key": (
        {"op": "replace", "value": {"meta": {"version": "1"}}},
        "mutability",
        'Operation 2: "meta" is read-only.',
    ),
    "pathless-extension-key-with-a-filter-that-matches-nothing": (
        {"op": "replace", "value": {ENTERPRISE: {'manager[value eq "nobody"].value': "x"}}},
        "noTarget",
        f'Operation 2: nothing matches "{ENTERPRISE}:manager[value eq "nobody"].value".',
    ),
}


@pytest.mark.parametrize(
    "bad, scim_type, detail", list(NUMBERED_ERRORS.values()), ids=list(NUMBERED_ERRORS)
)
def test_an_error_names_the_operation(api, kim, bad, scim_type, detail):
    resp = api.patch_ops(f"/Users/{kim}", GOOD, bad)
    assert assert_scim_error(resp, 400, scim_type)["detail"] == detail
    assert view(api.user(kim)) == BASE


# §3.5.2 on an extension the server does not describe (no schema for its attributes): paths
# with a filter or a sub-attribute still work, and names match whatever their case
# (RFC 7643 §2.1).
UNDESCRIBED = {
    "filtered-sub-attribute-creates-the-element": (
        [{"op": "add", "path": f'{CUSTOM}:things[type eq "x"].value', "value": "v"}],
        {"things": [{"type": "x", "value": "v"}]},
    ),
    "object-merged-in-any-case": (
        [
            {"op": "add", "path": f"{CUSTOM}:obj", "value": {"Color": "Blue"}},
            {"op": "replace", "path": f"{CUSTOM}:obj", "value": {"color": "Red", "Size": "L"}},
        ],
        {"obj": {"Color": "Red", "Size": "L"}},
    ),
    "sub-attribute-of-an-object": (
        [
            {"op": "add", "path": f"{CUSTOM}:obj", "value": {"Color": "Blue"}},
            {"op": "add", "path": f"{CUSTOM}:obj.shade", "value": "dark"},
            {"op": "replace", "path": f"{CUSTOM}:obj.COLOR", "value": "Red"},
        ],
        {"obj": {"Color": "Red", "shade": "dark"}},
    ),
    "list-added-to": (
        [
            {"op": "add", "path": f"{CUSTOM}:tags", "value": ["a"]},
            {"op": "add", "path": f"{CUSTOM}:tags", "value": ["b", "a"]},
        ],
        {"tags": ["a", "b"]},
    ),
    "sub-attribute-of-every-element-in-any-case": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"Size": 1}]},
            {"op": "replace", "path": f"{CUSTOM}:things.size", "value": 2},
        ],
        {"things": [{"Size": 2}]},
    ),
    "sub-attribute-of-an-object-removed-in-any-case": (
        [
            {"op": "add", "path": f"{CUSTOM}:obj", "value": {"Color": "Blue", "Shape": "round"}},
            {"op": "remove", "path": f"{CUSTOM}:obj.color"},
        ],
        {"obj": {"Shape": "round"}},
    ),
    "filtered-sub-attribute-replaced-in-any-case": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"type": "x", "Size": 1}]},
            {"op": "replace", "path": f'{CUSTOM}:things[type eq "x"].size', "value": 2},
        ],
        {"things": [{"type": "x", "Size": 2}]},
    ),
    "filtered-sub-attribute-removed-in-any-case": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"type": "x", "Size": 1}]},
            {"op": "remove", "path": f'{CUSTOM}:things[type eq "x"].SIZE'},
        ],
        {"things": [{"type": "x"}]},
    ),
    "element-built-from-a-filter-naming-one-attribute-twice": (
        [
            {
                "op": "add",
                "path": f'{CUSTOM}:things[kind eq "a" and KIND eq "a"].value',
                "value": "v",
            }
        ],
        {"things": [{"kind": "a", "value": "v"}]},
    ),
    # §3.5.2 with §3.4.2.2's attrPath (ATTRNAME "." subAttr): a filter may name a
    # sub-attribute of an element's attribute; names and strings in any case.
    "filter-on-a-sub-attribute-of-an-element-attribute": (
        [
            {
                "op": "add",
                "path": f"{CUSTOM}:things",
                "value": [{"kind": {"Color": "red"}, "n": 1}, {"kind": {"color": "blue"}, "n": 2}],
            },
            {"op": "remove", "path": f'{CUSTOM}:things[kind.COLOR eq "RED"]'},
        ],
        {"things": [{"kind": {"color": "blue"}, "n": 2}]},
    ),
    # §3.5.2.2: a plain value has no sub-attributes, so such a filter matches nothing and
    # the remove changes nothing.
    "filter-on-a-sub-attribute-of-a-plain-value-matches-nothing": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"kind": "red"}]},
            {"op": "remove", "path": f'{CUSTOM}:things[kind.color eq "red"]'},
        ],
        {"things": [{"kind": "red"}]},
    ),
    # §3.5.2.2: elements that are no objects have no attributes for a filter to match.
    "filter-passes-over-elements-that-are-no-objects": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": ["red", {"kind": "red"}]},
            {"op": "remove", "path": f'{CUSTOM}:things[kind eq "red"]'},
        ],
        {"things": ["red"]},
    ),
    # §3.4.2.2: gt and lt are strict; an element equal to the value is not matched.
    "gt-leaves-the-equal-number": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"size": 3}, {"size": 5}]},
            {"op": "remove", "path": f"{CUSTOM}:things[size gt 3]"},
        ],
        {"things": [{"size": 3}]},
    ),
    "lt-leaves-the-equal-number": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"size": 3}, {"size": 5}]},
            {"op": "remove", "path": f"{CUSTOM}:things[size lt 5]"},
        ],
        {"things": [{"size": 5}]},
    ),
    # §3.4.2.2: a number is never equal to a word, so eq misses it and ne matches it.
    "number-is-not-equal-to-a-word": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"size": 3}, {"size": "Three"}]},
            {"op": "remove", "path": f'{CUSTOM}:things[size eq "three"]'},
        ],
        {"things": [{"size": 3}]},
    ),
    "number-differs-from-a-word": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"size": 3}, {"size": "Three"}]},
            {"op": "remove", "path": f'{CUSTOM}:things[size ne "three"]'},
        ],
        {"things": [{"size": "Three"}]},
    ),
    # §3.4.2.2: nor is an object equal to a word.
    "object-differs-from-a-word": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"kind": {"a": 1}}, {"kind": "a"}]},
            {"op": "remove", "path": f'{CUSTOM}:things[kind ne "a"]'},
        ],
        {"things": [{"kind": "a"}]},
    ),
    # §3.4.2.2: gt on a number compares numbers.
    "numbers-ordered-in-a-filter": (
        [
            {"op": "add", "path": f"{CUSTOM}:things", "value": [{"size": 3}, {"size": 10}]},
            {"op": "remove", "path": f"{CUSTOM}:things[size gt 5]"},
        ],
        {"things": [{"size": 3}]},
    ),
}


@pytest.mark.parametrize("operations, stored", list(UNDESCRIBED.values()), ids=list(UNDESCRIBED))
def test_paths_into_an_extension_the_server_does_not_describe(api, kim, operations, stored):
    resp = api.patch_ops(f"/Users/{kim}", *operations)
    assert resp.status_code == 200, resp.content
    user = api.user(kim)
    assert user[CUSTOM] == stored
    assert view(user) == {**BASE, CUSTOM: stored}


def test_remove_inside_an_extension_whose_value_is_no_object_changes_nothing(api):
    """§3.5.2.2: removing an attribute that is not there is no change, also when the
    extension meant to hold it was sent as something other than an object."""
    user = api.create_user("plain@acme.test", **{CUSTOM: "plain"})
    resp = api.patch_ops(f"/Users/{user['id']}", {"op": "remove", "path": f"{CUSTOM}:x"})
    assert resp.status_code == 200, resp.content
    assert api.user(user["id"])[CUSTOM] == "plain"


@pytest.mark.parametrize("urn", [CUSTOM, CUSTOM.upper()])
def test_add_inside_an_extension_whose_value_is_no_object_makes_it_one(api, urn):
    """§3.5.2.1: "add" creates what the path names; an extension sent as something other
    than an object (RFC 7643 §3.3 says it is one) becomes an object holding the value."""
    user = api.create_user("plain@acme.test", **{CUSTOM: "plain"})
    add = {"op": "add", "path": f"{urn}:colour", "value": "blue"}
    resp = api.patch_ops(f"/Users/{user['id']}", add)
    assert resp.status_code == 200, resp.content
    user = api.user(user["id"])
    assert user[CUSTOM] == {"colour": "blue"}
    assert urn == CUSTOM or urn not in user  # one object, under the name it already had
