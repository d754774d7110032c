"""The kiosk in a real Chromium (Playwright, sync API) against pytest-django's live_server.

Browser fixtures (chromium, new_page): tests/browser_support.py, through tests/kiosk/conftest.py.
"""

import re

import pytest
from django.core import mail

from tests.browser_support import axe_violations
from tests.conftest import PASSWORD
from tests.factories import HostFactory, HostGroupFactory, HostGroupMembershipFactory
from visitor_mgmt.kiosk.services import kiosk_device_create
from visitor_mgmt.models import KioskDevice, Visit

pytestmark = pytest.mark.browser


@pytest.fixture
def people(account):
    jane = HostFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        display_name="Jane Doe",
        email="jane@acme.example",
        mobile="+15550001111",
        department="Finance",
    )
    HostFactory(account=account, first_name="John", last_name="Smith", department="Legal")
    group = HostGroupFactory(account=account, name="Front Office")
    HostGroupMembershipFactory(group=group, host=jane)
    return jane


def activate(page, account, raw_key):
    page.goto(f"/kiosk/{account.slug}/activate/")
    page.get_by_label("Device key").fill(raw_key)
    page.get_by_role("button", name="Enable kiosk").click()
    page.wait_for_url(re.compile(rf"/kiosk/{account.slug}/$"))


def test_not_enabled_device_sees_a_friendly_page(new_page, account):
    page = new_page()
    response = page.goto(f"/kiosk/{account.slug}/")
    assert response.status == 403
    assert page.get_by_role("heading", name="This device is not enabled").is_visible()


def test_sign_in_with_typeahead_on_a_phone_sized_screen(new_page, account, people):
    _, raw_key = kiosk_device_create(account=account, name="Lobby")
    page = new_page(viewport={"width": 360, "height": 740}, has_touch=True)
    activate(page, account, raw_key)

    page.get_by_label("Your name").fill("Vera Visitor")
    page.get_by_label("Company (optional)").fill("Initech")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name=re.compile("whom are you visiting")).wait_for()
    url_before = page.url

    # Typing alone (no Search click) fills the results: the typeahead over the JSON API.
    page.get_by_label("Name of the person").press_sequentially("jan", delay=30)
    choice = page.locator("#host-results button", has_text="Jane Doe")
    choice.wait_for()
    assert page.url == url_before
    assert "Finance" in choice.inner_text()
    assert "jane@acme.example" not in page.content()
    assert "5550001111" not in page.content()
    # Narrow screen: nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    choice.click()
    page.get_by_text("Jane Doe has been notified").wait_for()
    assert page.get_by_role("heading", name="Welcome, Vera!").is_visible()

    visit = Visit.objects.get()
    assert visit.host == people
    assert visit.visitor_company == "Initech"
    assert visit.notification_status == Visit.Notification.SENT
    assert [m.to for m in mail.outbox] == [["jane@acme.example"]]
    assert page.problems == []


def test_sign_in_and_out_without_javascript(new_page, account, people):
    account.kiosk_fallback_email = "desk@acme.example"
    account.save()
    _, raw_key = kiosk_device_create(account=account, name="Old tablet")
    page = new_page(java_script_enabled=False)
    activate(page, account, raw_key)

    page.get_by_label("Your name").fill("Nils Nojs")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Name of the person").fill("smith")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=re.compile("John Smith")).click()
    page.get_by_text("John Smith has been notified").wait_for()
    assert Visit.objects.get().host_name == "John Smith"

    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_label("Your name, as you signed in").fill("nils nojs")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Goodbye, Nils!").wait_for()
    assert Visit.objects.get().signed_out_at is not None


def test_group_and_reception_choices(new_page, account, people):
    account.kiosk_fallback_email = "desk@acme.example"
    account.save()
    _, raw_key = kiosk_device_create(account=account, name="Desk")
    page = new_page()
    activate(page, account, raw_key)
    page.get_by_label("Your name").fill("Greta Group")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name=re.compile("Front Office")).click()
    page.get_by_text("Everyone in Front Office has been notified").wait_for()

    page.get_by_role("link", name="Done").click()
    page.get_by_label("Your name").fill("Rita Reception")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Name of the person").press_sequentially("zzz nobody", delay=20)
    page.get_by_text("Nobody matches").wait_for()
    page.get_by_role("button", name="Let reception know").click()
    page.get_by_text("Reception has been notified").wait_for()
    assert sorted(tuple(m.to) for m in mail.outbox) == [
        ("desk@acme.example",),
        ("jane@acme.example",),
    ]
    assert page.problems == []


def test_admin_enables_the_tablet_and_is_signed_out(new_page, account, admin_user, people):
    page = new_page()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(admin_user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto("/preferences/#kiosk")
    page.get_by_label("Device name").fill("Front desk iPad")
    page.get_by_role("button", name="Enable a device").click()
    page.get_by_role("heading", name=re.compile("Front desk iPad")).wait_for()
    assert page.locator("#kiosk-device-key").input_value().startswith("vmkiosk_")

    page.get_by_role("button", name="Open kiosk on this device").click()
    page.get_by_role("heading", name="Welcome! Please sign in").wait_for()
    assert KioskDevice.objects.get().name == "Front desk iPad"
    # No admin login stays open on the tablet.
    page.goto("/preferences/")
    assert "/accounts/login/" in page.url
    page.goto(f"/kiosk/{account.slug}/")
    assert page.get_by_role("heading", name="Welcome! Please sign in").is_visible()
    assert page.problems == []


def test_sign_out_with_a_namesake_asks_whom_and_lists_nobody(new_page, account, people):
    Visit.objects.create(account=account, host=people, host_name="Jane Doe", visitor_name="Kim Li")
    Visit.objects.create(account=account, host_group_name="Front Office", visitor_name="Kim Li")
    _, raw_key = kiosk_device_create(account=account, name="Desk")
    page = new_page()
    activate(page, account, raw_key)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_label("Your name, as you signed in").fill("Kim Li")
    page.get_by_role("button", name="Sign out").click()
    visiting = page.get_by_label("Whom are you visiting?")
    visiting.wait_for()
    assert "Jane" not in page.content() and "Front Office" not in page.content()
    assert axe_violations(page) == []
    visiting.fill("nobody")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("does not match a visit").wait_for()
    assert axe_violations(page) == []
    visiting.fill("front")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Goodbye, Kim!").wait_for()
    open_visits = Visit.objects.filter(signed_out_at__isnull=True)
    assert [v.host_name for v in open_visits] == ["Jane Doe"]
    assert page.problems == []
