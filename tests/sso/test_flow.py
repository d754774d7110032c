"""Sign in with single sign-on, over HTTP against a real OpenID Connect provider."""

import pytest
from django.contrib.auth import get_user_model

from sso.models import SsoEvent
from tests.factories import MembershipFactory
from tests.sso.helpers import local_path, provider_url, query, sign_in, start
from tests.sso.provider import pkce_matches
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.django_db

User = get_user_model()


def member(account, email, role=Membership.Role.STAFF, **user):
    return MembershipFactory(
        account=account,
        role=role,
        user__username=email,
        **{f"user__{k}": v for k, v in user.items()},
    ).user


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_admin_signs_in_through_the_provider(client, account, acme_sso, idp):
    admin = member(account, "ada@acme.example", Membership.Role.ADMIN)
    idp.set_user("ada-sub", email="ada@acme.example", email_verified=True)

    response = start(client, "ada@acme.example")
    authorization_url = provider_url(response)
    assert authorization_url.startswith(idp.url + "/oauth2/authorize?")
    params = query(authorization_url)
    assert params["client_id"] == "acme-visitor-mgmt"
    assert params["response_type"] == "code"
    assert set(params["scope"].split()) >= {"openid", "email"}
    assert params["redirect_uri"].endswith("/sso/callback/")
    assert params["login_hint"] == "ada@acme.example"
    assert params["state"] and params["nonce"]
    assert params["code_challenge_method"] == "S256"

    back = idp.authorize(authorization_url, "ada-sub")
    assert query(back)["state"] == params["state"]
    response = client.get(local_path(back))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user(client) == str(admin.pk)
    assert client.get("/hosts/").status_code == 200

    # PKCE on the wire: the token request proved it holds the verifier of the challenge.
    [(challenge, method)] = idp.seen["code_challenges"]
    [verifier] = idp.seen["code_verifiers"]
    assert method == "S256" and pkce_matches(verifier, challenge)
    assert idp.seen["nonces"] == [params["nonce"]]

    event = SsoEvent.objects.get(account=account, action=SsoEvent.Action.SIGN_IN)
    assert event.user == admin and event.email == "ada@acme.example"


def test_entra_preferred_username_signs_in(client, account, acme_sso, idp):
    user = member(account, "Bob.Smith@acme.example")
    # Entra ID sends the sign-in name; its e-mail claim is optional and unverified.
    idp.set_user("entra-oid-1", preferred_username="bob.smith@ACME.example")
    response = sign_in(client, idp, "bob.smith@acme.example", sub="entra-oid-1")
    assert response.status_code == 302
    assert signed_in_user(client) == str(user.pk)


def test_an_unverified_email_is_not_enough(client, account, acme_sso, idp):
    member(account, "eve@acme.example")
    idp.set_user("eve-sub", email="eve@acme.example", email_verified=False)
    response = sign_in(client, idp, "eve@acme.example", sub="eve-sub")
    assert response.status_code == 403
    assert "did not send a verified e-mail" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_stranger_is_refused_and_nothing_is_created(client, account, acme_sso, idp):
    users_before = User.objects.count()
    idp.set_user("stranger", email="stranger@acme.example", email_verified=True)
    response = sign_in(client, idp, "stranger@acme.example", sub="stranger")
    assert response.status_code == 403
    page = response.content.decode()
    assert "stranger@acme.example is not a user of this account" in page
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before
    event = SsoEvent.objects.get(account=account, action=SsoEvent.Action.REFUSED)
    assert event.email == "stranger@acme.example"
    assert "not a user of this account" in event.reason


def test_a_deactivated_user_is_refused(client, account, acme_sso, idp):
    member(account, "gone@acme.example", is_active=False)
    idp.set_user("gone", email="gone@acme.example", email_verified=True)
    response = sign_in(client, idp, "gone@acme.example", sub="gone")
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()
    assert signed_in_user(client) is None


def test_an_email_outside_the_accounts_domains_is_refused(client, account, acme_sso, idp):
    member(account, "ada@elsewhere.example")
    # The provider vouches for an address of a domain this account never listed.
    idp.set_user("ada-sub", email="ada@elsewhere.example", email_verified=True)
    response = sign_in(client, idp, "ada@acme.example", sub="ada-sub")
    assert response.status_code == 403
    assert "elsewhere.example is not one of this account" in response.content.decode()
    assert signed_in_user(client) is None


def test_an_email_in_no_configured_domain_gets_a_clear_message(client, acme_sso):
    response = start(client, "someone@unknown.example")
    assert response.status_code == 200
    assert "No organisation uses single sign-on for this e-mail" in response.content.decode()
    assert start(client, "not-an-email").status_code == 200


def test_a_disabled_provider_is_not_used(client, account, acme_sso):
    from sso.services import connection_set_enabled

    connection_set_enabled(account=account, enabled=False)
    response = start(client, "ada@acme.example")
    assert response.status_code == 200
    assert "switched off" in response.content.decode()


def test_the_provider_denying_is_a_clear_refusal(client, account, acme_sso, idp):
    from tests.sso.provider import _http

    response = start(client, "ada@acme.example")
    denied = _http.post(
        provider_url(response), data={"action": "deny"}, allow_redirects=False, timeout=5
    )
    response = client.get(local_path(denied.headers["Location"]))
    assert response.status_code == 403
    assert "access_denied" in response.content.decode()
    assert signed_in_user(client) is None


def test_create_staff_users_on_first_sign_in(client, account, acme_sso, idp):
    from sso.services import connection_set_policy

    connection_set_policy(
        account=account,
        actor=None,
        create_staff_on_first_sign_in=True,
        require_sso=False,
        break_glass_admins=[],
    )
    idp.set_user("new-sub", email="New.Person@acme.example", email_verified=True)
    response = sign_in(client, idp, "new.person@acme.example", sub="new-sub")
    assert response.status_code == 302
    user = User.objects.get(username="New.Person@acme.example")
    assert signed_in_user(client) == str(user.pk)
    assert user.membership.account == account
    assert user.membership.role == Membership.Role.STAFF
    assert not user.has_usable_password()
    assert SsoEvent.objects.filter(action=SsoEvent.Action.USER_CREATED, user=user).count() == 1

    # The next sign-in finds the same user.
    client.logout()
    sign_in(client, idp, "new.person@acme.example", sub="new-sub")
    assert signed_in_user(client) == str(user.pk)
    assert User.objects.filter(username__iexact="new.person@acme.example").count() == 1


def test_next_page_is_kept_and_an_outside_one_ignored(client, account, acme_sso, idp):
    member(account, "ada@acme.example")
    idp.set_user("ada-sub", email="ada@acme.example", email_verified=True)
    response = start(client, "ada@acme.example", next="/groups/")
    response = client.get(local_path(idp.authorize(provider_url(response), "ada-sub")))
    assert response["Location"] == "/groups/"

    client.logout()
    response = start(client, "ada@acme.example", next="https://evil.example/")
    response = client.get(local_path(idp.authorize(provider_url(response), "ada-sub")))
    assert response["Location"] == "/"


def test_login_page_offers_single_sign_on(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/sso/start/"' in page
    assert "Sign in with single sign-on" in page
    page = client.get("/sso/start/").content.decode()
    assert "Work e-mail" in page
