"""Host group pages: scoping, members, and manual groups vs directory groups."""

import pytest

from tests.factories import HostFactory, HostGroupFactory, HostGroupMembershipFactory
from visitor_mgmt.models import HostGroup, HostGroupMembership, Source

pytestmark = pytest.mark.django_db


def _url(group, action=""):
    return f"/groups/{group.public_id}/" + (f"{action}/" if action else "")


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_group_list_shows_own_groups_with_member_counts(staff_client, group, other_group, host):
    HostGroupMembershipFactory(group=group, host=host)
    HostGroupMembershipFactory(
        group=group, host=HostFactory(account=group.account, deleted_at="2024-01-01T00:00Z")
    )
    response = staff_client.get("/groups/")
    assert response.status_code == 200
    groups = list(response.context["groups"])
    assert groups == [group]
    assert groups[0].member_count == 1  # tombstoned hosts do not count
    assert other_group.name not in response.content.decode()


def test_group_list_search_and_badge(staff_client, group, directory_group):
    html = staff_client.get("/groups/").content.decode()
    assert html.count("Managed by Microsoft Entra ID") == 1
    response = staff_client.get("/groups/", {"q": "recep"})
    assert list(response.context["groups"]) == [group]


def test_group_detail_lists_members(staff_client, group, host):
    HostGroupMembershipFactory(group=group, host=host)
    response = staff_client.get(_url(group))
    assert response.status_code == 200
    assert list(response.context["members"]) == [host]
    assert "Remove" not in response.content.decode()  # staff cannot change members


@pytest.mark.parametrize("action", ["", "edit", "delete", "members/add", "members/remove"])
def test_other_accounts_group_is_404(admin_client, other_group, action):
    assert admin_client.get(_url(other_group, action)).status_code == 404
    assert admin_client.post(_url(other_group, action), {"name": "X"}).status_code == 404
    other_group.refresh_from_db()
    assert other_group.name == "Globex Reception"


def test_admin_creates_renames_and_deletes_a_group(admin_client, account):
    response = admin_client.post("/groups/new/", {"name": "  Lobby  "})
    group = HostGroup.objects.get(account=account)
    assert group.name == "Lobby"
    assert group.source == Source.MANUAL
    assert response.url == _url(group)

    assert admin_client.get(_url(group, "edit")).status_code == 200
    admin_client.post(_url(group, "edit"), {"name": "Front desk"})
    group.refresh_from_db()
    assert group.name == "Front desk"

    assert "Delete Front desk?" in admin_client.get(_url(group, "delete")).content.decode()
    response = admin_client.post(_url(group, "delete"))
    assert response.url == "/groups/"
    assert not HostGroup.objects.filter(pk=group.pk).exists()


def test_group_names_are_unique_per_account_ignoring_case(admin_client, group, other_group):
    response = admin_client.post("/groups/new/", {"name": "RECEPTION"})
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["name"])
    # Another account's name is free.
    assert admin_client.post("/groups/new/", {"name": "globex reception"}).status_code == 302
    blank = admin_client.post("/groups/new/", {"name": "   "})
    assert blank.status_code == 200
    assert blank.context["form"].errors["name"]


def test_staff_cannot_change_groups(staff_client, group, host):
    assert staff_client.get("/groups/new/").status_code == 403
    assert staff_client.post(_url(group, "edit"), {"name": "X"}).status_code == 403
    assert staff_client.post(_url(group, "delete")).status_code == 403
    response = staff_client.post(_url(group, "members/add"), {"host": str(host.public_id)})
    assert response.status_code == 403
    assert not HostGroupMembership.objects.exists()


def test_admin_adds_and_removes_members(admin_client, group, host, account):
    other = HostFactory(account=account, display_name="Zed Member", department="Ops")
    response = admin_client.get(_url(group), {"q": "jane"})
    assert list(response.context["candidates"]) == [host]
    assert 'name="host"' in response.content.decode()

    response = admin_client.post(_url(group, "members/add"), {"host": str(host.public_id)})
    assert response.url == _url(group)
    assert list(group.members.all()) == [host]
    # Members are no longer candidates.
    assert list(admin_client.get(_url(group), {"q": "jane"}).context["candidates"]) == []

    admin_client.post(_url(group, "members/add"), {"host": [str(other.public_id)]})
    assert set(group.members.all()) == {host, other}
    response = admin_client.post(
        _url(group, "members/remove"), {"host": str(host.public_id)}, follow=True
    )
    assert f"{host} removed from Reception." in _messages(response)
    assert list(group.members.all()) == [other]


def test_members_must_come_from_the_same_account(admin_client, group, other_host):
    response = admin_client.post(
        _url(group, "members/add"), {"host": str(other_host.public_id)}, follow=True
    )
    assert "No such host in this account." in _messages(response)
    assert not group.members.exists()
    response = admin_client.post(_url(group, "members/add"), {"host": "not-a-uuid"}, follow=True)
    assert "No such host in this account." in _messages(response)


def test_member_urls_are_post_only(admin_client, group, host):
    assert admin_client.get(_url(group, "members/add")).status_code == 405


def test_directory_group_is_read_only_on_pages(admin_client, directory_group, host):
    HostGroupMembershipFactory(group=directory_group, host=host)
    response = admin_client.get(_url(directory_group), {"q": "jane"})
    html = response.content.decode()
    assert "Managed by Microsoft Entra ID" in html
    assert _url(directory_group, "edit") not in html
    assert _url(directory_group, "delete") not in html
    assert "members/remove" not in html
    assert response.context["candidates"] is None


@pytest.mark.parametrize("action", ["edit", "delete", "members/add", "members/remove"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_directory_group_write_urls_refuse_with_a_message(
    admin_client, directory_group, host, account, action, method
):
    HostGroupMembershipFactory(group=directory_group, host=host)
    newcomer = HostFactory(account=account)
    data = {"name": "Hacked", "host": [str(host.public_id), str(newcomer.public_id)]}
    response = getattr(admin_client, method)(_url(directory_group, action), data, follow=True)
    assert response.redirect_chain == [(_url(directory_group), 302)]
    messages = _messages(response)
    assert len(messages) == 1
    assert "managed by Microsoft Entra ID and is read-only" in messages[0]
    directory_group.refresh_from_db()
    assert directory_group.name == "Entra Team"
    assert list(directory_group.members.all()) == [host]


def test_directory_hosts_may_join_manual_groups(admin_client, group, directory_host):
    admin_client.post(_url(group, "members/add"), {"host": str(directory_host.public_id)})
    assert list(group.members.all()) == [directory_host]


def test_group_members_are_paginated(staff_client, account):
    group = HostGroupFactory(account=account)
    for host in HostFactory.create_batch(30, account=account):
        HostGroupMembershipFactory(group=group, host=host)
    response = staff_client.get(_url(group))
    assert len(response.context["members"]) == 25
    assert len(staff_client.get(_url(group), {"page": 2}).context["members"]) == 5
