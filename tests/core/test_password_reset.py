"""Resetting a forgotten password by e-mail: Django's flow, the product's pages, throttled."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory
from visitor_mgmt.models import PeopleEvent
from visitor_mgmt.views import accounts

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"
LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


def ask(client, email):
    return client.post("/accounts/password-reset/", {"email": email})


def test_the_login_page_links_to_the_reset_page(client):
    assert 'href="/accounts/password-reset/"' in client.get("/accounts/login/").content.decode()


def test_a_user_resets_a_forgotten_password_and_logs_in(client, staff_user):
    page = client.get("/accounts/password-reset/")
    assert page.status_code == 200
    assert "base.html" in [t.name for t in page.templates]
    response = ask(client, staff_user.email.upper())
    assert response.status_code == 302
    assert response.url == "/accounts/password-reset/sent/"
    (message,) = mail.outbox
    assert message.to == [staff_user.email]
    link = LINK.search(message.body).group(1)

    form = client.get(link)
    assert form.status_code == 302  # the token moves into the session
    done = client.post(form.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == "/accounts/reset/done/"
    assert "Log in" in client.get(done.url).content.decode()

    fresh = Client()
    login = fresh.post(
        "/accounts/login/", {"username": staff_user.username, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    event = PeopleEvent.objects.get()
    assert (event.action, event.actor, event.subject) == (
        PeopleEvent.Action.PASSWORD_RESET,
        staff_user,
        staff_user,
    )
    # The link worked once.
    assert "does not work" in Client().get(link).content.decode()


def test_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = ask(client, "nobody@acme.example")
    assert response.status_code == 302
    assert response.url == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_resets_to_one_address_are_throttled_silently(client, staff_user):
    for _ in range(accounts.RESETS_PER_EMAIL_PER_HOUR + 2):
        response = ask(client, staff_user.email)
        assert response.status_code == 302
    assert len(mail.outbox) == accounts.RESETS_PER_EMAIL_PER_HOUR


def test_resets_from_one_network_are_throttled_with_a_message(client, monkeypatch):
    monkeypatch.setattr(accounts, "RESETS_PER_ADDRESS_PER_HOUR", 2)
    for n in range(2):
        assert ask(client, f"person{n}@acme.example").status_code == 302
    response = ask(client, "person9@acme.example")
    assert response.status_code == 429
    assert "Too many password resets" in response.content.decode()


def test_a_deactivated_user_gets_no_reset_link(client):
    user = UserFactory(username="gone@acme.example", is_active=False)
    ask(client, user.email)
    assert mail.outbox == []
