"""Generating, showing once, rotating, enabling and disabling the SCIM secret token."""

import json
import logging
import threading
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from scim_hosts.access.tokens import TOKEN_PREFIX, authenticate, hash_token, rotate_token
from scim_hosts.models import ProvisioningEvent, ScimToken
from scim_hosts.preferences import services
from tests.factories import AccountFactory, MembershipFactory, ScimTokenFactory
from tests.preferences.helpers import (
    ENABLED_URL,
    GENERATE_URL,
    LOG_URL,
    PREFERENCES_URL,
    ROTATE_URL,
    scim_get,
    tokens_in,
)
from visitor_mgmt.models import Membership
from visitor_mgmt.templatetags.datetimes import when_text

pytestmark = pytest.mark.django_db


def generate(client):
    """The POST answers with the Preferences page showing the new token (no redirect: the
    token never waits in the session for a next page)."""
    page = client.post(GENERATE_URL)
    assert page.status_code == 200
    (raw,) = set(tokens_in(page))
    return raw, page


def sessions_hold(raw):
    """Whether any row of the session store holds ``raw``, encoded or decoded."""
    return any(
        raw in session.session_data or raw in json.dumps(session.get_decoded())
        for session in Session.objects.all()
    )


# --- show once -------------------------------------------------------------------------


def test_generated_token_is_shown_exactly_once(admin_client, account, caplog):
    caplog.set_level(logging.DEBUG)
    raw, page = generate(admin_client)
    reload = admin_client.get(PREFERENCES_URL)
    others = [admin_client.get(url) for url in (LOG_URL, ROTATE_URL)]

    bodies = [r.content.decode() for r in (page, reload, *others)]
    assert sum(raw in body for body in bodies) == 1
    assert raw in page.content.decode()
    # In a read-only field labelled "Secret Token", with a copy button and a warning.
    html = page.content.decode()
    assert '<label for="scim-secret-token">Secret Token</label>' in html
    assert f'id="scim-secret-token" value="{raw}" readonly' in html
    assert 'data-copy-target="scim-secret-token"' in html
    assert "It will not be shown again" in html
    assert "It will not be shown again" not in reload.content.decode()
    # Neither page may be kept by a browser or proxy cache.
    assert "no-store" in page["Cache-Control"]
    assert "no-store" in reload["Cache-Control"]
    # Never logged.
    assert raw not in caplog.text


def test_only_the_hash_is_stored(admin_client, account):
    raw, _ = generate(admin_client)
    token = ScimToken.objects.get(account=account)
    assert token.token_hash == hash_token(raw)
    assert token.hint == raw[-4:]
    stored = [str(v) for v in ScimToken.objects.values_list().get()]
    stored += [str(v) for row in ProvisioningEvent.objects.values_list() for v in row]
    assert not any(raw in value for value in stored)
    assert raw.startswith("vmscim_") and len(raw) >= 7 + 43  # prefix + 32 random bytes


def test_the_session_store_never_holds_the_token(admin_client, account):
    """Issue 14: the raw token sat in the session row (signed, not encrypted) until the
    next render of Preferences, or for the session's lifetime if there was none."""
    raw, _ = generate(admin_client)
    assert Session.objects.exists()  # the admin's session is in the store...
    assert not sessions_hold(raw)  # ...without the token, right after the POST
    admin_client.post(ROTATE_URL)
    (second,) = set(tokens_in(admin_client.post(ROTATE_URL)))
    assert not sessions_hold(second)


def test_a_token_stashed_by_an_earlier_version_is_dropped_unseen(admin_client, account):
    raw, _ = generate(admin_client)
    session = admin_client.session
    session[services.LEGACY_NEW_TOKEN_SESSION_KEY] = {"account": account.pk, "token": raw}
    session.save()
    assert sessions_hold(raw)
    assert tokens_in(admin_client.get(PREFERENCES_URL)) == []
    assert not sessions_hold(raw)


def test_token_replaced_meanwhile_is_not_shown(admin_client, account, admin_user):
    admin_client.post(GENERATE_URL)
    rotate_token(account=account, actor=admin_user)  # e.g. another admin, or the CLI
    assert tokens_in(admin_client.get(PREFERENCES_URL)) == []
    assert tokens_in(admin_client.post(GENERATE_URL)) == []  # "already exists": no token


def test_section_shows_hint_and_metadata_after_generation(admin_client, admin_user):
    raw, _ = generate(admin_client)
    html = admin_client.get(PREFERENCES_URL).content.decode()
    assert f"&hellip;{raw[-4:]}" in html
    assert f"by {admin_user.get_username()}" in html
    assert "Rotate token" in html
    assert "Generate token" not in html
    assert 'data-status="waiting"' in html


# --- generate / rotate ---------------------------------------------------------------


def test_generate_records_who_did_it(admin_client, account, admin_user):
    generate(admin_client)
    event = ProvisioningEvent.objects.get(account=account)
    assert (event.action, event.actor, event.resource_type) == (
        "token-generated",
        admin_user,
        "Token",
    )


def test_generate_when_a_token_exists_asks_for_rotation_instead(admin_client, account):
    existing = ScimTokenFactory(account=account)
    response = admin_client.post(GENERATE_URL)
    assert response.status_code == 302
    assert response["Location"] == ROTATE_URL
    assert ScimToken.objects.get().token_hash == existing.token_hash
    assert not ProvisioningEvent.objects.exists()


def test_rotate_get_explains_and_changes_nothing(admin_client, account):
    existing = ScimTokenFactory(account=account)
    response = admin_client.get(ROTATE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "stops syncing" in html
    assert "paste the new token" in html
    assert f"&hellip;{existing.hint}" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert ScimToken.objects.get().token_hash == existing.token_hash
    assert not ProvisioningEvent.objects.exists()


def test_rotate_without_a_token_creates_nothing(admin_client):
    response = admin_client.post(ROTATE_URL, follow=True)
    assert response.redirect_chain[-1][0] == PREFERENCES_URL + "#scim"
    assert "Generate one first" in response.content.decode()
    assert not ScimToken.objects.exists()


def test_rotation_shows_the_new_token_once_and_records_it(admin_client, account, admin_user):
    first, _ = generate(admin_client)
    page = admin_client.post(ROTATE_URL)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    (second,) = set(tokens_in(page))
    assert second != first
    assert "previous token no longer works" in page.content.decode()
    assert tokens_in(admin_client.get(PREFERENCES_URL)) == []
    actions = list(
        ProvisioningEvent.objects.filter(account=account)
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [("token-generated", admin_user.pk), ("token-rotated", admin_user.pk)]


def test_rotation_stops_the_old_token_at_once(admin_client, account):
    first, _ = generate(admin_client)
    (second,) = set(tokens_in(admin_client.post(ROTATE_URL)))
    assert authenticate(first)[0] is None
    assert authenticate(second)[0].account == account


def test_rotation_over_the_scim_endpoint(admin_client):
    first, _ = generate(admin_client)
    entra = Client()  # no session: SCIM authenticates by bearer token only
    assert scim_get(entra, first).status_code == 200
    (second,) = set(tokens_in(admin_client.post(ROTATE_URL)))
    assert scim_get(entra, first).status_code == 401
    assert scim_get(entra, second).status_code == 200


# --- enable / disable ----------------------------------------------------------------


def test_disable_then_enable(admin_client, account, admin_user):
    raw, _ = generate(admin_client)

    response = admin_client.post(ENABLED_URL, {"enabled": "false"}, follow=True)
    assert "Provisioning disabled" in response.content.decode()
    token = ScimToken.objects.get(account=account)
    assert token.enabled is False
    assert token.token_hash == hash_token(raw)  # the token is kept
    assert authenticate(raw)[0] is None
    html = admin_client.get(PREFERENCES_URL).content.decode()
    assert 'data-status="disabled"' in html
    assert "Enable provisioning" in html

    admin_client.post(ENABLED_URL, {"enabled": "true"})
    assert ScimToken.objects.get(account=account).enabled is True
    assert authenticate(raw)[0].account == account
    events = list(
        ProvisioningEvent.objects.filter(action__in=["enabled", "disabled"])
        .order_by("id")
        .values_list("action", "actor")
    )
    assert events == [("disabled", admin_user.pk), ("enabled", admin_user.pk)]


def test_disabled_integration_answers_401_over_the_scim_endpoint(admin_client):
    raw, _ = generate(admin_client)
    entra = Client()
    assert scim_get(entra, raw).status_code == 200
    admin_client.post(ENABLED_URL, {"enabled": "false"})
    assert scim_get(entra, raw).status_code == 401
    admin_client.post(ENABLED_URL, {"enabled": "true"})
    assert scim_get(entra, raw).status_code == 200


def test_enable_without_a_token_is_a_clear_error(admin_client):
    response = admin_client.post(ENABLED_URL, {"enabled": "true"}, follow=True)
    assert response.status_code == 200
    assert "Generate a token before enabling provisioning." in response.content.decode()
    assert not ScimToken.objects.exists()


@pytest.mark.parametrize("value", ["", "maybe", "1"])
def test_enable_with_a_bad_value_changes_nothing(admin_client, account, value):
    ScimTokenFactory(account=account)
    response = admin_client.post(ENABLED_URL, {"enabled": value}, follow=True)
    assert response.status_code == 200
    assert "Choose whether provisioning is enabled." in response.content.decode()
    assert ScimToken.objects.get().enabled is True
    assert not ProvisioningEvent.objects.exists()


# --- concurrency ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_generating_at_once_get_one_token():
    account = AccountFactory()
    admins = [MembershipFactory(account=account, role=Membership.Role.ADMIN).user for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def click(user):
        try:
            barrier.wait()
            services.token_generate(account=account, actor=user)
            outcomes.append("generated")
        except services.TokenAlreadyExists:
            outcomes.append("exists")
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(user,)) for user in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["exists", "generated"]
    assert ScimToken.objects.filter(account=account).count() == 1
    assert ProvisioningEvent.objects.filter(account=account).count() == 1


def test_last_success_is_shown(admin_client, account):
    used = timezone.now() - timedelta(hours=2)
    ScimTokenFactory(account=account, last_used_at=used, last_success_at=used)
    html = admin_client.get(PREFERENCES_URL).content.decode()
    assert when_text(used) in html
    assert "<dd>never</dd>" not in html


def test_a_resent_rotation_post_does_not_rotate_again(admin_client, account):
    """The new token is shown in the POST's response, so a reload re-sends the POST: the
    form names the token it replaces, and a stale one changes nothing."""
    generate(admin_client)
    hint = ScimToken.objects.get(account=account).hint
    page = admin_client.post(ROTATE_URL, {"rotating": hint})
    (second,) = set(tokens_in(page))
    resent = admin_client.post(ROTATE_URL, {"rotating": hint}, follow=True)
    assert "already rotated" in resent.content.decode()
    assert tokens_in(resent) == []
    assert authenticate(second)[0].account == account


def test_the_rotate_form_names_the_token_it_replaces(admin_client, account):
    generate(admin_client)
    hint = ScimToken.objects.get(account=account).hint
    html = admin_client.get(ROTATE_URL).content.decode()
    assert f'name="rotating" value="{hint}"' in html


def test_each_rotation_is_logged_naming_the_tokens_and_who(account, admin_user):
    """The provisioning log names the new token by its last characters and, on a rotation,
    the one it replaced and how long that one keeps working (Preferences shows the log)."""

    def last_event():
        return ProvisioningEvent.objects.filter(account=account).latest("id")

    first, first_raw = rotate_token(account=account, actor=admin_user)
    assert (first.enabled, first.created_by, first.hint) == (True, admin_user, first_raw[-4:])
    event = last_event()
    assert (event.resource_type, event.action, event.outcome, event.actor) == (
        "Token",
        "token-generated",
        ProvisioningEvent.Outcome.SUCCESS,
        admin_user,
    )
    assert event.reason == f"Token ending …{first.hint}"

    second, _ = rotate_token(account=account, actor=admin_user, grace=timedelta(hours=1))
    until = timezone.now() + timedelta(hours=1)
    event = last_event()
    assert event.action == "token-rotated"
    assert event.reason.startswith(
        f"Token ending …{second.hint} (Token ending …{first.hint} replaced; "
        f"it keeps working until {until:%Y-%m-%d}"
    )
    assert event.reason.endswith(" UTC)")

    third, _ = rotate_token(account=account, actor=None)
    event = last_event()
    assert event.reason == f"Token ending …{third.hint} (Token ending …{second.hint} replaced)"
    assert (event.actor, third.created_by) == (None, None)


def test_turning_provisioning_off_and_on_is_logged_without_a_reason(account, admin_user):
    from scim_hosts.access.tokens import set_enabled

    rotate_token(account=account)
    set_enabled(account=account, enabled=False, actor=admin_user)
    event = ProvisioningEvent.objects.filter(account=account).latest("id")
    assert (event.action, event.outcome, event.reason) == (
        "disabled",
        ProvisioningEvent.Outcome.SUCCESS,
        "",
    )


def test_a_new_token_carries_the_account_key_of_earlier_ones_never_a_blank_one(account):
    """Tokens of one account share its key (the part of the token that names the account
    before the secret), across a disconnect too; a retired token from before keys existed
    has none, and is never where the key comes from."""
    from scim_hosts.access.tokens import revoke_token
    from scim_hosts.models import RetiredScimToken

    token, _ = rotate_token(account=account)
    key = token.account_key
    revoke_token(account=account, now=timezone.now())
    RetiredScimToken.objects.create(
        account=account,
        token_hash="0" * 64,
        hint="old1",
        account_key="",
        reason=RetiredScimToken.Reason.ROTATED,
        retired_at=timezone.now(),
        works_until=timezone.now(),
    )
    again, raw = rotate_token(account=account)
    assert again.account_key == key
    assert raw.startswith(f"{TOKEN_PREFIX}{key}_")


def test_the_secret_part_of_a_token_is_256_random_bits(account):
    """After the prefix and the account key: 43 URL-safe characters (32 random bytes)."""
    token, raw = rotate_token(account=account)
    secret = raw.removeprefix(f"{TOKEN_PREFIX}{token.account_key}_")
    assert len(secret) == 43 and secret != raw


def test_the_tenant_url_follows_the_public_base_url(settings):
    from scim_hosts.access.tokens import tenant_url

    settings.PUBLIC_BASE_URL = "https://visitors.example.com"
    assert tenant_url() == "https://visitors.example.com/scim/v2"
