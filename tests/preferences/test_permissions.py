"""Only account admins reach the SCIM preferences; state changes are POST with CSRF."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from scim_hosts.models import ProvisioningEvent, ScimToken
from tests.factories import ProvisioningEventFactory, ScimTokenFactory
from tests.preferences.helpers import (
    ENABLED_URL,
    GENERATE_URL,
    LOG_URL,
    MAPPINGS_URL,
    PREFERENCES_URL,
    ROTATE_URL,
)

pytestmark = pytest.mark.django_db

# (method, path, POST data) of every page and action of the section.
ENDPOINTS = [
    ("get", PREFERENCES_URL, None),
    ("get", LOG_URL, None),
    ("get", MAPPINGS_URL, None),
    ("get", ROTATE_URL, None),
    ("post", ROTATE_URL, {}),
    ("post", GENERATE_URL, {}),
    ("post", ENABLED_URL, {"enabled": "false"}),
]


def call(client, method, path, data):
    return client.post(path, data) if method == "post" else client.get(path)


def test_url_names_match_the_paths_admins_use():
    assert reverse("scim_prefs:token-generate") == GENERATE_URL
    assert reverse("scim_prefs:token-rotate") == ROTATE_URL
    assert reverse("scim_prefs:set-enabled") == ENABLED_URL
    assert reverse("scim_prefs:log") == LOG_URL
    assert reverse("scim_prefs:mappings") == MAPPINGS_URL


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_anonymous_is_sent_to_login(client, method, path, data):
    response = call(client, method, path, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert not ScimToken.objects.exists()


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_staff_get_403_everywhere_and_change_nothing(staff_client, account, method, path, data):
    token = ScimTokenFactory(account=account)
    response = call(staff_client, method, path, data)
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.enabled is True
    assert ScimToken.objects.get().token_hash == token.token_hash
    assert not ProvisioningEvent.objects.exists()


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_user_without_account_gets_403(client, method, path, data):
    user = get_user_model().objects.create_user("loner@example.com", password="x-long-pass")
    client.force_login(user)
    assert call(client, method, path, data).status_code == 403


@pytest.mark.parametrize("path", [GENERATE_URL, ENABLED_URL])
def test_actions_refuse_get(admin_client, path):
    assert admin_client.get(path).status_code == 405
    assert not ScimToken.objects.exists()


def test_other_accounts_data_never_appears(admin_client, account, other_account):
    ScimTokenFactory(account=other_account, raw_token="vmscim_other-account-token-xyz9")
    ProvisioningEventFactory(account=other_account, resource_name="globex-secret-host@globex.com")
    ProvisioningEventFactory(account=account, resource_name="acme-host@acme.com")

    page = admin_client.get(PREFERENCES_URL).content.decode()
    log = admin_client.get(LOG_URL).content.decode()
    for body in (page, log):
        assert "acme-host@acme.com" in body
        assert "globex-secret-host@globex.com" not in body
        assert "xyz9" not in body
    # The other account's token does not make this account's integration "configured".
    assert 'data-status="not-configured"' in page
    assert admin_client.get(ROTATE_URL).status_code == 302  # nothing to rotate here


def test_admin_actions_touch_only_their_account(admin_client, account, other_account):
    other = ScimTokenFactory(account=other_account)
    admin_client.post(GENERATE_URL)
    admin_client.post(ROTATE_URL)
    admin_client.post(ENABLED_URL, {"enabled": "false"})
    other.refresh_from_db()
    assert other.enabled is True
    assert ScimToken.objects.get(account=other_account).token_hash == other.token_hash
    assert not ProvisioningEvent.objects.filter(account=other_account).exists()
    assert ProvisioningEvent.objects.filter(account=account).count() == 3


@pytest.mark.parametrize(
    ("path", "data"),
    [(GENERATE_URL, {}), (ROTATE_URL, {}), (ENABLED_URL, {"enabled": "false"})],
)
def test_posts_without_csrf_token_are_refused(admin_user, account, path, data):
    if path != GENERATE_URL:
        ScimTokenFactory(account=account)
    before = list(ScimToken.objects.values_list("token_hash", "enabled"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(path, data).status_code == 403
    assert list(ScimToken.objects.values_list("token_hash", "enabled")) == before
    assert not ProvisioningEvent.objects.exists()


def test_posts_with_the_forms_csrf_token_work(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    page = client.get(PREFERENCES_URL)
    csrf = page.context["csrf_token"]
    response = client.post(GENERATE_URL, {"csrfmiddlewaretoken": str(csrf)})
    assert response.status_code == 200  # the page showing the new token
    assert ScimToken.objects.count() == 1
