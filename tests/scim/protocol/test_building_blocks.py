"""The pieces under the HTTP tests: filter tokenising, paths, projection onto Host, errors."""

import json
import re

import pytest
from django_scim import exceptions as scim_exceptions

from scim_hosts.mapping import USER_MAPPINGS, document_from_host, host_fields_from_document
from scim_hosts.protocol import errors
from scim_hosts.protocol.filter_syntax import PLACEHOLDER, FilterSyntaxError, parse_bool, prepare
from scim_hosts.protocol.paths import PathError, parse_path
from scim_hosts.protocol.responses import ERROR_URN, response_for_scim_exception
from scim_hosts.protocol.schema import ENTERPRISE_URN, USER_SCHEMA
from tests.factories import HostFactory

P = PLACEHOLDER


@pytest.mark.parametrize(
    "text,prepared,values",
    [
        ('userName eq "a b"', f'userName eq "{P}0"', ["a b"]),
        (
            "id eq 54D382A4-2050 and manager eq x",
            f'id eq "{P}0" and manager eq "{P}1"',
            ["54D382A4-2050", "x"],
        ),
        ("active eq True", "active eq true", []),
        ("title eq null", "title eq null", []),
        ("count gt 25", f'count gt "{P}0"', ["25"]),
        (r'userName eq "a\"b\\c\u00e9"', f'userName eq "{P}0"', ['a"b\\cé']),
        (
            'emails[type eq "work"].value eq "x"',
            f'emails[type eq "{P}0"].value eq "{P}1"',
            ["work", "x"],
        ),
        ("members[value eq abc]", f'members[value eq "{P}0"]', ["abc"]),
        ("userName pr", "userName pr", []),
    ],
    # Plain ASCII ids (no backslash): mutmut reruns tests by id.
    ids=lambda v: re.sub(r"[^ -\[\]-~]", "_", v) if isinstance(v, str) else "values",
)
def test_prepare_swaps_values_for_placeholders(text, prepared, values):
    assert prepare(text) == (prepared, values)


@pytest.mark.parametrize("text", ["", "   ", 'userName eq "open', "x" * 5000, None])
def test_prepare_rejects(text):
    with pytest.raises(FilterSyntaxError):
        prepare(text)


@pytest.mark.parametrize(
    "value,expected",
    [
        (True, True),
        (False, False),
        ("True", True),
        ("FALSE", False),
        (" true ", True),
        ("yes", None),
        (1, None),
        (None, None),
    ],
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize(
    "text,urn,attr,sub",
    [
        ("userName", None, "userName", None),
        ("USERNAME", None, "userName", None),
        ("name.givenName", None, "name", "givenName"),
        ('emails[type eq "work"].value', None, "emails", "value"),
        ("manager", ENTERPRISE_URN, "manager", None),
        (f"{ENTERPRISE_URN}:manager.value", ENTERPRISE_URN, "manager", "value"),
        (f"{ENTERPRISE_URN.upper()}:Department", ENTERPRISE_URN, "department", None),
        ("urn:ietf:params:scim:schemas:core:2.0:User:title", None, "title", None),
        ("urn:x:custom:2.0:User:thing", "urn:x:custom:2.0:User", "thing", None),
        (ENTERPRISE_URN, ENTERPRISE_URN, None, None),
        ("unknownThing", None, "unknownThing", None),
    ],
)
def test_parse_path(text, urn, attr, sub):
    path = parse_path(text, USER_SCHEMA)
    assert (path.urn, path.attr, path.sub) == (urn, attr, sub)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a.b.c",
        "emails[type eq",
        "emails]",
        "1abc",
        "a b",
        "emails[x]y",
        "urn:ietf:params:scim:schemas:core:2.0:User",
    ],
)
def test_parse_path_rejects(text):
    with pytest.raises(PathError):
        parse_path(text, USER_SCHEMA)


def test_projection_fills_every_mapped_host_field():
    doc = {
        "userName": "u@acme.test",
        "externalId": "e",
        "active": False,
        "displayName": "D",
        "title": "T",
        "name": {"givenName": "G", "familyName": "F"},
        "emails": [
            {"type": "other", "value": "o@acme.test"},
            {"type": "work", "value": "w@acme.test"},
        ],
        "phoneNumbers": [{"type": "work", "value": "1"}, {"type": "mobile", "value": "2"}],
        ENTERPRISE_URN: {"department": "Dep", "organization": "Org"},
    }
    assert host_fields_from_document(doc) == {
        "username": "u@acme.test",
        "external_id": "e",
        "is_active": False,
        "display_name": "D",
        "title": "T",
        "first_name": "G",
        "last_name": "F",
        "email": "w@acme.test",
        "alternate_email": "o@acme.test",
        "mobile": "2",
        "alternate_mobile": "1",
        "department": "Dep",
        "organization": "Org",
    }
    assert {m.field for m in USER_MAPPINGS if m.field} == set(host_fields_from_document(doc))


def test_empty_document_projects_to_blank_fields():
    fields = host_fields_from_document({"userName": "u"})
    assert fields["is_active"] is True
    assert {k: v for k, v in fields.items() if k not in ("username", "is_active")} == {
        k: "" for k in fields if k not in ("username", "is_active")
    }


def test_document_from_a_manual_host_round_trips(account):
    host = HostFactory(
        account=account,
        username="m@acme.test",
        external_id="x",
        first_name="A",
        last_name="B",
        display_name="A B",
        email="a@acme.test",
        alternate_email="b@acme.test",
        mobile="1",
        alternate_mobile="2",
        title="T",
        department="D",
        organization="O",
        is_active=False,
    )
    doc = document_from_host(host)
    fields = host_fields_from_document(doc)
    for name, value in fields.items():
        assert getattr(host, name) == value, name


# RFC 7644 §3.12: any SCIMException under a SCIM view becomes an Error message with the
# status as a string; django-scim2's own exceptions are often raised without a detail. The
# exceptions are made inside the test (mutmut only switches code a test runs).
@pytest.mark.parametrize(
    "make,status,detail,scim_type",
    [
        (lambda: scim_exceptions.BadRequestError(), 400, "Bad request.", None),
        (lambda: scim_exceptions.SCIMException(status=404), 404, "Resource not found.", None),
        (lambda: scim_exceptions.IntegrityError(), 409, "Conflict.", None),
        (lambda: scim_exceptions.NotImplementedError(), 501, "Not implemented.", None),
        (lambda: scim_exceptions.AuthorizationError(), 401, "Error.", None),
        (
            lambda: scim_exceptions.BadRequestError("Bad path", scim_type="invalidPath"),
            400,
            "Bad path",
            "invalidPath",
        ),
        (lambda: errors.Uniqueness("Taken."), 409, "Taken.", "uniqueness"),
        (lambda: errors.InvalidValue("No.", status=422), 422, "No.", "invalidValue"),
        (lambda: errors.BadRequest("Odd.", scim_type="invalidVers"), 400, "Odd.", "invalidVers"),
        (lambda: errors.NotFound("Gone."), 404, "Gone.", None),
    ],
    ids=[
        "BadRequestError",
        "SCIMException-404",
        "IntegrityError",
        "NotImplementedError",
        "AuthorizationError",
        "BadRequestError-scimType",
        "Uniqueness",
        "InvalidValue-status",
        "BadRequest-scimType",
        "NotFound",
    ],
)
def test_scim_exceptions_render_as_error_messages(make, status, detail, scim_type):
    resp = response_for_scim_exception(make())
    assert resp.status_code == status
    assert resp["Content-Type"] == "application/scim+json"
    expected = {"schemas": [ERROR_URN], "status": str(status), "detail": detail}
    if scim_type:
        expected["scimType"] = scim_type
    assert json.loads(resp.content) == expected


def test_an_error_carries_its_headers():
    exc = errors.TooManyRequests("Slow down.", headers={"Retry-After": "7"})
    resp = response_for_scim_exception(exc)
    assert (resp.status_code, resp["Retry-After"]) == (429, "7")


def test_a_link_conflict_is_a_409_uniqueness_naming_its_value():
    exc = errors.LinkConflict("Two hosts match.", value="jdoe@contoso.test")
    assert (exc.status, exc.scim_type, exc.detail, exc.value) == (
        409,
        "uniqueness",
        "Two hosts match.",
        "jdoe@contoso.test",
    )
