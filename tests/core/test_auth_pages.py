"""Logging in and out, the start page, the gear menu, Preferences, error pages."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_start_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_start_page_is_the_home_page(admin_client):
    response = admin_client.get("/")
    assert response.status_code == 200
    assert "home/index.html" in [t.name for t in response.templates]


def test_logging_in_lands_on_the_home_page(client):
    UserFactory(username="admin@acme.example")
    response = client.post(
        "/accounts/login/", {"username": "admin@acme.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_slash_login_redirects_to_the_login_page_keeping_next(client, settings):
    settings.DEBUG = True  # the bug: a debug 404 listing every URL pattern
    response = client.get("/login/?next=/people/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/people/"
    assert client.get("/login/", follow=True).status_code == 200


def test_get_logout_shows_a_log_out_button_and_keeps_the_session(admin_client, admin_user):
    response = admin_client.get("/accounts/logout/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" action="/accounts/logout/">' in html
    assert "csrfmiddlewaretoken" in html
    assert ">Log out</button>" in html
    assert admin_client.session["_auth_user_id"] == str(admin_user.pk)


def test_get_logout_when_logged_out_offers_the_login_page(client):
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert 'href="/accounts/login/"' in response.content.decode()


def test_superuser_without_an_account_starts_in_the_django_admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_login_page_renders_with_labelled_fields(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


def test_login_with_csrf_and_logout_by_post():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory(username="admin@acme.example")
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": "admin@acme.example", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    # Logging out is a POST (with CSRF); a GET shows a button and logs nobody out.
    assert client.get("/accounts/logout/").status_code == 200
    assert "_auth_user_id" in client.session
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_wrong_password_shows_an_error(client):
    UserFactory(username="admin@acme.example")
    response = client.post(
        "/accounts/login/", {"username": "admin@acme.example", "password": "nope"}
    )
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_gear_menu_shows_preferences_to_admins(admin_client):
    html = admin_client.get("/hosts/").content.decode()
    assert 'aria-label="Settings"' in html
    assert 'href="/preferences/"' in html


def test_gear_menu_hides_preferences_from_staff(staff_client):
    html = staff_client.get("/hosts/").content.decode()
    assert 'aria-label="Settings"' in html
    assert 'href="/preferences/"' not in html
    assert "Log out" in html


def test_preferences_page_for_admins(admin_client, account):
    response = admin_client.get("/preferences/")
    assert response.status_code == 200
    assert account.slug in response.content.decode()


def test_preferences_page_is_forbidden_to_staff(staff_client):
    response = staff_client.get("/preferences/")
    assert response.status_code == 403
    assert "Only account admins can do this." in response.content.decode()


def test_preferences_page_needs_login(client):
    response = client.get("/preferences/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_user_without_account_gets_a_clear_403(client):
    client.force_login(UserFactory())
    response = client.get("/hosts/")
    assert response.status_code == 403
    assert "not linked to an account" in response.content.decode()


def test_friendly_404_page(admin_client):
    response = admin_client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'aria-label="Settings"' in html  # the normal layout, with the user's menu


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_friendly_500_page_needs_no_database_or_context(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_a_form_without_csrf_token_gets_a_friendly_403(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/hosts/new/", {"first_name": "No", "last_name": "Token"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
