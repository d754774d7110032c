"""The admin interface in a real Chromium at 1280, 768 and 390 px: axe-core finds nothing,
the phone menu works by keyboard, columns sort, copy buttons copy, long values wrap.

Screenshots (e.g. hosts-list-390.png) go to the folder printed at the end of the run.
"""

import re

import pytest

from tests.browser_support import axe_violations, save_screenshot
from tests.conftest import PASSWORD
from tests.factories import (
    HostFactory,
    HostGroupFactory,
    HostGroupMembershipFactory,
    MembershipFactory,
    VisitFactory,
)
from visitor_mgmt.kiosk.services import kiosk_device_create
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.browser

WIDTHS = {1280: 900, 768: 1024, 390: 844}


@pytest.fixture
def admin(account):
    account.time_zone = "Europe/Paris"
    account.kiosk_fallback_email = "desk@acme.example"
    account.save()
    return MembershipFactory(account=account, role=Membership.Role.ADMIN).user


@pytest.fixture
def data(account):
    jane = HostFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        display_name="Jane Doe",
        email="jane.doe@acme.example",
        department="Finance",
        title="Controller",
    )
    HostFactory(
        account=account,
        first_name="Maximilian",
        last_name="Longname",
        email="maximilian.alexander.longname-of-the-family@subsidiary.acme.example",
        department="Research and Development, Advanced Materials Laboratory",
    )
    HostFactory.create_batch(30, account=account)
    group = HostGroupFactory(account=account, name="Reception")
    HostGroupMembershipFactory(group=group, host=jane)
    VisitFactory(account=account, host=jane, visitor_name="Vera Visitor")
    VisitFactory(account=account, host=None, host_name="", visitor_name="Rita Reception")
    kiosk_device_create(account=account, name="Front desk iPad")
    return {"host": jane, "group": group}


def log_in(new_page, user, width):
    page = new_page(viewport={"width": width, "height": WIDTHS[width]})
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    return page


def check_page(page, name, width):
    """No axe violations, nothing wider than the screen, no CSP problem; a screenshot."""
    page.wait_for_load_state()
    save_screenshot(page, f"{name}-{width}")
    assert axe_violations(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert page.problems == [], name


@pytest.mark.parametrize("width", sorted(WIDTHS, reverse=True))
def test_every_admin_page_at_three_widths(new_page, admin, data, width):
    page = log_in(new_page, admin, width)
    host, group = data["host"], data["group"]
    pages = [
        ("hosts-list", "/hosts/"),
        ("host-detail", f"/hosts/{host.public_id}/"),
        ("host-form", "/hosts/new/"),
        ("groups-list", "/groups/"),
        ("group-detail", f"/groups/{group.public_id}/?q=a"),
        ("visits-list", "/visits/"),
        ("preferences", "/preferences/"),
        ("hosts-empty-search", "/hosts/?q=nobody-at-all"),
    ]
    for name, url in pages:
        page.goto(url)
        check_page(page, name, width)
    # A form error sits under its field and is announced with it.
    page.goto("/hosts/new/")
    page.get_by_label("Mobile (SMS)").fill("abc")
    page.get_by_role("button", name="Add host").click()
    page.locator("#id_mobile_error").wait_for()
    check_page(page, "host-form-error", width)


def test_import_report_with_a_400_character_cell_stays_inside_the_card(new_page, admin, tmp_path):
    long_cell = "x" * 400
    csv_file = tmp_path / "hosts.csv"
    csv_file.write_text(
        "first_name,last_name,display_name,email,alternate_email,mobile,alternate_mobile,"
        f"title,department,organization\nAnn,One,,ann@acme.example,{long_cell},,,,,\n"
    )
    for width in (1280, 390):
        page = log_in(new_page, admin, width)
        page.goto("/hosts/import/")
        page.get_by_label("CSV file").set_input_files(str(csv_file))
        page.get_by_role("button", name="Import").click()
        page.get_by_role("heading", name="Nothing was imported").wait_for()
        check_page(page, "import-report-long-cell", width)
        card = page.locator("section.card", has=page.locator("#report-title")).bounding_box()
        reason = page.locator("table.report td").last.bounding_box()
        if width == 1280:
            # The long cell wraps: the reason column stays on screen, inside the card.
            assert reason["x"] + reason["width"] <= card["x"] + card["width"] + 1
        else:
            # A phone: the table scrolls inside its own region, the page does not.
            region = page.locator(".table-scroll")
            assert region.evaluate("el => el.scrollWidth > el.clientWidth")
            box = region.bounding_box()
            assert box["x"] + box["width"] <= card["x"] + card["width"] + 1


def test_phone_menu_works_by_keyboard(new_page, admin, data):
    page = log_in(new_page, admin, 390)
    page.goto("/hosts/")
    toggle = page.get_by_role("button", name="Menu")
    nav_link = page.locator("#mainnav").get_by_role("link", name="Visits")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav_link.is_visible()

    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav_link.is_visible()
    save_screenshot(page, "nav-menu-open-390")
    assert axe_violations(page) == []

    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav_link.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")

    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Home"
    nav_link.click()
    page.wait_for_url(re.compile(r"/visits/$"))


def test_the_menu_button_is_not_shown_on_a_wide_screen(new_page, admin, data):
    page = log_in(new_page, admin, 1280)
    page.goto("/hosts/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.locator("#mainnav").get_by_role("link", name="Visits").is_visible()


def test_columns_sort_by_clicking_their_header(new_page, admin, data):
    page = log_in(new_page, admin, 1280)
    page.goto("/hosts/")
    page.get_by_role("link", name="Department").click()
    page.wait_for_url(re.compile(r"sort=department"))
    header = page.locator("th", has_text="Department")
    assert header.get_attribute("aria-sort") == "ascending"
    page.get_by_role("link", name="Department").click()
    page.wait_for_url(re.compile(r"sort=-department"))
    assert page.locator("th", has_text="Department").get_attribute("aria-sort") == "descending"
    first = page.locator("tbody tr").first.locator("td").nth(2).inner_text()
    assert first == "Research and Development, Advanced Materials Laboratory"
    save_screenshot(page, "hosts-list-sorted-1280")

    page.goto("/visits/")
    page.get_by_role("link", name="Visitor", exact=True).click()
    page.wait_for_url(re.compile(r"sort=visitor"))
    rows = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert [r.split("\n")[0] for r in rows] == ["Rita Reception", "Vera Visitor"]


def test_copy_buttons_copy_the_kiosk_address(new_page, admin, data, account, live_server):
    page = log_in(new_page, admin, 1280)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/preferences/#kiosk")
    button = page.get_by_role("button", name="Copy kiosk address")
    button.click()
    page.get_by_role("button", name="Copy kiosk address").filter(has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/kiosk/{account.slug}/"
    # The Preferences side menu reaches each section.
    page.locator(".prefs-menu").get_by_role("link", name="General").click()
    assert page.url.endswith("#general")


def test_the_first_admin_browser_sets_the_account_time_zone(new_page, account):
    admin = MembershipFactory(account=account, role=Membership.Role.ADMIN).user
    assert account.time_zone == ""
    page = new_page(timezone_id="Europe/Oslo")
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(admin.get_username())
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/preferences/time-zone/detect/")) as sent:
        page.get_by_role("button", name="Log in").click()
    assert sent.value.status == 200
    account.refresh_from_db()
    assert account.time_zone == "Europe/Oslo"
    page.goto("/preferences/")
    assert page.get_by_label("Time zone").input_value() == "Europe/Oslo"
    assert page.problems == []
