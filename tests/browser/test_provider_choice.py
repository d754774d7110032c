"""The admin picks an identity provider in "SCIM Host Provisioning" and sees its own steps,
in a real Chromium against a live server, at three widths, checked with axe-core.

Screenshots go to $SCREENSHOT_DIR when set, else to pytest's tmp folder; the test prints
where (run with -s to see it).
"""

import pytest
from django.conf import settings

from tests.browser.test_scim_preferences import log_in, make_user, scim_status
from tests.browser_support import axe_violations, save_screenshot
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "tablet": 768, "phone": 390}


def test_admin_chooses_okta_and_follows_its_steps(new_page, live_server):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    page = new_page()
    log_in(page, admin)
    page.goto("/preferences/#scim")
    section = page.locator("section#scim")
    expect(page.get_by_role("heading", name="SCIM Host Provisioning")).to_be_visible()

    picker = section.get_by_label("Provision hosts from")
    expect(picker).to_have_value("entra")  # the default
    expect(
        section.get_by_role("heading", name="Set up provisioning in Microsoft Entra ID")
    ).to_be_visible()
    assert axe_violations(page) == []

    picker.select_option(label="Okta")
    section.get_by_role("button", name="Show its steps").click()
    expect(page.get_by_role("status").filter(has_text="Identity provider: Okta")).to_be_visible()
    section = page.locator("section#scim")
    expect(section.get_by_label("Provision hosts from")).to_have_value("okta")
    steps = section.locator("ol.scim-steps")
    expect(section.get_by_role("heading", name="Set up provisioning in Okta")).to_be_visible()
    expect(steps).to_contain_text("Unique identifier field for users")
    expect(steps).to_contain_text("Push Groups")
    expect(
        section.get_by_role("heading", name="Set up provisioning in Microsoft Entra ID")
    ).to_have_count(0)
    expect(section.get_by_label("SCIM connector base URL")).to_have_value(
        settings.PUBLIC_BASE_URL + "/scim/v2"
    )

    # The token, under Okta's name for it; the status waits for Okta.
    section.get_by_role("button", name="Generate token").click()
    token = page.get_by_label("API token")
    expect(token).to_be_visible()
    expect(page.locator("#scim-status-badge")).to_have_text("Waiting for Okta")
    expect(page.locator("#scim-secret-token-warning")).to_contain_text(
        "Test Connector Configuration"
    )
    raw = token.input_value()

    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#scim-provider-title").scroll_into_view_if_needed()
        picker_box = page.locator("#scim-provider").bounding_box()
        assert picker_box["x"] >= 0 and picker_box["x"] + picker_box["width"] <= width + 1, name
        for step in page.locator("ol.scim-steps li").all():
            box = step.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, name
        assert axe_violations(page) == [], name
        path = save_screenshot(page, f"scim-provider-okta-{width}")
        assert path.stat().st_size > 0

    # Okta's "Test Connector Configuration" (a userName query) connects it.
    assert scim_status(live_server.url, raw) == 200
    page.goto("/preferences/#scim")  # not a reload: that would send the token's POST again
    expect(page.locator("#scim-status-badge")).to_have_text("Connected")

    # Its own attribute-mappings page.
    page.locator("section#scim").get_by_role(
        "link", name="SCIM attribute mappings reference for Okta"
    ).click()
    expect(page.get_by_role("columnheader", name="Okta attribute").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("user.firstName")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 900})
    save_screenshot(page, "scim-provider-okta-mappings-390")
    assert page.problems == []


def test_every_provider_shows_its_steps_without_accessibility_violations(new_page):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    page = new_page()
    log_in(page, admin)
    page.goto("/preferences/#scim")
    for label, heading in [
        ("OneLogin", "Set up provisioning in OneLogin"),
        ("JumpCloud", "Set up provisioning in JumpCloud"),
        ("PingOne", "Set up provisioning in PingOne"),
        ("Other SCIM 2.0 client", "Set up provisioning in your SCIM client"),
        ("Microsoft Entra ID", "Set up provisioning in Microsoft Entra ID"),
    ]:
        section = page.locator("section#scim")
        section.get_by_label("Provision hosts from").select_option(label=label)
        section.get_by_role("button", name="Show its steps").click()
        expect(page.locator("section#scim").get_by_role("heading", name=heading)).to_be_visible()
        assert axe_violations(page) == [], label
        key = page.locator("#scim-provider").input_value()
        page.set_viewport_size({"width": 1280, "height": 900})
        save_screenshot(page, f"scim-provider-{key}-1280")
    assert page.problems == []
