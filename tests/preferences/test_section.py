"""What the "SCIM Host Provisioning" section of the Preferences page shows."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from scim_hosts.models import ProvisioningEvent
from scim_hosts.preferences.services import section_context
from tests.factories import (
    DirectoryHostFactory,
    HostFactory,
    HostGroupFactory,
    ProvisioningEventFactory,
    ScimTokenFactory,
)
from tests.preferences.helpers import LOG_URL, MAPPINGS_URL, PREFERENCES_URL, section_html
from visitor_mgmt.models import Source

pytestmark = pytest.mark.django_db


def test_section_is_on_the_preferences_page(admin_client):
    html = section_html(admin_client)
    assert '<h2 id="scim-title">SCIM Host Provisioning</h2>' in html


def test_not_configured(admin_client, settings):
    html = section_html(admin_client)
    assert 'data-status="not-configured"' in html
    assert "Not configured" in html
    assert "Generate token" in html
    assert "Rotate token" not in html
    assert "Disable provisioning" not in html
    assert "<dt>Last successful request</dt>\n  <dd>never</dd>" in html
    assert "No provisioning activity yet." in html


def test_tenant_url_is_always_shown_with_a_copy_button(admin_client, settings):
    settings.PUBLIC_BASE_URL = "https://visitors.example.com"
    html = section_html(admin_client)
    assert '<label for="scim-tenant-url">Tenant URL</label>' in html
    assert 'id="scim-tenant-url" value="https://visitors.example.com/scim/v2" readonly' in html
    assert 'data-copy-target="scim-tenant-url"' in html


def test_counts_live_directory_hosts_and_groups_of_this_account(
    admin_client, account, other_account
):
    DirectoryHostFactory.create_batch(3, account=account)
    DirectoryHostFactory(account=account, deleted_at=timezone.now())  # tombstone
    DirectoryHostFactory(account=account, is_active=False)  # inactive still provisioned
    HostFactory.create_batch(2, account=account)  # added by hand
    DirectoryHostFactory.create_batch(5, account=other_account)
    HostGroupFactory.create_batch(2, account=account, source=Source.DIRECTORY)
    HostGroupFactory(account=account)
    HostGroupFactory(account=other_account, source=Source.DIRECTORY)
    html = section_html(admin_client)
    assert "<dt>Directory-managed hosts</dt>\n  <dd>4</dd>" in html
    assert "<dt>Directory-managed host groups</dt>\n  <dd>2</dd>" in html


def test_connected_and_last_request_time(admin_client, account):
    used = timezone.now().replace(microsecond=0)
    ScimTokenFactory(account=account, last_used_at=used, last_success_at=used)
    html = section_html(admin_client)
    assert 'data-status="connected"' in html
    assert f'<time datetime="{used.isoformat()}">' in html
    assert "Disable provisioning" in html


def test_recent_activity_shows_the_latest_ten(admin_client, account):
    for n in range(12):
        ProvisioningEventFactory(account=account, resource_name=f"host-{n:02d}@contoso.com")
    ProvisioningEventFactory(
        account=account,
        method="PATCH",
        resource_type="Group",
        resource_name="Reception",
        resource_id="a1b2",
        action="updated",
        outcome=ProvisioningEvent.Outcome.FAILURE,
        status=400,
        reason="Unknown member id",
    )
    html = section_html(admin_client)
    assert html.count('<tr class="scim-event">') == 10
    assert "host-11@contoso.com" in html and "host-03@contoso.com" in html
    assert "host-02@contoso.com" not in html
    # Newest first, with action, resource, outcome and reason.
    assert html.index("Reception") < html.index("host-11@contoso.com")
    assert "Group Reception" in html and "a1b2" in html
    assert "Failure" in html and "Unknown member id" in html
    assert f'href="{LOG_URL}"' in html


def test_token_events_show_who_did_it(admin_client, admin_user):
    admin_client.post("/preferences/scim/token/generate/")
    html = section_html(admin_client)
    assert "Token generated" in html
    assert f"by {admin_user.get_username()}" in html


def test_setup_steps_and_mappings_link(admin_client):
    html = section_html(admin_client)
    for words in [
        "Enterprise applications",
        "Provisioning Mode",
        "Automatic",
        "Admin Credentials",
        "Test Connection",
        "Mappings",
        "Provisioning Status",
    ]:
        assert words in html
    assert f'href="{MAPPINGS_URL}"' in html


def test_section_costs_nine_queries_whatever_the_account_size(
    account, admin_user, rf, django_assert_num_queries
):
    ScimTokenFactory(account=account)
    DirectoryHostFactory.create_batch(20, account=account)
    HostGroupFactory.create_batch(5, account=account, source=Source.DIRECTORY)
    ProvisioningEventFactory.create_batch(30, account=account, actor=admin_user)
    request = rf.get(PREFERENCES_URL)
    request.session = SessionStore()
    request.user = admin_user
    # token, the identity provider chosen, the last hour's outcomes (status), the grace
    # token, the directory-managed host count (HostTally) and group count, recent link
    # conflicts, the alert opt-out, recent events (with their actors). The link preview's
    # host counts are read only before connecting.
    with django_assert_num_queries(9):
        context = section_context(request, account)
        assert len(context["events"]) == 10
        assert {e.actor.get_username() for e in context["events"]} == {admin_user.username}


def test_no_inline_scripts_or_styles(admin_client, account):
    ScimTokenFactory(account=account)
    ProvisioningEventFactory(account=account)
    html = section_html(admin_client)
    assert "<script" not in html
    assert "style=" not in html
