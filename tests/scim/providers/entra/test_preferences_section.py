"""The section reflects what Entra did over SCIM with the token it shows."""

import pytest
from django.test import Client

from tests.preferences.helpers import GENERATE_URL, section_html, tokens_in
from tests.scim.support import CORE_GROUP, CORE_USER, ScimClient

pytestmark = pytest.mark.django_db


def test_counts_last_request_and_activity_follow_entras_requests(admin_client):
    (raw,) = set(tokens_in(admin_client.post(GENERATE_URL)))
    before = section_html(admin_client)
    assert "<dt>Last successful request</dt>\n  <dd>never</dd>" in before

    entra = ScimClient(Client(), raw)
    user = {
        "schemas": [CORE_USER],
        "userName": "ada.lovelace@contoso.com",
        "active": True,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"type": "work", "value": "ada@contoso.com", "primary": True}],
    }
    created = entra.post("/Users", user)
    assert created.status_code == 201
    group = {
        "schemas": [CORE_GROUP],
        "displayName": "Reception",
        "members": [{"value": created.json()["id"]}],
    }
    assert entra.post("/Groups", group).status_code == 201
    # A request that fails is in the activity too.
    bad = entra.post("/Users", {"schemas": user["schemas"]})
    assert bad.status_code == 400

    html = section_html(admin_client)
    assert "<dt>Directory-managed hosts</dt>\n  <dd>1</dd>" in html
    assert "<dt>Directory-managed host groups</dt>\n  <dd>1</dd>" in html
    assert "<dt>Last successful request</dt>\n  <dd>never</dd>" not in html
    # The latest request failed: the badge says so, and why, in words.
    assert 'data-status="failing"' in html
    assert "Microsoft Entra ID&#x27;s POST User request was refused (HTTP 400" in html
    assert "ada.lovelace@contoso.com" in html
    assert "Reception" in html
    assert "Failure" in html
