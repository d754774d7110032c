"""check_provisioning_health: one e-mail when provisioning turns Failing or Stalled, one
when it recovers, never two for one incident; an admin can switch them off."""

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from scim_hosts.access.tokens import rotate_token
from tests.factories import MembershipFactory
from tests.preferences.helpers import section_html
from visitor_mgmt.models import Membership

pytestmark = pytest.mark.django_db

PROBE = "/scim/v2/Users?filter=userName+eq+%22nobody%40contoso.com%22"
T0 = timezone.now().replace(microsecond=0)


def check():
    out = StringIO()
    call_command("check_provisioning_health", stdout=out)
    return out.getvalue()


def probe(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(PROBE).status_code


def bad_post(raw):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x" * 300}
    return (
        Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        .post("/scim/v2/Users", json.dumps(body), content_type="application/scim+json")
        .status_code
    )


@pytest.fixture
def connected(account, admin_user):
    with time_machine.travel(T0, tick=False) as clock:
        _token, raw = rotate_token(account=account, actor=admin_user)
        assert probe(raw) == 200
        yield raw, clock


def test_one_mail_per_incident_and_one_on_recovery(connected, account, admin_user):
    raw, clock = connected
    other_admin = MembershipFactory(account=account, role=Membership.Role.ADMIN).user
    MembershipFactory(account=account, role=Membership.Role.STAFF)  # staff are not told
    assert "0 new incident(s)" in check()
    assert mail.outbox == []

    clock.shift(timedelta(minutes=3))
    assert bad_post(raw) == 400
    assert "1 new incident(s) (acme)" in check()
    (alert,) = mail.outbox
    assert sorted(alert.to) == sorted([admin_user.email, other_admin.email])
    assert alert.subject == "[Visitor Management] Provisioning failing"
    assert "request was refused (HTTP 400, invalidValue)" in alert.body
    assert "/preferences/#scim" in alert.body

    for _ in range(3):  # still failing, then stalled too: the same incident
        clock.shift(timedelta(minutes=10))
        assert bad_post(raw) == 400
        assert "1 ongoing" in check()
    clock.shift(timedelta(hours=3))
    assert "1 ongoing" in check()
    assert len(mail.outbox) == 1

    assert probe(raw) == 200
    assert "1 recovered (acme)" in check()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "[Visitor Management] Provisioning recovered"
    check()
    assert len(mail.outbox) == 2


def test_a_stalled_connection_is_an_incident(connected, account):
    raw, clock = connected
    clock.shift(timedelta(hours=2, minutes=1))
    check()
    (alert,) = mail.outbox
    assert alert.subject == "[Visitor Management] Provisioning stalled"
    assert "about every 40 minutes" in alert.body


def test_an_admin_can_switch_the_mails_off(connected, account, admin_user, admin_client):
    raw, clock = connected
    other_admin = MembershipFactory(account=account, role=Membership.Role.ADMIN).user
    html = section_html(admin_client)
    assert "Stop these e-mails" in html
    response = admin_client.post("/preferences/scim/alerts/", {"enabled": "false"})
    assert response.status_code == 302
    assert "E-mail me when provisioning fails" in section_html(admin_client)

    clock.shift(timedelta(minutes=3))
    bad_post(raw)
    check()
    (alert,) = mail.outbox
    assert alert.to == [other_admin.email]

    admin_client.post("/preferences/scim/alerts/", {"enabled": "true"})
    assert "Stop these e-mails" in section_html(admin_client)


def test_staff_cannot_switch_alerts(staff_client):
    assert staff_client.post("/preferences/scim/alerts/", {"enabled": "false"}).status_code == 403


def test_the_alert_switch_is_a_post_with_csrf(admin_client, admin_user, account):
    rotate_token(account=account)
    assert admin_client.get("/preferences/scim/alerts/").status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post("/preferences/scim/alerts/", {"enabled": "false"}).status_code == 403
    assert "Stop these e-mails" in section_html(admin_client)


def test_disabling_closes_the_incident_without_a_recovery_mail(connected, account, admin_client):
    raw, clock = connected
    clock.shift(timedelta(minutes=3))
    bad_post(raw)
    check()
    assert len(mail.outbox) == 1
    admin_client.post("/preferences/scim/enabled/", {"enabled": "false"})
    assert "1 recovered" in check()  # closed: the admin acted, nothing recovered
    assert len(mail.outbox) == 1
