"""Single sign-on in a real Chromium: the admin's sign-in, Test sign-in from Preferences,
and a stranger's refusal, every page of ours checked with axe-core (WCAG 2.1 AA)."""

import pytest

from sso.services import connection_configure
from tests.browser_support import axe_violations
from tests.factories import AccountFactory, MembershipFactory
from tests.sso.conftest import CLIENT_SECRET
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.browser


@pytest.fixture
def acme(live_server, settings, idp):
    # The provider sends the browser back to the address the live server listens on.
    settings.PUBLIC_BASE_URL = live_server.url
    account = AccountFactory(name="Acme Corp", slug="acme")
    admin = MembershipFactory(
        account=account, role=Membership.Role.ADMIN, user__username="ada@acme.example"
    ).user
    connection_configure(
        account=account,
        issuer=idp.url,
        client_id="acme-visitor-mgmt",
        client_secret=CLIENT_SECRET,
        domains=["acme.example"],
    )
    idp.set_user("ada-sub", email="ada@acme.example", email_verified=True)
    return admin


def browser_page(new_page):
    page = new_page()
    # The provider's page asks a CDN for a stylesheet; this machine has no internet.
    page.route("https://**/*", lambda route: route.abort())
    return page


def at_provider(page, idp, sub):
    """What the person does at the provider: sign in as ``sub``."""
    page.wait_for_url(lambda url: url.startswith(idp.url + "/oauth2/authorize?"))
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_admin_signs_in_with_single_sign_on(new_page, live_server, idp, acme):
    from playwright.sync_api import expect

    page = browser_page(new_page)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    expect(page.get_by_role("heading", name="Sign in with single sign-on")).to_be_visible()
    assert axe_violations(page) == []

    # An address of no configured domain: a clear message, as a form error.
    page.get_by_label("Work e-mail").fill("someone@unknown.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("No organisation uses single sign-on")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Work e-mail").fill("ada@acme.example")
    page.get_by_role("button", name="Continue").click()
    at_provider(page, idp, "ada-sub")
    page.wait_for_url(live_server.url + "/")
    expect(page.locator(".menu-user")).to_have_text("ada@acme.example")

    # Preferences → Single sign-on: the redirect URI to paste, with a Copy button.
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Preferences").click()
    expect(page.get_by_role("heading", name="Single sign-on")).to_be_visible()
    section = page.locator("section#sso")
    expect(section.get_by_label("Redirect URI")).to_have_value(live_server.url + "/sso/callback/")
    expect(section.locator("#sso-status")).to_have_text("Enabled")
    expect(section.get_by_text("Signed in", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    # Test sign-in runs the flow and comes back here, the admin still signed in.
    section.get_by_role("button", name="Test sign-in").click()
    at_provider(page, idp, "ada-sub")
    page.wait_for_url(live_server.url + "/preferences/#sso")
    expect(
        page.get_by_text("Test sign-in passed: the provider signed in ada@acme.example")
    ).to_be_visible()
    expect(page.locator(".menu-user")).to_have_text("ada@acme.example")
    assert axe_violations(page) == []

    # The settings pages.
    page.goto("/preferences/sso/provider/")
    expect(page.get_by_label("Client secret")).to_have_value("")
    assert CLIENT_SECRET not in page.content()
    assert axe_violations(page) == []
    page.goto("/preferences/sso/policy/")
    page.get_by_label("Require single sign-on").check()
    page.get_by_label("ada@acme.example").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Single sign-on policy saved.")).to_be_visible()
    page.goto("/preferences/sso/log/")
    expect(page.get_by_role("heading", name="Single sign-on log")).to_be_visible()
    assert axe_violations(page) == []
    assert page.problems == []


def test_a_stranger_is_refused_in_the_browser(new_page, live_server, idp, acme):
    from playwright.sync_api import expect

    idp.set_user("stranger", email="stranger@acme.example", email_verified=True)
    page = browser_page(new_page)
    page.goto("/sso/start/")
    page.get_by_label("Work e-mail").fill("stranger@acme.example")
    page.get_by_role("button", name="Continue").click()
    at_provider(page, idp, "stranger")
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "stranger@acme.example is not a user of this account. Ask an admin to add you."
    )
    assert axe_violations(page) == []
    page.goto("/hosts/")
    assert "/accounts/login/" in page.url
