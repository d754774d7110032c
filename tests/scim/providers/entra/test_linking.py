"""Moving an account onto Entra: hosts and groups that already exist are linked, never
duplicated (docs/linking.md).

Entra's first sync asks ``userName eq "<UPN>"`` (any letter case) before every create and
updates what it finds. A manual or CSV host with no username is found by its e-mail; the
update links it. Any client's POST links the same way. Ambiguity is a 409, never a guess.
"""

import pytest

from scim_hosts.models import ProvisioningEvent
from tests.factories import (
    DirectoryHostFactory,
    HostFactory,
    HostGroupFactory,
    HostGroupMembershipFactory,
    VisitFactory,
)
from tests.preferences.helpers import section_html
from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import (
    CORE_GROUP,
    assert_list_response,
    assert_scim_error,
    group_body,
    groups_filter,
    patch_body,
    users_filter,
)
from visitor_mgmt.kiosk.selectors import kiosk_host_search
from visitor_mgmt.models import Host, HostGroup, Source, Visit

pytestmark = pytest.mark.django_db

UPN = "ava.martin@contoso.com"


def ava(account, **overrides):
    values = {
        "account": account,
        "first_name": "Ava",
        "last_name": "Martin",
        "display_name": "Ava Martin",
        "email": UPN,
        "username": "",
        "source": Source.MANUAL,
    }
    values.update(overrides)
    return HostFactory(**values)


def entra_user(**overrides):
    return tut_user(
        user_name=UPN,
        externalId="b1c2",
        emails=[{"primary": True, "type": "work", "value": UPN}],
        name={"givenName": "Ava", "familyName": "Martin"},
        displayName="Ava Martin",
        **overrides,
    )


def linked_rows(account):
    return list(ProvisioningEvent.objects.filter(account=account, action="linked"))


@pytest.mark.parametrize("source", [Source.MANUAL, Source.CSV], ids=["manual", "csv"])
def test_matching_query_then_patch_links_the_host_and_keeps_its_history(entra, contoso, source):
    host = ava(contoso, source=source)
    group = HostGroupFactory(account=contoso, name="Sales")
    HostGroupMembershipFactory(group=group, host=host)
    visit = VisitFactory(account=contoso, host=host)

    # Entra's matching query, in another letter case than stored.
    resp = entra.get(users_filter("userName", UPN.upper()))
    (found,) = assert_list_response(resp, total=1)
    assert found["id"] == str(host.public_id)
    assert found["userName"] == UPN  # a host without username is known by its e-mail

    # Entra then updates what differs; the update links.
    ops = entra.mode.replace_many({"externalId": "b1c2", "displayName": "Ava Martin"})
    resp = entra.patch(f"/Users/{host.public_id}", patch_body(*ops))
    assert resp.status_code == 200, resp

    host.refresh_from_db()
    assert host.source == Source.DIRECTORY  # read-only elsewhere from now on
    assert host.username == UPN
    assert host.external_id == "b1c2"
    assert Host.objects.filter(account=contoso).count() == 1
    assert Visit.objects.get(pk=visit.pk).host_id == host.pk
    assert list(group.members.all()) == [host]
    (row,) = linked_rows(contoso)
    was = "manual" if source == Source.MANUAL else "CSV"
    assert row.reason == f'Linked existing host "Ava Martin" (was {was})'
    assert row.resource_id == str(host.public_id)
    # One Ava Martin at the kiosk.
    found = kiosk_host_search(account=contoso, query="Ava Martin")
    assert [h["public_id"] for h in found] == [str(host.public_id)]


def test_post_from_any_client_links_instead_of_duplicating(scim, contoso):
    host = ava(contoso, source=Source.CSV)
    visit = VisitFactory(account=contoso, host=host)
    resp = scim.post("/Users", entra_user())
    assert resp.status_code == 201, resp
    assert resp.json()["id"] == str(host.public_id)
    assert resp.headers["Location"].endswith(f"/scim/v2/Users/{host.public_id}")
    assert Host.objects.filter(account=contoso).count() == 1
    host.refresh_from_db()
    assert (host.source, host.username, host.external_id) == (Source.DIRECTORY, UPN, "b1c2")
    assert host.directory_data["externalId"] == "b1c2"  # stored as for a create
    assert Visit.objects.get(pk=visit.pk).host_id == host.pk
    assert scim.get(f"/Users/{host.public_id}").json()["externalId"] == "b1c2"
    (row,) = linked_rows(contoso)
    assert "(was CSV)" in row.reason


def test_a_host_with_that_username_is_linked_too(scim, contoso):
    host = ava(contoso, username=UPN.upper(), email="other@contoso.com")
    resp = scim.post("/Users", entra_user())
    assert resp.status_code == 201, resp
    assert resp.json()["id"] == str(host.public_id)
    assert Host.objects.filter(account=contoso).count() == 1


def test_a_directory_host_is_never_linked_twice(scim, contoso):
    DirectoryHostFactory(account=contoso, username=UPN)
    assert_scim_error(scim.post("/Users", entra_user()), 409, "uniqueness")
    assert Host.objects.filter(account=contoso).count() == 1


def test_other_accounts_hosts_are_never_linked(scim, contoso, fabrikam):
    theirs = ava(fabrikam)
    assert_list_response(scim.get(users_filter("userName", UPN)), total=0)
    resp = scim.post("/Users", entra_user())
    assert resp.status_code == 201
    assert resp.json()["id"] != str(theirs.public_id)
    theirs.refresh_from_db()
    assert theirs.source == Source.MANUAL


def test_tombstones_and_other_emails_are_not_matched(scim, contoso):
    ava(contoso, deleted_at="2026-01-01T00:00:00Z")
    ava(contoso, email="ava.m@contoso.com")
    assert_list_response(scim.get(users_filter("userName", UPN)), total=0)
    resp = scim.post("/Users", entra_user())
    assert resp.status_code == 201
    assert Host.objects.live().filter(account=contoso).count() == 2


# The 409's detail names each host and how it matched (in no particular order).
MATCHED = {
    "username-and-email": {
        '"Ava Martin" (by e-mail ava.martin@contoso.com)',
        '"Ava Martín" (by userName ava.martin@contoso.com)',
    },
    "email-case": {
        '"Ava Martin" (by e-mail ava.martin@contoso.com)',
        '"Ava Martín" (by e-mail AVA.MARTIN@CONTOSO.COM)',
    },
}


@pytest.mark.parametrize(
    "second",
    [
        {"username": UPN, "email": "someone.else@contoso.com"},  # by username and by e-mail
        {"email": UPN.upper()},  # e-mails that differ only in case
    ],
    ids=["username-and-email", "email-case"],
)
def test_ambiguous_matches_are_a_409_and_shown_to_the_admin(
    scim, contoso, admin_client, admin_user, second, request
):
    admin_user.membership.account = contoso
    admin_user.membership.save()
    first = ava(contoso)
    other = ava(contoso, first_name="Ava", last_name="Martín", display_name="Ava Martín", **second)

    resp = scim.get(users_filter("userName", UPN))
    body = assert_scim_error(resp, 409, "uniqueness")
    head = f'userName "{UPN}" matches 2 hosts in Visitor Management: '
    tail = (
        ". None was linked. An account admin must edit or delete one of them; the next sync"
        " then links the other."
    )
    detail = body["detail"]
    assert detail.startswith(head) and detail.endswith(tail), detail
    assert set(detail[len(head) : -len(tail)].split("; ")) == MATCHED[request.node.callspec.id]
    assert_scim_error(scim.post("/Users", entra_user()), 409, "uniqueness")
    assert Host.objects.filter(account=contoso).count() == 2
    assert not Host.objects.filter(source=Source.DIRECTORY).exists()  # nothing linked

    html = section_html(admin_client)
    assert "Link conflicts" in html
    assert f"<code>{UPN}</code>" in html
    assert f"/hosts/{first.public_id}/" in html and f"/hosts/{other.public_id}/" in html
    assert 'data-status="failing"' in html
    assert "could not link" in html

    # The admin deletes the wrong one; the next sync links the other and the conflict goes.
    other.delete()
    resp = scim.post("/Users", entra_user())
    assert resp.status_code == 201 and resp.json()["id"] == str(first.public_id)
    html = section_html(admin_client)
    assert "Link conflicts" not in html
    assert 'data-status="connected"' in html


def test_matching_group_is_linked_by_get_then_patch(entra, contoso):
    group = HostGroupFactory(account=contoso, name="Reception")
    member = ava(contoso)
    (found,) = assert_list_response(entra.get(groups_filter("RECEPTION")), total=1)
    assert found["id"] == str(group.public_id)
    resp = entra.patch(
        f"/Groups/{group.public_id}",
        patch_body(entra.mode.add_members(str(member.public_id))),
    )
    assert resp.status_code == 204, resp
    group.refresh_from_db()
    assert group.source == Source.DIRECTORY
    assert list(group.members.all()) == [member]
    (row,) = linked_rows(contoso)
    assert row.reason == 'Linked existing group "Reception" (was manual); 1 member added'


def test_post_group_links_the_manual_group_of_that_name(scim, contoso):
    group = HostGroupFactory(account=contoso, name="Reception")
    kept = ava(contoso)
    HostGroupMembershipFactory(group=group, host=kept)
    visit = VisitFactory(account=contoso, host=None, host_group=group)
    resp = scim.post("/Groups", {**group_body("reception", "g-1"), "members": []})
    assert resp.status_code == 201, resp
    assert resp.json()["id"] == str(group.public_id)
    assert HostGroup.objects.filter(account=contoso).count() == 1
    group.refresh_from_db()
    assert (group.source, group.external_id, group.name) == (Source.DIRECTORY, "g-1", "reception")
    assert list(group.members.all()) == []  # the directory's members win: it sent none
    assert Visit.objects.get(pk=visit.pk).host_group_id == group.pk
    (row,) = linked_rows(contoso)
    assert row.reason.startswith('Linked existing group "reception" (was manual)')


def test_post_group_keeps_members_when_none_are_sent(scim, contoso):
    group = HostGroupFactory(account=contoso, name="Reception")
    kept = ava(contoso)
    HostGroupMembershipFactory(group=group, host=kept)
    resp = scim.post("/Groups", {"schemas": [CORE_GROUP], "displayName": "Reception"})
    assert resp.status_code == 201 and resp.json()["id"] == str(group.public_id)
    assert list(group.members.all()) == [kept]


def test_a_directory_group_of_that_name_is_a_409(scim, contoso):
    HostGroupFactory(account=contoso, name="Reception", source=Source.DIRECTORY)
    assert_scim_error(scim.post("/Groups", group_body("Reception")), 409, "uniqueness")


def test_the_section_says_what_will_be_linked_before_connecting(admin_client, account):
    HostFactory.create_batch(3, account=account)
    HostFactory.create_batch(2, account=account, email="")
    DirectoryHostFactory(account=account)
    HostFactory(account=account, deleted_at="2026-01-01T00:00:00Z")
    html = section_html(admin_client)
    assert (
        "3 hosts have an e-mail and will be linked when Microsoft Entra ID provisions the same "
        "address; 2 have no e-mail and will stay manual."
    ) in " ".join(html.split())
