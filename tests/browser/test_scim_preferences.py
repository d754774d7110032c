"""An account admin connects Microsoft Entra ID, in a real Chromium against a live server."""

import json
import os
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.conftest import PASSWORD
from tests.factories import AccountFactory, MembershipFactory
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.browser

# Entra's Test Connection query: a user that does not exist → 200 with an empty list.
SCIM_PROBE = "/scim/v2/Users?filter=userName+eq+%22cf4d78e8-cc4f-4d5d-b8b9-183561c0104a%22"

# Talk to the live server directly, never through a proxy from the environment.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _http.open(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def scim_status(base_url, raw_token):
    status, _body = http_get(base_url + SCIM_PROBE, {"Authorization": f"Bearer {raw_token}"})
    return status


def make_user(role):
    account = AccountFactory(name="Acme Corp", slug="acme")
    return MembershipFactory(account=account, role=role).user


def log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, "login failed"


def test_live_server_answers_healthz(live_server):
    status, body = http_get(live_server.url + "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_admin_generates_and_rotates_the_token(new_page, live_server):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    page = new_page()
    log_in(page, admin)

    # Gear menu → Preferences → the SCIM section.
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Preferences").click()
    heading = page.get_by_role("heading", name="SCIM Host Provisioning")
    expect(heading).to_be_visible()
    section = page.locator("section#scim")
    expect(section.get_by_text("Not configured")).to_be_visible()
    expect(section.get_by_label("Tenant URL")).to_have_value(settings.PUBLIC_BASE_URL + "/scim/v2")
    expect(section.get_by_label("Secret Token")).to_have_count(0)

    # Generate: the full token is shown once, in a read-only field labelled "Secret Token".
    section.get_by_role("button", name="Generate token").click()
    secret = page.get_by_label("Secret Token")
    expect(secret).to_be_visible()
    expect(secret).not_to_be_editable()
    first = secret.input_value()
    assert first.startswith("vmscim_")
    expect(section.locator("#scim-secret-token-warning")).to_contain_text(
        "It will not be shown again"
    )
    expect(section.get_by_text("Waiting for Microsoft Entra ID", exact=True)).to_be_visible()
    copy = section.locator('button[data-copy-target="scim-secret-token"]')
    copy.click()
    expect(copy).to_have_text("Copied")

    # Rotate: a confirmation page first, then the new token, once.
    section.get_by_role("link", name="Rotate token").click()
    expect(page.get_by_role("heading", name="Rotate the SCIM secret token?")).to_be_visible()
    expect(page.get_by_text("stops syncing")).to_be_visible()
    page.get_by_role("button", name="Rotate token now").click()
    expect(page.get_by_role("heading", name="SCIM Host Provisioning")).to_be_visible()
    second = page.get_by_label("Secret Token").input_value()
    assert second.startswith("vmscim_")
    assert second != first
    expect(page.locator("section#scim").get_by_text("Token rotated")).to_be_visible()

    screenshot = os.environ.get("SCIM_PREFS_SCREENSHOT")
    if screenshot:
        page.locator("section#scim").screenshot(path=screenshot)

    # A reload re-sends the rotation's POST: it does not rotate again nor show a token.
    page.reload()
    expect(page.get_by_text("already rotated")).to_be_visible()
    expect(page.get_by_label("Secret Token")).to_have_count(0)
    # The next visit to Preferences shows no token either.
    page.goto("/preferences/")
    expect(page.get_by_role("heading", name="SCIM Host Provisioning")).to_be_visible()
    expect(page.get_by_label("Secret Token")).to_have_count(0)
    html = page.content()
    assert first not in html and second not in html
    assert f"…{second[-4:]}" in html
    assert page.problems == []

    # Entra with the new token gets in; the old token stopped working at once.
    assert scim_status(live_server.url, second) == 200
    assert scim_status(live_server.url, first) == 401


def test_rotation_and_disabling_work_without_javascript(new_page, live_server):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    page = new_page(java_script_enabled=False)
    log_in(page, admin)
    page.goto("/preferences/")
    section = page.locator("section#scim")
    section.get_by_role("button", name="Generate token").click()
    first = page.get_by_label("Secret Token").input_value()

    page.locator("section#scim").get_by_role("link", name="Rotate token").click()
    page.get_by_role("button", name="Rotate token now").click()
    second = page.get_by_label("Secret Token").input_value()
    assert second != first

    page.locator("section#scim").get_by_role("button", name="Disable provisioning").click()
    expect(page.get_by_text("Provisioning disabled.", exact=False).first).to_be_visible()
    expect(page.locator("section#scim").get_by_text("Disabled", exact=True)).to_be_visible()
    assert scim_status(live_server.url, second) == 401

    page.locator("section#scim").get_by_role("button", name="Enable provisioning").click()
    expect(
        page.locator("section#scim").get_by_text("Waiting for Microsoft Entra ID")
    ).to_be_visible()
    assert scim_status(live_server.url, second) == 200
    page.reload()
    expect(page.locator("section#scim").get_by_text("Connected", exact=True)).to_be_visible()


def test_staff_sees_no_preferences(new_page):
    from playwright.sync_api import expect

    staff = make_user(Membership.Role.STAFF)
    page = new_page()
    log_in(page, staff)
    page.get_by_role("button", name="Settings").click()
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Log out")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Preferences")).to_have_count(0)

    response = page.goto("/preferences/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="SCIM Host Provisioning")).to_have_count(0)
    assert page.goto("/preferences/scim/log/").status == 403
