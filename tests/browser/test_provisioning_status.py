"""The admin watches provisioning start and fail, in a real Chromium against a live server:
Waiting → Connected after Entra's first request, then the explanation after Entra uses a
replaced token; the rotation with a grace period and Disconnect, checked with axe-core."""

import json

import pytest

from tests.browser.test_scim_preferences import http_get, log_in, make_user, scim_status
from tests.browser_support import axe_violations
from tests.factories import HostFactory
from visitor_mgmt.models import Host, Membership, Source

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "tablet": 768, "phone": 390}


def test_waiting_connected_then_explained_failure(new_page, live_server):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    account = admin.membership.account
    HostFactory.create_batch(2, account=account)
    HostFactory(account=account, email="")
    page = new_page()
    log_in(page, admin)
    page.goto("/preferences/#scim")
    section = page.locator("section#scim")
    expect(section.locator("#scim-link-preview")).to_contain_text(
        "2 hosts have an e-mail and will be linked"
    )
    expect(section.locator("#scim-link-preview")).to_contain_text("1 has no e-mail")

    section.get_by_role("button", name="Generate token").click()
    first = page.get_by_label("Secret Token").input_value()
    badge = page.locator("#scim-status-badge")
    expect(badge).to_have_text("Waiting for Microsoft Entra ID")
    assert axe_violations(page) == []

    # Entra's Test Connection.
    assert scim_status(live_server.url, first) == 200
    page.goto("/preferences/#scim")  # the token came in the POST's answer: open the page anew
    expect(badge).to_have_text("Connected")
    expect(page.locator(".scim-status-detail")).to_contain_text("Last successful request")

    # Rotate with the old token working for an hour: both work, the page says until when.
    page.locator("section#scim").get_by_role("link", name="Rotate token").click()
    page.get_by_label("Keeps working for 1 hour").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Rotate token now").click()
    second = page.get_by_label("Secret Token").input_value()
    expect(page.locator(".scim-grace")).to_contain_text("keeps working until")
    assert scim_status(live_server.url, first) == 200
    assert scim_status(live_server.url, second) == 200

    # The admin ends it early; Entra still sends the old token: the page says what to do.
    page.get_by_role("button", name="Stop the previous token now").click()
    assert scim_status(live_server.url, first) == 401
    page.reload()
    expect(badge).to_have_text("Failing")
    explanation = page.locator("#scim-status-explanation")
    expect(explanation).to_contain_text("Microsoft Entra ID used a token that was replaced on")
    expect(explanation).to_contain_text("paste the new token into Microsoft Entra ID's Admin")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        expect(explanation).to_be_visible()
        box = explanation.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, name
        assert axe_violations(page) == [], name
    assert page.problems == []

    # Entra uses the new token: connected again.
    assert scim_status(live_server.url, second) == 200
    page.reload()
    expect(badge).to_have_text("Connected")


def test_disconnect_from_the_page(new_page, live_server):
    from playwright.sync_api import expect

    admin = make_user(Membership.Role.ADMIN)
    account = admin.membership.account
    host = HostFactory(account=account, email="ada@contoso.com", username="")
    page = new_page()
    log_in(page, admin)
    page.goto("/preferences/#scim")
    page.locator("section#scim").get_by_role("button", name="Generate token").click()
    raw = page.get_by_label("Secret Token").input_value()

    # Entra links the existing host by e-mail (matching query, then an update).
    query = "/scim/v2/Users?filter=userName+eq+%22ADA%40contoso.com%22"
    status, body = http_get(live_server.url + query, {"Authorization": f"Bearer {raw}"})
    assert status == 200
    assert [r["id"] for r in json.loads(body)["Resources"]] == [str(host.public_id)]
    page.request.patch(
        f"{live_server.url}/scim/v2/Users/{host.public_id}",
        headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/scim+json"},
        data=json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "title", "value": "CTO"}],
            }
        ),
    )
    assert Host.objects.get(pk=host.pk).source == Source.DIRECTORY

    page.goto("/preferences/#scim")  # the token came in the POST's answer: open the page anew
    page.locator("section#scim").get_by_role("link", name="Disconnect…").click()
    expect(page.get_by_role("heading", name="Disconnect Microsoft Entra ID?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 directory-managed host")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Disconnect", exact=True).click()
    expect(page.locator("#scim-status-badge")).to_have_text("Not configured")
    assert scim_status(live_server.url, raw) == 401
    assert Host.objects.get(pk=host.pk).source == Source.MANUAL
    assert page.problems == []
