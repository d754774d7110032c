"""The home page, inviting a colleague end to end, and resetting a password end to end, in
a real Chromium against a live server, at 1280, 768 and 390 px, checked with axe-core.

Screenshots (home-1280.png, people-768.png, ...) go to $SCREENSHOT_DIR, else to
"screenshots" in pytest's base temporary folder; the run prints where.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from tests.browser.test_scim_preferences import log_in, make_user
from tests.browser_support import axe_violations, save_screenshot
from tests.factories import HostFactory, VisitFactory
from visitor_mgmt.models import Membership, PeopleEvent, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 768, 390]
HEIGHTS = {1280: 900, 768: 1024, 390: 844}
NEW_PASSWORD = "a-long-new-passphrase-42"


def page_at(new_page, width):
    return new_page(viewport={"width": width, "height": HEIGHTS[width]})


def assert_accessible(page):
    assert axe_violations(page) == []
    assert page.problems == []
    # Nothing wider than the window: tables scroll inside their card.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    # On failure, name what sticks out (anything inside a scrolling table included).
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8).map(e => `${e.tagName}.${e.className}`)"""
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the window: {wide}"


def link_from_outbox(pattern):
    (message,) = mail.outbox
    return re.search(pattern, message.body).group(1)


@pytest.mark.parametrize("width", WIDTHS)
def test_home_page(new_page, width):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    account = admin.membership.account
    host = HostFactory(account=account, display_name="Jane Doe", email="jane@acme.example")
    VisitFactory(account=account, host=host, visitor_name="Vera Visitor", visitor_company="Initech")
    VisitFactory(
        account=account, host=host, visitor_name="Gone Already", signed_out_at=timezone.now()
    )
    VisitFactory(
        account=account,
        host=host,
        visitor_name="Unlucky Visitor",
        notification_status=Visit.Notification.FAILED,
        notification_error="SMTPConnectError: (421, 'Service not available')",
    )
    page = page_at(new_page, width)
    log_in(page, admin)
    assert page.url.endswith("/")
    expect(page.get_by_role("heading", name="Home", exact=True)).to_be_visible()
    checklist = page.locator("#onboarding")
    expect(checklist.locator('[data-step="hosts"]')).to_have_class("done")
    expect(checklist.locator('[data-step="kiosk"]')).to_have_class("todo")
    expect(page.locator("#provisioning")).to_contain_text("Not configured")
    on_site = page.locator("#on-site")
    expect(on_site).to_contain_text("Vera Visitor")
    expect(on_site).to_contain_text("Unlucky Visitor")
    expect(on_site).not_to_contain_text("Gone Already")
    expect(page.locator("#failed-notifications")).to_contain_text("Service not available")
    assert_accessible(page)
    save_screenshot(page, f"home-{width}")

    # Quick sign-out, then retry the failed notification (the mail server works now).
    on_site.get_by_role("button", name="Sign out Vera Visitor").click()
    expect(page.get_by_role("status")).to_contain_text("Vera Visitor was signed out.")
    expect(page.locator("#on-site")).not_to_contain_text("Vera Visitor")
    page.get_by_role("button", name="Retry the notification about Unlucky Visitor").click()
    expect(page.get_by_role("status")).to_contain_text("was sent")
    expect(page.locator("#failed-notifications")).to_contain_text("Every host was notified.")
    assert len(mail.outbox) == 1
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_inviting_a_user_end_to_end(new_page, width):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    page = page_at(new_page, width)
    log_in(page, admin)
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="People").click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    page.get_by_label("E-mail").fill("new.colleague@acme.example")
    page.get_by_label("Role").select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "An invitation was sent to new.colleague@acme.example."
    )
    expect(page.locator("#people-log")).to_contain_text("Invited")
    assert_accessible(page)
    save_screenshot(page, f"people-{width}")

    # The invitee opens the link from the e-mail in their own browser.
    link = link_from_outbox(r"(http://\S+/accounts/invitation/\S+/)")
    invitee = page_at(new_page, width)
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Welcome to Visitor Management")).to_be_visible()
    expect(invitee.get_by_text("You are joining Acme Corp.")).to_be_visible()
    assert_accessible(invitee)
    save_screenshot(invitee, f"invitation-{width}")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("New password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set password").click()
    expect(invitee.get_by_role("status")).to_contain_text("Your password is set.")
    invitee.get_by_label("E-mail").fill("new.colleague@acme.example")
    invitee.get_by_label("Password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Log in").click()
    expect(invitee.get_by_role("heading", name="Home", exact=True)).to_be_visible()

    # The admin sees the new colleague as an active admin, and who did what.
    page.reload()
    row = page.get_by_role("row", name=re.compile(r"^new\.colleague@acme\.example"))
    expect(row).to_contain_text("Admin")
    expect(row).to_contain_text("Active")
    expect(page.locator("#people-log")).to_contain_text("Accepted the invitation")
    assert PeopleEvent.objects.filter(actor=admin, action=PeopleEvent.Action.INVITED).exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_password_reset_end_to_end(new_page, width):
    from playwright.sync_api import expect

    user = make_user(Membership.Role.STAFF)
    page = page_at(new_page, width)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, f"password-reset-{width}")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page)

    page.goto(link_from_outbox(r"(http://\S+/accounts/reset/\S+/)"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, f"password-reset-confirm-{width}")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your password was changed")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Home", exact=True)).to_be_visible()
    assert_accessible(page)


def test_the_logout_page_for_a_typed_url(new_page):
    from playwright.sync_api import expect

    user = make_user(Membership.Role.STAFF)
    page = page_at(new_page, 390)
    log_in(page, user)
    page.goto("/accounts/logout/")
    expect(page.get_by_role("heading", name="Log out?")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "logout-390")
    page.get_by_role("button", name="Log out").click()
    assert "/accounts/login/" in page.url
