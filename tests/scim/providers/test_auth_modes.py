"""Basic authentication (Okta's custom SCIM apps, PingOne): the token is the password.

The user name is ignored; only the account's real token authenticates, exactly as with
Bearer, and every malformed or wrong Basic header gets the one 401 of every other failure.
"""

import base64

import pytest

from scim_hosts.models import ProvisioningEvent
from tests.factories import DirectoryHostFactory
from tests.scim.support import CORE_USER, INITECH_TOKEN, UMBRELLA_TOKEN, assert_unauthorized


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def get_users(client, authorization):
    resp = client.get("/scim/v2/Users?startIndex=1&count=2", HTTP_AUTHORIZATION=authorization)
    return resp


@pytest.mark.parametrize("user", ["okta", "scim", "", "admin@initech.example"])
def test_basic_with_the_token_as_password_authenticates_that_account(
    client, initech, initech_token, umbrella, umbrella_token, user
):
    DirectoryHostFactory(account=initech, username="peter@initech.example")
    DirectoryHostFactory(account=umbrella, username="alice@umbrella.example")
    resp = get_users(client, basic(user, INITECH_TOKEN))
    assert resp.status_code == 200, resp.content
    names = [r["userName"] for r in resp.json()["Resources"]]
    assert names == ["peter@initech.example"]
    resp = get_users(client, basic(user, UMBRELLA_TOKEN))
    assert [r["userName"] for r in resp.json()["Resources"]] == ["alice@umbrella.example"]


def test_basic_scheme_name_is_case_insensitive(client, initech_token):
    assert get_users(client, basic("x", INITECH_TOKEN).replace("Basic", "BASIC")).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Basic " + base64.b64encode(INITECH_TOKEN.encode()).decode(),  # no colon: no password
        "Basic " + base64.b64encode(f"{INITECH_TOKEN}:".encode()).decode(),  # token as the name
        basic("okta", INITECH_TOKEN[:-1]),
        basic("okta", INITECH_TOKEN + "x"),
        basic("okta", " " + INITECH_TOKEN),
        basic("okta", "vmscim_unknown-token-000000000000000000000000000000000000"),
        "Basic " + INITECH_TOKEN,  # not base64 of name:password
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"\xff\xfe:" + INITECH_TOKEN.encode()).decode(),  # not UTF-8
        "Basic " + base64.b64encode(f"okta:{'x' * 600}".encode()).decode(),  # too long
        "Basic",
        "Basic " + base64.b64encode(f"okta:{INITECH_TOKEN}".encode()).decode() + " extra",
    ],
    ids=[
        "no-colon",
        "token-as-name",
        "token-short",
        "token-long",
        "token-leading-space",
        "unknown-token",
        "not-base64-pair",
        "not-base64",
        "not-utf8",
        "too-long",
        "scheme-only",
        "trailing-extra",
    ],
)
def test_malformed_or_wrong_basic_gets_the_one_401(client, initech_token, header):
    assert_unauthorized(client.get("/scim/v2/Users", HTTP_AUTHORIZATION=header))


def test_basic_refusal_of_a_disabled_account_is_logged_like_bearer(client, initech, initech_token):
    initech_token.enabled = False
    initech_token.save()
    assert get_users(client, basic("okta", INITECH_TOKEN)).status_code == 401
    event = ProvisioningEvent.objects.get(account=initech)
    assert event.action == "refused-disabled"


def test_basic_writes_like_bearer(client, initech, initech_token):
    resp = client.post(
        "/scim/v2/Users",
        data={"schemas": [CORE_USER], "userName": "b@x.org"},
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=basic("okta", INITECH_TOKEN),
    )
    assert resp.status_code == 201, resp.content
    assert initech.hosts.get().username == "b@x.org"
