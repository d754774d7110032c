"""Require single sign-on, break-glass admins, Test sign-in, and ending sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from sso.models import SsoEvent, UserSession
from sso.services import connection_set_policy
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory
from tests.sso.helpers import local_path, provider_url, sign_in
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.django_db


def member(account, email, role=Membership.Role.STAFF):
    return MembershipFactory(account=account, role=role, user__username=email).user


@pytest.fixture
def people(account, idp):
    people = {
        "ada": member(account, "ada@acme.example", Membership.Role.ADMIN),
        "max": member(account, "max@acme.example", Membership.Role.ADMIN),
        "sam": member(account, "sam@acme.example"),
    }
    for name, user in people.items():
        idp.set_user(f"{name}-sub", email=user.username, email_verified=True)
    return people


def password_login(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.username, "password": password})


def require_sso(account, people, break_glass):
    from sso.models import SsoConnection

    SsoConnection.objects.filter(account=account).update(tested_at=timezone.now())
    return connection_set_policy(
        account=account,
        actor=people["ada"],
        create_staff_on_first_sign_in=False,
        require_sso=True,
        break_glass_admins=break_glass,
    )


def test_password_sign_in_is_refused_except_for_break_glass_admins(
    client, account, acme_sso, idp, people
):
    require_sso(account, people, [people["max"]])

    response = password_login(client, people["sam"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "This account requires single sign-on." in page
    assert "Sign in with single sign-on" in page
    assert "_auth_user_id" not in client.session
    event = SsoEvent.objects.get(action=SsoEvent.Action.PASSWORD_REFUSED)
    assert event.user == people["sam"]

    # An admin who is not named break-glass is refused too.
    password_login(client, people["ada"])
    assert "_auth_user_id" not in client.session

    # The break-glass admin still signs in with the password (e.g. the provider is down).
    response = password_login(client, people["max"])
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(people["max"].pk)
    client.logout()

    # Everybody signs in through the provider.
    response = sign_in(client, idp, "sam@acme.example", sub="sam-sub")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(people["sam"].pk)


def test_a_wrong_password_says_nothing_about_single_sign_on(client, account, acme_sso, people):
    require_sso(account, people, [people["max"]])
    page = password_login(client, people["sam"], "wrong-password").content.decode()
    assert "requires single sign-on" not in page
    assert "didn&#x27;t match" in page or "didn't match" in page


def test_disabling_single_sign_on_lets_passwords_in_again(client, account, acme_sso, people):
    from sso.services import connection_set_enabled

    require_sso(account, people, [people["max"]])
    connection_set_enabled(account=account, actor=people["max"], enabled=False)
    assert password_login(client, people["sam"]).status_code == 302


def test_other_accounts_are_not_affected(client, account, other_account, acme_sso, people):
    require_sso(account, people, [people["max"]])
    globex_user = member(other_account, "gil@globex.example")
    assert password_login(client, globex_user).status_code == 302


def test_requiring_needs_a_test_and_a_break_glass_admin(admin_client, account, acme_sso):
    response = admin_client.post("/preferences/sso/policy/", {"require_sso": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Run “Test sign-in” successfully" in page
    assert "Name at least one break-glass admin" in page
    acme_sso.refresh_from_db()
    assert not acme_sso.require_sso


def test_break_glass_admins_are_admins_of_this_account(
    admin_client, account, other_account, acme_sso
):
    stranger = member(other_account, "x@globex.example", Membership.Role.ADMIN)
    staff = member(account, "s@acme.example")
    for user in (stranger, staff):
        response = admin_client.post("/preferences/sso/policy/", {"break_glass_admins": [user.pk]})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert acme_sso.break_glass_admins.count() == 0


def test_test_sign_in_runs_the_flow_without_signing_anybody_in_or_out(
    client, account, acme_sso, idp, people
):
    admin = people["ada"]
    client.force_login(admin)
    response = client.post("/preferences/sso/test/")
    # The admin signs in at the provider as somebody else of the account (e.g. a test user).
    back = idp.authorize(provider_url(response), "sam-sub")
    response = client.get(local_path(back))
    assert response.status_code == 302
    assert response["Location"] == "/preferences/#sso"
    # Still the admin: the test signs nobody in.
    assert client.session["_auth_user_id"] == str(admin.pk)
    acme_sso.refresh_from_db()
    assert acme_sso.tested_at is not None and acme_sso.tested_by == admin
    page = client.get("/preferences/").content.decode()
    assert "Test sign-in passed: the provider signed in sam@acme.example" in page
    event = SsoEvent.objects.get(action=SsoEvent.Action.TEST_PASSED)
    assert event.user == admin

    # Now requiring single sign-on is allowed.
    response = client.post(
        "/preferences/sso/policy/",
        {"require_sso": "on", "break_glass_admins": [admin.pk]},
    )
    assert response.status_code == 302
    acme_sso.refresh_from_db()
    assert acme_sso.require_sso


def test_a_failing_test_sign_in_says_why_and_changes_nothing(
    client, account, acme_sso, idp, people
):
    client.force_login(people["ada"])
    idp.set_user("outsider", email="who@elsewhere.example", email_verified=True)
    response = client.post("/preferences/sso/test/")
    response = client.get(local_path(idp.authorize(provider_url(response), "outsider")))
    assert response["Location"] == "/preferences/#sso"
    assert client.session["_auth_user_id"] == str(people["ada"].pk)
    page = client.get("/preferences/").content.decode()
    assert "Test sign-in failed: elsewhere.example is not one of this account" in page
    acme_sso.refresh_from_db()
    assert acme_sso.tested_at is None

    idp.tamper = "wrong-audience"
    response = client.post("/preferences/sso/test/")
    client.get(local_path(idp.authorize(provider_url(response), "ada-sub")))
    page = client.get("/preferences/").content.decode()
    assert "Test sign-in failed: The ID token was issued for another application" in page
    assert SsoEvent.objects.filter(action=SsoEvent.Action.TEST_FAILED).count() == 2


def test_changing_the_provider_asks_for_a_new_test(account, acme_sso, idp, people):
    from sso.services import connection_configure

    require_sso(account, people, [people["max"]])
    acme_sso.refresh_from_db()
    assert acme_sso.tested_at is not None
    connection_configure(
        account=account, actor=people["ada"], issuer=idp.url, client_id="a-new-client"
    )
    acme_sso.refresh_from_db()
    assert acme_sso.tested_at is None


def test_deactivating_a_user_ends_their_sessions(client, account, acme_sso, idp, people):
    sam = people["sam"]
    sign_in(client, idp, "sam@acme.example", sub="sam-sub")
    key = client.session.session_key
    assert UserSession.objects.get(session_key=key).via_sso
    # A second session of the same person, with a password.
    from django.test import Client

    laptop = Client()
    assert password_login(laptop, sam).status_code == 302
    assert client.get("/hosts/").status_code == 200

    with django_capture_on_commit():
        sam.is_active = False
        sam.save()

    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=sam).exists()
    assert client.get("/hosts/")["Location"].startswith("/accounts/login/")
    assert laptop.get("/hosts/")["Location"].startswith("/accounts/login/")
    event = SsoEvent.objects.get(action=SsoEvent.Action.SESSIONS_ENDED)
    assert event.reason == "2 sessions ended: user deactivated"


def test_signing_out_forgets_the_session(client, account, acme_sso, idp, people):
    sign_in(client, idp, "sam@acme.example", sub="sam-sub")
    assert UserSession.objects.filter(user=people["sam"]).count() == 1
    client.post("/accounts/logout/")
    assert UserSession.objects.filter(user=people["sam"]).count() == 0


def django_capture_on_commit():
    """Run on_commit callbacks at the end of the block (tests run inside a transaction)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_requiring_single_sign_on_ends_password_sessions_but_not_break_glass_or_sso_ones(
    account, acme_sso, idp, people
):
    from django.test import Client

    sam_password, max_password, sam_sso = Client(), Client(), Client()
    assert password_login(sam_password, people["sam"]).status_code == 302
    assert password_login(max_password, people["max"]).status_code == 302
    sign_in(sam_sso, idp, "sam@acme.example", sub="sam-sub")

    with django_capture_on_commit():
        require_sso(account, people, [people["max"]])

    assert sam_password.get("/hosts/")["Location"].startswith("/accounts/login/")
    assert max_password.get("/hosts/").status_code == 200
    assert sam_sso.get("/hosts/").status_code == 200
    event = SsoEvent.objects.get(action=SsoEvent.Action.SESSIONS_ENDED)
    assert event.reason == "1 password session ended: single sign-on is now required"
