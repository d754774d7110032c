"""What the product refuses from the provider's way back: every case over HTTP, the
provider real, its answer altered in transit where the case needs it."""

import pytest
from django.test import Client

from sso.models import SsoEvent
from tests.factories import MembershipFactory
from tests.sso.helpers import local_path, provider_url, sign_in, start
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(account, idp):
    user = MembershipFactory(
        account=account, role=Membership.Role.ADMIN, user__username="ada@acme.example"
    ).user
    idp.set_user("ada-sub", email="ada@acme.example", email_verified=True)
    return user


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("changed-claim", "The ID token's signature is not valid."),
        ("foreign-key", "The ID token's signature is not valid."),
        ("expired", "The ID token has expired."),
        ("wrong-issuer", "The ID token was issued by another provider (issuer)."),
        ("wrong-audience", "The ID token was issued for another application (audience)."),
        ("no-nonce", "The ID token lacks the “nonce” claim."),
        ("wrong-nonce", "The ID token does not answer this sign-in (nonce)."),
        ("no-id-token", "The provider sent no ID token."),
    ],
)
def test_a_bad_id_token_is_refused(client, account, acme_sso, idp, ada, tamper, reason):
    idp.tamper = tamper
    response = sign_in(client, idp, "ada@acme.example", sub="ada-sub")
    assert response.status_code == 403
    assert reason.replace("'", "&#x27;") in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = SsoEvent.objects.get(account=account, action=SsoEvent.Action.REFUSED)
    assert event.reason == reason


def test_the_same_provider_answer_passes_untouched(client, acme_sso, idp, ada):
    # The control for the cases above: without tampering the same steps sign Ada in.
    response = sign_in(client, idp, "ada@acme.example", sub="ada-sub")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ada.pk)


def test_a_replayed_state_is_refused(client, account, acme_sso, idp, ada):
    response = start(client, "ada@acme.example")
    back = local_path(idp.authorize(provider_url(response), "ada-sub"))
    assert client.get(back).status_code == 302
    client.logout()

    # The same way back again, in the same browser: its state was used up.
    response = client.get(back)
    assert response.status_code == 403
    assert "state was not recognised" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_answer_is_refused_in_a_browser_that_did_not_start_the_sign_in(
    client, acme_sso, idp, ada
):
    response = start(client, "ada@acme.example")
    back = local_path(idp.authorize(provider_url(response), "ada-sub"))

    # An attacker's browser (another session) given the victim's way back.
    other = Client()
    response = other.get(back)
    assert response.status_code == 403
    assert "_auth_user_id" not in other.session
    # The browser that started it still can: the attempt did not consume its state.
    assert client.get(back).status_code == 302


def test_a_forged_state_and_a_code_without_state_are_refused(client, acme_sso, idp, ada):
    start(client, "ada@acme.example")
    for path in (
        "/sso/callback/?code=abc&state=forged",
        "/sso/callback/?code=abc",
        "/sso/callback/",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert "_auth_user_id" not in client.session


def test_a_code_used_twice_is_refused_by_the_provider(client, acme_sso, idp, ada):
    """A second sign-in in the same browser cannot reuse the first one's code."""
    response = start(client, "ada@acme.example")
    first = local_path(idp.authorize(provider_url(response), "ada-sub"))
    client.get(first)
    client.logout()
    response = start(client, "ada@acme.example")
    second = local_path(idp.authorize(provider_url(response), "ada-sub"))
    # The second state with the first (already redeemed) code.
    code_of_first = dict(p.split("=", 1) for p in first.split("?", 1)[1].split("&"))["code"]
    state_of_second = dict(p.split("=", 1) for p in second.split("?", 1)[1].split("&"))["state"]
    response = client.get(f"/sso/callback/?code={code_of_first}&state={state_of_second}")
    assert response.status_code == 403
    assert "The provider refused" in response.content.decode()
    assert "_auth_user_id" not in client.session
