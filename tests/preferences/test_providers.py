"""The admin picks the identity provider; the SCIM section follows it (steps, field names,
mappings page, status words). Entra stays the default, word for word."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from scim_hosts.models import ProviderChoice, ProvisioningEvent
from scim_hosts.providers import PROVIDERS, ProviderKey
from tests.factories import ScimTokenFactory
from tests.preferences.helpers import (
    GENERATE_URL,
    MAPPINGS_URL,
    PREFERENCES_URL,
    ROTATE_URL,
    section_html,
    tokens_in,
)
from visitor_mgmt.templatetags.datetimes import when_text

pytestmark = pytest.mark.django_db

PROVIDER_URL = "/preferences/scim/provider/"
PROBE = "/scim/v2/Users?filter=userName%20eq%20%22nobody%40initech.example%22"
T0 = timezone.now().replace(microsecond=0)

# key -> (steps heading, base URL label, token label, a phrase of its own steps)
EXPECTED = {
    "okta": ("Set up provisioning in Okta", "SCIM connector base URL", "API token", "Push Groups"),
    "onelogin": (
        "Set up provisioning in OneLogin",
        "SCIM Base URL",
        "SCIM Bearer Token",
        "SCIM Provisioner with SAML (SCIM v2 Enterprise)",
    ),
    "jumpcloud": ("Set up provisioning in JumpCloud", "Base URL", "Token Key", "Test User Email"),
    "pingone": ("Set up provisioning in PingOne", "SCIM Base URL", "Access Token", "SCIM Outbound"),
    "generic": (
        "Set up provisioning in your SCIM client",
        "SCIM base URL",
        "Bearer token",
        "members[value eq",
    ),
}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def flat(html):
    return " ".join(html.split())


def choose(admin_client, key):
    return admin_client.post(PROVIDER_URL, {"provider": key})


def test_entra_is_the_default_and_listed_first(admin_client, account):
    html = section_html(admin_client)
    assert '<option value="entra" selected>Microsoft Entra ID</option>' in html
    options = [key for key, _label in ProviderKey.choices]
    assert options == ["entra", "okta", "onelogin", "jumpcloud", "pingone", "generic"]
    for key, label in ProviderKey.choices:
        assert f'<option value="{key}"' in html and f">{label}</option>" in html
    assert "<h3>Set up provisioning in Microsoft Entra ID</h3>" in html
    assert '<label for="scim-tenant-url">Tenant URL</label>' in html
    assert not ProviderChoice.objects.exists()


@pytest.mark.parametrize("key", list(EXPECTED))
def test_choosing_a_provider_shows_its_own_steps(admin_client, account, admin_user, key):
    heading, url_label, token_label, phrase = EXPECTED[key]
    response = choose(admin_client, key)
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES_URL + "#scim"

    choice = ProviderChoice.objects.get(account=account)
    assert (choice.provider, choice.chosen_by) == (key, admin_user)
    event = ProvisioningEvent.objects.get(account=account, action="provider-chosen")
    assert event.reason == f"Identity provider: {ProviderKey(key).label}"
    assert event.actor == admin_user

    html = section_html(admin_client)
    text = flat(html)
    assert f'<option value="{key}" selected>' in html
    assert f"<h3>{heading}</h3>" in html
    assert "Set up provisioning in Microsoft Entra ID" not in html
    assert "Microsoft Entra ID" not in text.replace(">Microsoft Entra ID</option>", "")
    assert f'<label for="scim-tenant-url">{url_label}</label>' in html
    assert f"{token_label}: " in text  # "none yet" line names the provider's token field
    assert phrase in text
    assert "userName" in text  # the unique identifier to use
    assert f'href="{MAPPINGS_URL}?provider={key}"' in html
    # The section keeps its name.
    assert '<h2 id="scim-title">SCIM Host Provisioning</h2>' in html


def test_switching_back_to_entra_restores_its_steps_and_logs_both(admin_client, account):
    choose(admin_client, "okta")
    choose(admin_client, "entra")
    html = section_html(admin_client)
    assert "<h3>Set up provisioning in Microsoft Entra ID</h3>" in html
    reasons = list(
        ProvisioningEvent.objects.filter(action="provider-chosen")
        .order_by("id")
        .values_list("reason", flat=True)
    )
    assert reasons == [
        "Identity provider: Okta",
        "Identity provider: Microsoft Entra ID (was Okta)",
    ]
    # Choosing the current provider again changes and logs nothing.
    choose(admin_client, "entra")
    assert ProvisioningEvent.objects.filter(action="provider-chosen").count() == 2


@pytest.mark.parametrize("value", ["", "azure", "OKTA", "okta ", "<script>"])
def test_an_unknown_provider_is_a_clear_error_and_stores_nothing(admin_client, account, value):
    response = choose(admin_client, value)
    assert response.status_code == 302
    page = admin_client.get(PREFERENCES_URL).content.decode()
    assert "Choose one of the identity providers in the list." in page
    assert not ProviderChoice.objects.exists()
    assert not ProvisioningEvent.objects.exists()


def test_only_admins_may_choose_and_only_by_post_with_csrf(admin_user, staff_user, account):
    staff = Client()
    staff.force_login(staff_user)
    assert staff.post(PROVIDER_URL, {"provider": "okta"}).status_code == 403
    anonymous = Client().post(PROVIDER_URL, {"provider": "okta"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get(PROVIDER_URL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(PROVIDER_URL, {"provider": "okta"}).status_code == 403
    assert not ProviderChoice.objects.exists()
    assert admin.post(PROVIDER_URL, {"provider": "okta"}).status_code == 302
    assert ProviderChoice.objects.get().provider == "okta"


def test_the_choice_is_per_account(admin_client, account, other_account):
    choose(admin_client, "jumpcloud")
    assert ProviderChoice.objects.get().account == account
    assert not ProviderChoice.objects.filter(account=other_account).exists()


def test_status_words_name_the_chosen_provider(admin_client, account):
    choose(admin_client, "okta")
    admin_client.post(GENERATE_URL)
    text = flat(section_html(admin_client)).replace(">Microsoft Entra ID</option>", "")
    assert "Waiting for Okta" in text
    assert (
        "The token is ready; Okta has not connected yet. Paste the SCIM connector base URL "
        "and API token into Okta, then Test Connector Configuration." in text
    )
    assert "Entra" not in text


def test_a_replaced_token_is_explained_in_the_providers_words(admin_client, account):
    choose(admin_client, "onelogin")
    with time_machine.travel(T0, tick=False):
        (old,) = set(tokens_in(admin_client.post(GENERATE_URL)))
        assert Client().get(PROBE, HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 200
        admin_client.post(ROTATE_URL)  # the old token stops now
        assert Client().get(PROBE, HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401
        html = section_html(admin_client)
        assert 'data-status="failing"' in html
        assert (
            "Less than a minute ago OneLogin used a token that was replaced on "
            f"{when_text(T0)}: paste the new token into "
            "OneLogin&#x27;s Configuration tab (SCIM Bearer Token), then Save, then Enable the "
            "API Connection."
        ) in flat(html)


def test_event_driven_providers_never_stall_but_entra_does(admin_client, account):
    token = ScimTokenFactory(account=account)
    with time_machine.travel(T0, tick=False) as clock:
        token.last_success_at = token.last_used_at = timezone.now()
        token.save()
        clock.shift(timedelta(hours=3))
        html = section_html(admin_client)
        assert 'data-status="stalled"' in html
        assert "Microsoft Entra ID syncs about every 40 minutes" in flat(html)
        choose(admin_client, "pingone")
        html = section_html(admin_client)
        assert 'data-status="connected"' in html  # PingOne sends only changes


def test_messages_name_the_chosen_provider(admin_client, account):
    choose(admin_client, "pingone")
    response = admin_client.post(GENERATE_URL, follow=True)
    assert "Copy it now and paste it into PingOne" in response.content.decode()
    response = admin_client.post("/preferences/scim/enabled/", {"enabled": "false"}, follow=True)
    assert "PingOne&#x27;s requests are refused" in response.content.decode()
    rotate = admin_client.get("/preferences/scim/token/rotate/").content.decode()
    assert "PingOne stops syncing hosts and groups" in rotate
    assert "Access Token" in rotate
    disconnect = admin_client.get("/preferences/scim/disconnect/").content.decode()
    assert "<h1>Disconnect PingOne?</h1>" in disconnect


@pytest.mark.parametrize("key", [k for k in PROVIDERS if k != "entra"])
def test_each_provider_has_its_own_mappings_page(admin_client, account, key):
    provider = PROVIDERS[key]
    html = admin_client.get(f"{MAPPINGS_URL}?provider={key}").content.decode()
    assert f'<th scope="col">{provider.source_heading}</th>' in html
    for source in list(provider.sources.values()) + list(provider.group_sources.values()):
        assert source.replace('"', "&quot;").replace("'", "&#x27;") in html
    assert "Entra source attribute" not in html
    assert "userPrincipalName" not in html


def test_mappings_page_follows_the_accounts_choice(admin_client, account):
    assert "Entra source attribute" in admin_client.get(MAPPINGS_URL).content.decode()
    choose(admin_client, "okta")
    html = admin_client.get(MAPPINGS_URL).content.decode()
    assert '<th scope="col">Okta attribute</th>' in html
    assert "<code>user.firstName</code>" in html
    # An unknown ?provider= falls back to the account's choice instead of failing.
    assert "Okta attribute" in admin_client.get(f"{MAPPINGS_URL}?provider=nope").content.decode()
