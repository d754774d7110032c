"""Entra's matching query takes a precompiled statement; it must mean what the filter means.

``userName eq "..."`` (users) and ``displayName eq "..."`` (groups) on the first page are
answered by ``ScimFilterQuery.unique_match`` instead of the filter parser and the ORM. Every
case here is compared with the general path (``search``), which the filter tests cover.
"""

import pytest

from scim_hosts.filters import HostFilterQuery, HostGroupFilterQuery
from tests.scim.performance.conftest import statements
from tests.scim.support import assert_list_response, filter_qs


class _Request:
    def __init__(self, account):
        self.scim_account = account


@pytest.fixture
def people(api, other_api):
    alice = api.create_user("Alice.Smith@Acme.test")["id"]
    gone = api.create_user("bob@acme.test")["id"]
    assert api.delete(f"/Users/{gone}").status_code == 204
    other_api.create_user("carol@acme.test")
    wild = api.create_user("a_b%c@acme.test")["id"]
    api.create_user("axbyc@acme.test")
    accented = api.create_user("émile@acme.test")["id"]
    return {"alice": alice, "wild": wild, "accented": accented}


FILTERS = [
    'userName eq "alice.smith@acme.test"',
    'USERNAME EQ "ALICE.SMITH@ACME.TEST"',
    '  userName   eq  "Alice.Smith@Acme.test"  ',
    'userName eq "bob@acme.test"',  # deleted
    'userName eq "carol@acme.test"',  # another account's
    'userName eq "a_b%c@acme.test"',  # LIKE wildcards are plain characters
    'userName eq "a%"',
    'userName eq "émile@acme.test"',
    'userName eq "ÉMILE@acme.test"',  # non-ASCII case: what the general path does
    'userName eq "nobody@acme.test"',
]


@pytest.mark.parametrize(
    "expression",
    FILTERS,
    # Plain ASCII ids: the accented names' ids spell their letters out.
    ids=[e.replace("é", "e-acute").replace("É", "E-ACUTE") for e in FILTERS],
)
def test_matching_query_means_what_the_filter_means(api, account, people, expression):
    fast = HostFilterQuery.unique_match(expression, account)
    assert fast is not None, "expected the fast path"
    general = list(HostFilterQuery.search(expression, _Request(account)).order_by("pk"))
    assert [h.pk for h in fast] == [h.pk for h in general]
    assert len(fast) <= 1
    # Over HTTP: the same resources as a page of the general path would give.
    resources = assert_list_response(api.get("/Users?" + filter_qs(expression)), total=len(general))
    assert [r["id"] for r in resources] == [str(h.public_id) for h in general]


def test_matching_query_returns_the_full_resource(api, people):
    fast = api.get("/Users?" + filter_qs('userName eq "alice.smith@acme.test"')).json()["Resources"]
    general = api.get(f"/Users/{people['alice']}").json()
    assert fast == [general]


@pytest.mark.parametrize(
    "expression",
    [
        'userName eq "a\\"b"',  # an escape: the general parser decodes it
        'userName eq ""',
        "userName eq alice",
        'userName eq "x" and active eq true',
        'userName ne "x"',
        'externalId eq "x"',  # not unique
        'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"',
        'displayName eq "x"',  # unique for groups, not for users
        None,
        "",
    ],
)
def test_other_filters_take_the_general_path(account, expression):
    assert HostFilterQuery.unique_match(expression, account) is None


def test_the_matching_query_is_one_indexed_statement(api, people):
    sqls, resp = statements(
        lambda: api.get("/Users?" + filter_qs('userName eq "alice.smith@acme.test"'))
    )
    assert_list_response(resp, total=1)
    assert len(sqls) == 2  # token, the lookup
    lookup = sqls[1].upper()
    assert "UPPER(" in lookup and "ORDER BY" not in lookup and "COUNT(" not in lookup


def test_paging_parameters_take_the_general_path(api, people):
    expression = 'userName eq "alice.smith@acme.test"'
    assert_list_response(
        api.get("/Users?startIndex=2&" + filter_qs(expression)), total=1, start=2, count=0
    )
    assert_list_response(api.get("/Users?count=0&" + filter_qs(expression)), total=1, count=0)


def test_group_matching_query(api, account, other_api):
    reception = api.create_group("Reception")["id"]
    other_api.create_group("Front Desk")
    for expression, expected in [
        ('displayName eq "reception"', [reception]),
        ('DISPLAYNAME eq "RECEPTION"', [reception]),
        ('displayName eq "Front Desk"', []),
        ('displayName eq "Recep%"', []),
    ]:
        fast = HostGroupFilterQuery.unique_match(expression, account)
        general = list(HostGroupFilterQuery.search(expression, _Request(account)))
        assert [g.pk for g in fast] == [g.pk for g in general]
        path = "/Groups?excludedAttributes=members&" + filter_qs(expression)
        assert [
            r["id"] for r in assert_list_response(api.get(path), total=len(expected))
        ] == expected
