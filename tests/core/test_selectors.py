"""Reads are scoped to one account and see live records only."""

import pytest

from tests.factories import (
    DirectoryHostFactory,
    HostFactory,
    HostGroupFactory,
    HostGroupMembershipFactory,
)
from visitor_mgmt.models import Host, HostGroup
from visitor_mgmt.selectors import accounts as account_selectors
from visitor_mgmt.selectors import hosts as host_selectors

pytestmark = pytest.mark.django_db


def test_host_list_is_scoped_and_live(account, other_account):
    mine = HostFactory(account=account)
    HostFactory(account=other_account)
    HostFactory(account=account, deleted_at="2024-01-01T00:00Z")
    assert list(host_selectors.host_list(account=account)) == [mine]


def test_host_get_refuses_other_accounts_and_tombstones(account, other_account):
    theirs = HostFactory(account=other_account)
    gone = HostFactory(account=account, deleted_at="2024-01-01T00:00Z")
    for host in (theirs, gone):
        with pytest.raises(Host.DoesNotExist):
            host_selectors.host_get(account=account, public_id=host.public_id)


def test_search_limits_the_number_of_words(account):
    HostFactory(account=account, first_name="Ann", last_name="Lee")
    words = "ann " * 50
    assert host_selectors.host_list(account=account, search=words).count() == 1


def test_groups_are_scoped(account, other_account):
    mine = HostGroupFactory(account=account)
    theirs = HostGroupFactory(account=other_account)
    assert list(host_selectors.host_group_list(account=account)) == [mine]
    with pytest.raises(HostGroup.DoesNotExist):
        host_selectors.host_group_get(account=account, public_id=theirs.public_id)


def test_groups_are_listed_by_name_for_stable_pages(account):
    # The member count's GROUP BY makes Django drop Meta.ordering; the selector names it.
    zeta = HostGroupFactory(account=account, name="Zeta")
    alpha = HostGroupFactory(account=account, name="Alpha")
    groups = host_selectors.host_group_list(account=account)
    assert groups.ordered
    assert list(groups) == [alpha, zeta]


def test_members_and_candidates(account):
    group = HostGroupFactory(account=account)
    member = HostFactory(account=account, first_name="Member")
    outsider = HostFactory(account=account, first_name="Outsider")
    HostGroupMembershipFactory(group=group, host=member)
    assert list(host_selectors.host_group_member_list(group=group)) == [member]
    assert list(host_selectors.host_group_candidate_list(group=group)) == [outsider]
    assert list(host_selectors.host_groups_of(host=member)) == [group]


def test_directory_managed_counts(account):
    DirectoryHostFactory.create_batch(2, account=account)
    HostFactory(account=account)
    HostGroupFactory(account=account, source="directory")
    assert host_selectors.directory_managed_counts(account=account) == {"hosts": 2, "groups": 1}


def test_account_get_by_slug(account):
    assert account_selectors.account_get_by_slug(slug="acme") == account
    assert account_selectors.account_get_by_slug(slug="nope") is None
