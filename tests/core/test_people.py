"""People and roles: invitations by e-mail, roles, deactivation, the last admin, the log,
tenant isolation and throttling."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import PASSWORD
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from visitor_mgmt.models import Invitation, Membership, PeopleEvent
from visitor_mgmt.services import people as people_services

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"
LINK = re.compile(r"http://testserver(/accounts/invitation/[^/\s]+/[^/\s]+/)")


def invite(client, email="new.person@acme.example", role="staff"):
    return client.post("/people/invite/", {"email": email, "role": role})


def link_in(message):
    return LINK.search(message.body).group(1)


def accept(link, password=NEW_PASSWORD):
    """Open the e-mailed link in a fresh browser and set the password; the response."""
    client = Client()
    response = client.get(link)
    if response.status_code != 302:
        return response
    return client.post(
        response.url, {"new_password1": password, "new_password2": password}, follow=False
    )


def membership_of(email):
    return Membership.objects.select_related("user", "invitation").get(user__username=email)


# --- inviting -------------------------------------------------------------------------


def test_an_admin_invites_staff_who_sets_a_password_and_logs_in(admin_client, admin_user):
    response = invite(admin_client)
    assert response.status_code == 302
    assert response.url == "/people/"
    member = membership_of("new.person@acme.example")
    assert member.role == Membership.Role.STAFF
    assert member.account == admin_user.membership.account
    assert not member.user.has_usable_password()
    assert member.invitation.invited_by == admin_user

    (message,) = mail.outbox
    assert message.to == ["new.person@acme.example"]
    assert "Acme" in message.subject
    assert admin_user.email in message.body

    done = accept(link_in(message))
    assert done.status_code == 302
    assert done.url == "/accounts/login/"
    member.invitation.refresh_from_db()
    assert member.invitation.accepted_at is not None

    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "new.person@acme.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_an_admin_can_invite_another_admin(admin_client):
    invite(admin_client, email="boss@acme.example", role="admin")
    assert membership_of("boss@acme.example").role == Membership.Role.ADMIN


def test_the_invitation_link_works_only_once(admin_client):
    invite(admin_client)
    link = link_in(mail.outbox[0])
    assert accept(link).status_code == 302
    again = Client().get(link)
    assert again.status_code == 200
    assert "does not work" in again.content.decode()


def test_the_invitation_link_expires(admin_client, monkeypatch):
    invite(admin_client)
    link = link_in(mail.outbox[0])
    # Signed seven days and a minute ago: expired.
    real_time = people_services.signing.time.time
    monkeypatch.setattr(
        people_services.signing.time,
        "time",
        lambda: real_time() + people_services.INVITATION_MAX_AGE.total_seconds() + 60,
    )
    response = Client().get(link)
    assert response.status_code == 200
    assert "does not work" in response.content.decode()


def test_sending_again_voids_the_earlier_link(admin_client):
    invite(admin_client)
    first = link_in(mail.outbox[0])
    member = membership_of("new.person@acme.example")
    Invitation.objects.filter(pk=member.invitation.pk).update(
        sent_at=member.invitation.sent_at - timedelta(minutes=5)
    )
    response = admin_client.post(f"/people/{member.pk}/resend/")
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second = link_in(mail.outbox[1])
    assert "does not work" in Client().get(first).content.decode()
    assert accept(second).status_code == 302
    member.invitation.refresh_from_db()
    assert member.invitation.send_count == 2


def test_a_tampered_link_does_not_work(admin_client):
    invite(admin_client)
    link = link_in(mail.outbox[0])
    response = Client().get(link[:-3] + "x/")
    assert "does not work" in response.content.decode()


def test_a_weak_password_is_a_form_error(admin_client):
    invite(admin_client)
    response = accept(link_in(mail.outbox[0]), password="password")
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert membership_of("new.person@acme.example").invitation.accepted_at is None


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("not-an-address", "Enter a valid e-mail address."),
        ("", "This field is required."),
    ],
)
def test_bad_addresses_are_form_errors(admin_client, email, expected):
    response = invite(admin_client, email=email)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert mail.outbox == []


def test_an_address_already_in_the_account_is_a_form_error(admin_client, staff_user):
    response = invite(admin_client, email=staff_user.email.upper())
    assert response.status_code == 400
    assert "already a member of this account" in response.content.decode()


def test_an_address_of_another_account_is_refused_without_joining(admin_client, other_account):
    stranger = MembershipFactory(account=other_account).user
    response = invite(admin_client, email=stranger.email)
    assert response.status_code == 400
    assert "already has a user" in response.content.decode()
    stranger.membership.refresh_from_db()
    assert stranger.membership.account == other_account


def test_a_mail_server_failure_keeps_the_invitation_and_says_so(admin_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard port: refused
    response = invite(admin_client)
    assert response.status_code == 302
    page = admin_client.get(response.url).content.decode()
    assert "could not be sent" in page
    assert membership_of("new.person@acme.example").invitation.is_pending


def test_invitations_are_throttled_per_account(admin_client, monkeypatch):
    monkeypatch.setattr(people_services, "INVITATIONS_PER_ACCOUNT_PER_HOUR", 2)
    assert invite(admin_client, email="a@acme.example").status_code == 302
    assert invite(admin_client, email="b@acme.example").status_code == 302
    response = invite(admin_client, email="c@acme.example")
    assert response.status_code == 400
    assert "Try again later" in response.content.decode()
    assert not get_user_model().objects.filter(username="c@acme.example").exists()
    assert len(mail.outbox) == 2


def test_sending_again_is_throttled_per_person(admin_client):
    invite(admin_client)
    member = membership_of("new.person@acme.example")
    for _ in range(people_services.RESENDS_PER_PERSON_PER_HOUR):
        assert admin_client.post(f"/people/{member.pk}/resend/").status_code == 302
    response = admin_client.post(f"/people/{member.pk}/resend/")
    assert response.status_code == 400
    assert "several times in the last hour" in response.content.decode()


def test_sending_again_needs_a_pending_invitation(admin_client, staff_user):
    response = admin_client.post(f"/people/{staff_user.membership.pk}/resend/")
    assert response.status_code == 400
    assert "no pending invitation" in response.content.decode()


def test_a_password_reset_link_does_not_accept_an_invitation(admin_client):
    """An invited user has no usable password: the reset form sends them nothing."""
    invite(admin_client)
    mail.outbox.clear()
    Client().post("/accounts/password-reset/", {"email": "new.person@acme.example"})
    assert mail.outbox == []


# --- roles, deactivation, the last admin ------------------------------------------------


def test_an_admin_changes_a_role_and_it_is_logged(admin_client, admin_user, staff_user):
    member = staff_user.membership
    response = admin_client.post(f"/people/{member.pk}/role/", {"role": "admin"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Membership.Role.ADMIN
    event = PeopleEvent.objects.get(action=PeopleEvent.Action.ROLE_CHANGED)
    assert (event.actor, event.subject, event.detail) == (admin_user, staff_user, "Staff → Admin")
    page = admin_client.get("/people/").content.decode()
    assert "Role changed" in page and admin_user.email in page


def test_the_last_admin_cannot_be_demoted(admin_client, admin_user):
    member = admin_user.membership
    response = admin_client.post(f"/people/{member.pk}/role/", {"role": "staff"})
    assert response.status_code == 400
    assert "last active admin" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Membership.Role.ADMIN
    assert not PeopleEvent.objects.exists()


def test_the_last_admin_cannot_be_deactivated(account, admin_user):
    other_admin = MembershipFactory(account=account, role=Membership.Role.ADMIN).user
    client = Client()
    client.force_login(other_admin)
    # other_admin deactivates admin_user: allowed, one admin is left ...
    assert client.post(f"/people/{admin_user.membership.pk}/deactivate/").status_code == 302
    # ... and that last one cannot be removed by a service call either.
    with pytest.raises(ValidationError, match="last active admin"):
        people_services.people_set_active(
            membership=other_admin.membership, actor=admin_user, active=False
        )


def test_an_invited_admin_does_not_count_as_an_active_admin(admin_client, admin_user):
    invite(admin_client, email="boss@acme.example", role="admin")
    response = admin_client.post(f"/people/{admin_user.membership.pk}/role/", {"role": "staff"})
    assert response.status_code == 400
    assert "last active admin" in response.content.decode()


def test_a_deactivated_admin_does_not_count_either(account, admin_client, admin_user):
    other = MembershipFactory(account=account, role=Membership.Role.ADMIN)
    other.user.is_active = False
    other.user.save()
    response = admin_client.post(f"/people/{admin_user.membership.pk}/role/", {"role": "staff"})
    assert response.status_code == 400


def test_an_admin_can_step_down_when_another_admin_remains(account, admin_client, admin_user):
    MembershipFactory(account=account, role=Membership.Role.ADMIN)
    response = admin_client.post(f"/people/{admin_user.membership.pk}/role/", {"role": "staff"})
    assert response.status_code == 302
    assert response.url == "/"
    assert admin_client.get("/people/").status_code == 403


def test_nobody_deactivates_themselves(account, admin_client, admin_user):
    MembershipFactory(account=account, role=Membership.Role.ADMIN)
    response = admin_client.post(f"/people/{admin_user.membership.pk}/deactivate/")
    assert response.status_code == 400
    assert "cannot deactivate yourself" in response.content.decode()


def test_deactivating_ends_the_session_and_reactivating_allows_login(
    admin_client, admin_user, staff_user
):
    staff = Client()
    staff.force_login(staff_user)
    assert staff.get("/").status_code == 200
    response = admin_client.post(f"/people/{staff_user.membership.pk}/deactivate/")
    assert response.status_code == 302
    assert staff.get("/").status_code == 302  # sent to the login page
    refused = Client().post(
        "/accounts/login/", {"username": staff_user.username, "password": PASSWORD}
    )
    assert refused.status_code == 200

    admin_client.post(f"/people/{staff_user.membership.pk}/reactivate/")
    again = Client()
    assert (
        again.post(
            "/accounts/login/", {"username": staff_user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    actions = list(
        PeopleEvent.objects.filter(actor=admin_user)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [PeopleEvent.Action.DEACTIVATED, PeopleEvent.Action.REACTIVATED]


def test_every_change_is_listed_on_the_people_page_with_who_made_it(admin_client, admin_user):
    invite(admin_client)
    member = membership_of("new.person@acme.example")
    admin_client.post(f"/people/{member.pk}/role/", {"role": "admin"})
    admin_client.post(f"/people/{member.pk}/deactivate/")
    html = admin_client.get("/people/").content.decode()
    log = html[html.index('id="people-log"') :]
    for label in ("Invited", "Role changed", "Deactivated"):
        assert label in log
    assert log.count(admin_user.email) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    """The account row is locked while the last-admin rule is checked."""
    import threading

    from django.db import connection

    account = AccountFactory()
    first = MembershipFactory(account=account, role=Membership.Role.ADMIN)
    second = MembershipFactory(account=account, role=Membership.Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(member, actor):
        try:
            barrier.wait()
            people_services.people_role_change(membership=member, actor=actor, role="staff")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second.user)),
        threading.Thread(target=demote, args=(second, first.user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert people_services.active_admin_count(account=account) == 1


# --- who may, and tenant isolation -------------------------------------------------------


def test_staff_cannot_see_or_change_people(staff_client, admin_user):
    assert staff_client.get("/people/").status_code == 403
    assert invite(staff_client).status_code == 403
    response = staff_client.post(f"/people/{admin_user.membership.pk}/role/", {"role": "staff"})
    assert response.status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_an_admin_never_sees_or_changes_another_accounts_people(admin_client, other_account):
    stranger = MembershipFactory(account=other_account, role=Membership.Role.STAFF)
    MembershipFactory(account=other_account, role=Membership.Role.ADMIN)
    assert stranger.user.email not in admin_client.get("/people/").content.decode()
    for url, data in [
        (f"/people/{stranger.pk}/", None),
        (f"/people/{stranger.pk}/role/", {"role": "admin"}),
        (f"/people/{stranger.pk}/deactivate/", {}),
        (f"/people/{stranger.pk}/reactivate/", {}),
        (f"/people/{stranger.pk}/resend/", {}),
    ]:
        response = admin_client.get(url) if data is None else admin_client.post(url, data)
        assert response.status_code == 404, url
    stranger.refresh_from_db()
    stranger.user.refresh_from_db()
    assert stranger.role == Membership.Role.STAFF and stranger.user.is_active
    assert not PeopleEvent.objects.exists()


def test_the_people_log_shows_only_the_accounts_own_events(admin_client, other_account):
    other_admin = MembershipFactory(account=other_account, role=Membership.Role.ADMIN).user
    staff = MembershipFactory(account=other_account).user
    people_services.people_role_change(membership=staff.membership, actor=other_admin, role="admin")
    assert staff.email not in admin_client.get("/people/").content.decode()


def test_writes_need_post_and_csrf(admin_user, staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get(f"/people/{staff_user.membership.pk}/deactivate/").status_code == 405
    assert client.post(f"/people/{staff_user.membership.pk}/deactivate/").status_code == 403
    staff_user.refresh_from_db()
    assert staff_user.is_active


def test_a_user_created_from_a_shell_shows_as_active(admin_client):
    user = UserFactory(username="shell@acme.example")
    MembershipFactory(user=user, account=Membership.objects.first().account)
    html = admin_client.get("/people/").content.decode()
    assert "shell@acme.example" in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_address_invited_twice_at_once_is_one_user_and_one_form_error():
    import threading

    from django.db import connection

    account = AccountFactory()
    admins = [MembershipFactory(account=account, role=Membership.Role.ADMIN).user for _ in "ab"]
    barrier = threading.Barrier(2)
    outcomes = []

    def invite_as(actor):
        try:
            barrier.wait()
            people_services.people_invite(
                account=account,
                actor=actor,
                email="twice@acme.example",
                role="staff",
                base_url="http://testserver/",
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["email"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=invite_as, args=(admin,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1 and len(outcomes) == 2
    assert get_user_model().objects.filter(username="twice@acme.example").count() == 1
