"""Two accounts with their own providers never cross; configuration in Preferences and from
the shell; the client secret never leaves the server."""

import io
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sso.models import SsoConnection, SsoDomain, SsoEvent
from sso.secret_box import decrypt_secret
from tests.factories import MembershipFactory
from tests.sso.conftest import CLIENT_SECRET
from tests.sso.helpers import local_path, provider_url, sign_in, start
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.django_db


def member(account, email, role=Membership.Role.STAFF):
    return MembershipFactory(account=account, role=role, user__username=email).user


def test_each_email_goes_to_its_own_accounts_provider(
    client, account, other_account, acme_sso, globex_sso, idp, other_idp
):
    ada = member(account, "ada@acme.example")
    gil = member(other_account, "gil@globex.example")
    assert provider_url(start(client, "ada@acme.example")).startswith(idp.url + "/")
    assert provider_url(start(client, "gil@globex.example")).startswith(other_idp.url + "/")

    idp.set_user("ada", email="ada@acme.example", email_verified=True)
    other_idp.set_user("gil", email="gil@globex.example", email_verified=True)
    assert sign_in(client, idp, "ada@acme.example", sub="ada").status_code == 302
    assert client.session["_auth_user_id"] == str(ada.pk)
    client.logout()
    assert sign_in(client, other_idp, "gil@globex.example", sub="gil").status_code == 302
    assert client.session["_auth_user_id"] == str(gil.pk)


def test_one_accounts_provider_cannot_sign_anybody_into_another(
    client, account, other_account, acme_sso, globex_sso, idp, other_idp
):
    member(account, "ada@acme.example", Membership.Role.ADMIN)
    # Globex's provider (its admins control it) vouches for an Acme address.
    other_idp.set_user("fake-ada", email="ada@acme.example", email_verified=True)
    response = sign_in(client, other_idp, "gil@globex.example", sub="fake-ada")
    assert response.status_code == 403
    assert "acme.example is not one of this account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The refusal is in Globex's log, nothing in Acme's.
    assert SsoEvent.objects.filter(account=other_account, action="refused").count() == 1
    assert not SsoEvent.objects.filter(account=account, action="refused").exists()

    # Even with create-staff on at Globex, nobody is created for an Acme address.
    globex_sso.create_staff_on_first_sign_in = True
    globex_sso.save()
    other_idp.set_user("fake-new", email="new@acme.example", email_verified=True)
    assert sign_in(client, other_idp, "gil@globex.example", sub="fake-new").status_code == 403


def test_a_user_of_another_account_in_a_listed_domain_is_refused(
    client, account, other_account, acme_sso, idp
):
    # A Globex user whose address happens to be in Acme's domain.
    member(other_account, "odd@acme.example")
    idp.set_user("odd", email="odd@acme.example", email_verified=True)
    response = sign_in(client, idp, "odd@acme.example", sub="odd")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_domain_belongs_to_one_account(account, other_account, acme_sso, other_idp):
    from django.core.exceptions import ValidationError

    from sso.services import connection_configure

    with pytest.raises(ValidationError) as error:
        connection_configure(
            account=other_account,
            issuer=other_idp.url,
            client_id="globex",
            client_secret="x",
            domains=["ACME.example"],
        )
    assert "already used for single sign-on by another account" in str(error.value)
    assert not SsoConnection.objects.filter(account=other_account).exists()


def test_the_section_is_for_admins_only(admin_client, staff_user, acme_sso):
    from django.test import Client

    staff_client = Client()
    staff_client.force_login(staff_user)
    page = admin_client.get("/preferences/").content.decode()
    assert 'id="sso-title">Single sign-on</h2>' in page
    assert "http://127.0.0.1:8000/sso/callback/" in page
    assert "App registrations" in page and "Certificates &amp; secrets" in page
    assert "Okta" in page
    for path in ("/preferences/sso/provider/", "/preferences/sso/policy/", "/preferences/sso/log/"):
        assert staff_client.get(path).status_code == 403
    assert staff_client.post("/preferences/sso/test/").status_code == 403


def test_an_admin_connects_a_provider(admin_client, admin_user, account, idp):
    response = admin_client.post(
        "/preferences/sso/provider/",
        {
            "issuer": idp.url + "/",
            "client_id": "acme-app",
            "client_secret": CLIENT_SECRET,
            "domains": "Acme.example\n@acme-group.example, acme.example",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    connection = SsoConnection.objects.get(account=account)
    assert connection.issuer == idp.url
    assert connection.provider_metadata["token_endpoint"] == idp.url + "/oauth2/token"
    assert CLIENT_SECRET not in connection.client_secret_encrypted
    assert decrypt_secret(connection.client_secret_encrypted) == CLIENT_SECRET
    assert sorted(SsoDomain.objects.values_list("domain", flat=True)) == [
        "acme-group.example",
        "acme.example",
    ]
    event = SsoEvent.objects.get(account=account, action="configured")
    assert event.user == admin_user
    assert CLIENT_SECRET not in event.reason

    # Saved again without a secret: the stored one is kept.
    response = admin_client.post(
        "/preferences/sso/provider/",
        {"issuer": idp.url, "client_id": "acme-app", "domains": "acme.example", "enabled": "on"},
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert decrypt_secret(connection.client_secret_encrypted) == CLIENT_SECRET


@pytest.mark.parametrize(
    ("issuer", "message"),
    [
        ("http://sso.example.com", "must start with https://"),
        ("http://127.0.0.1:9/", "could not be reached"),
        ("{idp}/oauth2", "answered HTTP 404"),
    ],
)
def test_a_provider_that_cannot_be_used_is_not_saved(admin_client, account, idp, issuer, message):
    issuer = issuer.format(idp=idp.url)
    response = admin_client.post(
        "/preferences/sso/provider/",
        {"issuer": issuer, "client_id": "x", "client_secret": "y", "domains": "acme.example"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SsoConnection.objects.exists()


def test_bad_domains_are_form_errors(admin_client, idp):
    response = admin_client.post(
        "/preferences/sso/provider/",
        {"issuer": idp.url, "client_id": "x", "client_secret": "y", "domains": "not a domain!"},
    )
    assert response.status_code == 200
    assert "is not an e-mail domain" in response.content.decode()
    assert not SsoConnection.objects.exists()


def test_configure_sso_command(account, idp):
    out = io.StringIO()
    call_command(
        "configure_sso",
        "acme",
        "--issuer",
        idp.url,
        "--client-id",
        "acme-cli",
        "--client-secret",
        CLIENT_SECRET,
        "--domain",
        "acme.example",
        stdout=out,
    )
    text = out.getvalue()
    assert "Redirect URI: http://127.0.0.1:8000/sso/callback/" in text
    assert "Status:       enabled" in text
    assert CLIENT_SECRET not in text
    connection = SsoConnection.objects.get(account=account)
    assert decrypt_secret(connection.client_secret_encrypted) == CLIENT_SECRET
    assert SsoEvent.objects.get(action="configured").email == "an operator (manage.py)"

    out = io.StringIO()
    call_command("configure_sso", "acme", "--disable", stdout=out)
    assert "Status:       disabled" in out.getvalue()
    connection.refresh_from_db()
    assert not connection.enabled

    with pytest.raises(CommandError, match='No account with slug "nope"'):
        call_command("configure_sso", "nope", "--disable")
    with pytest.raises(CommandError, match="issuer: The issuer URL must start with https"):
        call_command("configure_sso", "acme", "--issuer", "http://x.example", "--client-id", "a")


def test_the_client_secret_never_appears_in_a_response_or_a_log(
    client, admin_client, admin_user, account, idp, caplog
):
    """Connect, look at every page, test, sign in: the secret is sent to the provider's
    token endpoint (checked there) and nowhere else."""
    caplog.set_level(logging.DEBUG)
    for name in ("authlib", "sso", "django", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)
    bodies = []

    def keep(response):
        bodies.append(response.content.decode(errors="replace") + str(response.headers))
        return response

    keep(
        admin_client.post(
            "/preferences/sso/provider/",
            {
                "issuer": idp.url,
                "client_id": "acme-app",
                "client_secret": CLIENT_SECRET,
                "domains": "acme.example",
                "enabled": "on",
            },
        )
    )
    for path in ("/preferences/", "/preferences/sso/provider/", "/preferences/sso/policy/"):
        keep(admin_client.get(path))
    keep(
        admin_client.post(
            "/preferences/sso/provider/",
            {"issuer": "https://bad", "client_id": "a", "client_secret": CLIENT_SECRET},
        )
    )
    idp.set_user("admin", email=admin_user.username, email_verified=True)
    response = keep(admin_client.post("/preferences/sso/test/"))
    keep(admin_client.get(local_path(idp.authorize(provider_url(response), "admin"))))
    keep(admin_client.get("/preferences/sso/log/"))

    member(account, "ada@acme.example")
    idp.set_user("ada", email="ada@acme.example", email_verified=True)
    response = keep(start(client, "ada@acme.example"))
    keep(client.get(local_path(idp.authorize(provider_url(response), "ada"))))
    assert client.session["_auth_user_id"]
    idp.tamper = "changed-claim"
    client.logout()
    keep(sign_in(client, idp, "ada@acme.example", sub="ada"))

    out = io.StringIO()
    call_command(
        "configure_sso",
        "acme",
        "--issuer",
        idp.url,
        "--client-id",
        "acme-app",
        "--client-secret",
        CLIENT_SECRET,
        stdout=out,
        stderr=out,
    )
    bodies.append(out.getvalue())

    # The provider did receive it (HTTP Basic), so it round-tripped through the database.
    assert any(CLIENT_SECRET in auth for auth in idp.seen["client_auth"])
    assert caplog.records, "logging was captured"
    assert CLIENT_SECRET not in caplog.text
    for body in bodies:
        assert CLIENT_SECRET not in body
    assert all(CLIENT_SECRET not in e.reason for e in SsoEvent.objects.all())


def test_a_discovery_document_naming_another_issuer_is_refused(admin_client, idp):
    """OpenID Connect Discovery §4.3: a provider must call itself what it was asked as."""
    import json
    import threading

    import werkzeug.serving

    from tests.sso.provider import _http

    document = _http.get(idp.url + "/.well-known/openid-configuration", timeout=5).json()
    document["issuer"] = "https://login.other.example"

    def impostor(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(document).encode()]

    server = werkzeug.serving.make_server("127.0.0.1", 0, impostor)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        response = admin_client.post(
            "/preferences/sso/provider/",
            {
                "issuer": f"http://127.0.0.1:{server.server_port}",
                "client_id": "x",
                "client_secret": "y",
                "domains": "acme.example",
            },
        )
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 200
    assert "The provider calls itself https://login.other.example" in response.content.decode()
    assert not SsoConnection.objects.exists()
