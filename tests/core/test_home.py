"""The home page: who is on site (quick sign-out), today's visits, failed notifications
(retry), the provisioning panel scim_hosts registers, and a new account's checklist."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.factories import (
    HostFactory,
    ScimTokenFactory,
    UserFactory,
    VisitFactory,
)
from tests.kiosk.helpers import closed_port
from visitor_mgmt import home as home_registry
from visitor_mgmt.kiosk.services import kiosk_device_create
from visitor_mgmt.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


def failed_visit(account, host, **extra):
    return VisitFactory(
        account=account,
        host=host,
        notification_status=Visit.Notification.FAILED,
        notification_error="SMTPConnectError: connection refused",
        notification_attempts=1,
        **extra,
    )


def section(html, section_id):
    start = html.index(f'id="{section_id}"')
    end = html.find("</section>", start)
    return html[start:end]


# --- who sees it -------------------------------------------------------------------------


def test_staff_and_admins_have_a_home_page(admin_client, staff_user):
    assert admin_client.get("/").status_code == 200
    staff = Client()
    staff.force_login(staff_user)
    assert staff.get("/").status_code == 200


def test_a_user_without_an_account_is_refused(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 403


# --- on site and today ------------------------------------------------------------------


def test_on_site_lists_todays_visitors_not_signed_out(admin_client, account, host, other_account):
    VisitFactory(account=account, host=host, visitor_name="Here Now")
    VisitFactory(
        account=account, host=host, visitor_name="Already Gone", signed_out_at=timezone.now()
    )
    yesterday = VisitFactory(account=account, host=host, visitor_name="Yesterday Person")
    Visit.objects.filter(pk=yesterday.pk).update(
        signed_in_at=timezone.now() - timedelta(days=1, hours=1)
    )
    VisitFactory(account=other_account, host=None, visitor_name="Stranger Visitor")

    html = admin_client.get("/").content.decode()
    on_site = section(html, "on-site")
    assert "Here Now" in on_site
    assert "visiting Jane Doe" in on_site
    assert "Already Gone" not in on_site
    assert "Yesterday Person" not in on_site
    today = section(html, "today")
    assert "Here Now" in today and "Already Gone" in today
    assert "Yesterday Person" not in today
    assert "Stranger Visitor" not in html


def test_quick_sign_out(admin_client, account, host):
    visit = VisitFactory(account=account, host=host, visitor_name="Here Now")
    response = admin_client.post(f"/home/visits/{visit.pk}/sign-out/")
    assert response.status_code == 302
    assert response.url == "/"
    visit.refresh_from_db()
    assert visit.signed_out_at is not None
    assert "Here Now" not in section(admin_client.get("/").content.decode(), "on-site")


def test_quick_sign_out_needs_post_csrf_and_the_same_account(staff_user, other_account):
    visit = VisitFactory(account=staff_user.membership.account, host=None)
    stranger = VisitFactory(account=other_account, host=None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.get(f"/home/visits/{visit.pk}/sign-out/").status_code == 405
    assert client.post(f"/home/visits/{visit.pk}/sign-out/").status_code == 403
    client = Client()
    client.force_login(staff_user)
    assert client.post(f"/home/visits/{stranger.pk}/sign-out/").status_code == 404
    stranger.refresh_from_db()
    visit.refresh_from_db()
    assert stranger.signed_out_at is None and visit.signed_out_at is None


def test_today_shows_a_link_to_all_of_them_past_twenty(admin_client, account, host):
    for n in range(22):
        VisitFactory(account=account, host=host, visitor_name=f"Visitor {n}")
    today = section(admin_client.get("/").content.decode(), "today")
    assert "All 22 of today's visits" in today
    assert today.count("<tr>") == 21  # header + 20


# --- failed notifications -----------------------------------------------------------------


def test_failed_notifications_are_listed_with_their_reason(admin_client, account, host):
    failed_visit(account, host, visitor_name="Unlucky Visitor")
    VisitFactory(account=account, host=host, notification_status=Visit.Notification.SENT)
    old = failed_visit(account, host, visitor_name="Last Week")
    Visit.objects.filter(pk=old.pk).update(signed_in_at=timezone.now() - timedelta(days=2))
    failed = section(admin_client.get("/").content.decode(), "failed-notifications")
    assert "Unlucky Visitor" in failed
    assert "connection refused" in failed
    assert "Last Week" not in failed


def test_retry_sends_the_notification(staff_client, account, host):
    visit = failed_visit(account, host, visitor_name="Unlucky Visitor")
    response = staff_client.post(f"/home/visits/{visit.pk}/retry/", follow=True)
    assert "was sent" in response.content.decode()
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.SENT
    assert visit.notification_attempts == 2
    (message,) = mail.outbox
    assert host.email in message.to
    assert "Unlucky Visitor" not in section(response.content.decode(), "failed-notifications")


def test_retry_that_fails_again_says_why(staff_client, account, host, failing_smtp):
    visit = failed_visit(account, host)
    response = staff_client.post(f"/home/visits/{visit.pk}/retry/", follow=True)
    assert "Sending failed again" in response.content.decode()
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.FAILED
    assert visit.notification_attempts == 2


def test_retry_refuses_a_sent_notification(staff_client, account, host):
    visit = VisitFactory(account=account, host=host, notification_status=Visit.Notification.SENT)
    response = staff_client.post(f"/home/visits/{visit.pk}/retry/", follow=True)
    assert "nothing to retry" in response.content.decode()
    assert mail.outbox == []


def test_retry_of_another_accounts_visit_is_not_found(staff_client, other_account):
    stranger_host = HostFactory(account=other_account)
    visit = failed_visit(other_account, stranger_host)
    assert staff_client.post(f"/home/visits/{visit.pk}/retry/").status_code == 404
    assert staff_client.post("/home/notifications/retry/").status_code == 302
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.FAILED
    assert mail.outbox == []


def test_retry_all(staff_client, account, host):
    visits = [failed_visit(account, host) for _ in range(3)]
    html = staff_client.get("/").content.decode()
    assert "Retry all 3" in html
    response = staff_client.post("/home/notifications/retry/", follow=True)
    assert "All 3 notifications were sent" in response.content.decode()
    assert {Visit.objects.get(pk=v.pk).notification_status for v in visits} == {
        Visit.Notification.SENT
    }


# --- the provisioning panel (registered by scim_hosts) ------------------------------------


def test_admins_see_the_provisioning_status(admin_client):
    panel = section(admin_client.get("/").content.decode(), "provisioning")
    assert "Directory provisioning" in panel
    assert 'data-status="not-configured"' in panel
    assert 'href="/preferences/#scim"' in panel


def test_the_provisioning_status_follows_the_token(admin_client, account):
    ScimTokenFactory(account=account, last_success_at=timezone.now())
    panel = section(admin_client.get("/").content.decode(), "provisioning")
    assert 'data-status="connected"' in panel


def test_staff_do_not_see_the_provisioning_panel(staff_client):
    assert 'id="provisioning"' not in staff_client.get("/").content.decode()


def test_the_core_shows_whatever_panels_are_registered(admin_client, monkeypatch):
    monkeypatch.setattr(home_registry, "_panels", {})
    html = admin_client.get("/").content.decode()
    assert 'id="provisioning"' not in html
    home_registry.register_home_panel(
        home_registry.HomePanel(
            key="visits-api", title="Visits API", template="scim_hosts/home_panel.html"
        )
    )
    assert 'id="visits-api"' in admin_client.get("/").content.decode()


# --- onboarding checklist -----------------------------------------------------------------


def steps(html):
    if 'id="onboarding"' not in html:
        return None
    checklist = section(html, "onboarding")
    return {
        key: f'data-step="{key}"' in checklist
        and "done" in checklist.split(f'data-step="{key}"')[0].rsplit("<li", 1)[1]
        for key in ("hosts", "kiosk", "visit")
    }


def test_a_new_account_sees_the_checklist_until_every_step_is_done(
    admin_client, admin_user, account, django_capture_on_commit_callbacks
):
    assert steps(admin_client.get("/").content.decode()) == {
        "hosts": False,
        "kiosk": False,
        "visit": False,
    }
    host = HostFactory(account=account, email=admin_user.email)
    kiosk_device_create(account=account, name="Front desk")
    assert steps(admin_client.get("/").content.decode()) == {
        "hosts": True,
        "kiosk": True,
        "visit": False,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/home/test-visit/", {"host_email": host.email.upper()})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.visitor_name, visit.host) == ("Test visitor", host)
    assert mail.outbox[0].to[0] == host.email
    assert steps(admin_client.get("/").content.decode()) is None


def test_a_connected_identity_provider_is_the_hosts_step(admin_client, account):
    """The core learns it from the panel scim_hosts registered, not by importing it."""
    ScimTokenFactory(account=account)  # a token, but nothing provisioned yet
    assert steps(admin_client.get("/").content.decode())["hosts"] is False
    ScimTokenFactory._meta.model.objects.update(last_success_at=timezone.now())
    assert steps(admin_client.get("/").content.decode())["hosts"] is True
    assert 'href="/preferences/#scim"' in admin_client.get("/").content.decode()


def test_a_revoked_kiosk_keeps_its_step_done(admin_client, account):
    device, _ = kiosk_device_create(account=account, name="Front desk")
    device.revoked_at = timezone.now()
    device.save()
    assert steps(admin_client.get("/").content.decode())["kiosk"] is True


def test_staff_do_not_see_the_checklist(staff_client):
    assert steps(staff_client.get("/").content.decode()) is None


def test_a_test_visit_to_an_unknown_address_is_a_form_error(admin_client, account, other_account):
    stranger = HostFactory(account=other_account)
    inactive = HostFactory(account=account, is_active=False)
    for email in ("nobody@acme.example", stranger.email, inactive.email, "not-an-address"):
        response = admin_client.post("/home/test-visit/", {"host_email": email})
        assert response.status_code == 400
        assert 'id="trial-error"' in response.content.decode()
    assert not Visit.objects.exists()


def test_staff_cannot_send_a_test_visit(staff_client, account, host):
    assert staff_client.post("/home/test-visit/", {"host_email": host.email}).status_code == 403
