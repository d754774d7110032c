"""The kiosk's typeahead in Chromium: the length hint goes once enough is typed, and a
matching team is not announced as "Nobody matches" (issue 16)."""

import pytest

from tests.factories import HostFactory, HostGroupFactory, HostGroupMembershipFactory
from tests.kiosk.test_kiosk_browser import activate
from visitor_mgmt.kiosk.services import kiosk_device_create

pytestmark = pytest.mark.browser


def test_typeahead_hint_and_team_match(new_page, account):
    group = HostGroupFactory(account=account, name="Reception")
    HostGroupMembershipFactory(group=group, host=HostFactory(account=account, first_name="Al"))
    _, raw_key = kiosk_device_create(account=account, name="Lobby")
    page = new_page()
    activate(page, account, raw_key)
    page.get_by_label("Your name").fill("Vera Visitor")
    page.get_by_role("button", name="Next").click()

    hint = page.locator("#host-q-hint")
    assert hint.is_visible()
    field = page.get_by_label("Name of the person")
    field.press_sequentially("r", delay=20)
    assert hint.is_visible()
    field.press_sequentially("ec", delay=20)
    hint.wait_for(state="hidden")
    page.locator("#group-results button", has_text="Reception").wait_for()
    page.wait_for_timeout(300)  # let the last response render
    assert page.get_by_text("Nobody matches").count() == 0

    field.fill("")
    field.press_sequentially("zzz", delay=20)
    page.get_by_text("Nobody matches").wait_for()
    field.fill("")
    field.press_sequentially("x", delay=20)
    hint.wait_for(state="visible")
    assert page.problems == []
