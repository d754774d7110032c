"""One date and time format on every page, in the account's time zone, naming the zone."""

import re
from datetime import UTC, datetime

import pytest

from scim_hosts.models import ProvisioningEvent, ScimToken
from sso.models import SsoEvent
from tests.factories import (
    HostFactory,
    ProvisioningEventFactory,
    ScimTokenFactory,
    VisitFactory,
)
from visitor_mgmt.kiosk.services import kiosk_device_create
from visitor_mgmt.models import Host, KioskDevice, PeopleEvent, Visit

pytestmark = pytest.mark.django_db

# 13:05 UTC is 15:05 in Paris in July (CEST).
MOMENT = datetime(2026, 7, 14, 13, 5, tzinfo=UTC)
SHOWN = "14 Jul 2026, 15:05 CEST"
# Any <time> the product renders: its text must be in the one format.
TIME_ELEMENT = re.compile(r'<time datetime="([^"]+)">([^<]*)</time>')
ONE_FORMAT = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} [A-Z][A-Za-z0-9+\-]*")
# Formats the pages used before: ISO-like "2026-07-14 15:05", and a time with no date.
OTHER_FORMATS = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}|>\s*\d{2}:\d{2}\s*<")


@pytest.fixture
def paris(account):
    account.time_zone = "Europe/Paris"
    account.save()
    return account


@pytest.fixture
def dated_records(paris):
    host = HostFactory(account=paris)
    Host.objects.filter(pk=host.pk).update(created_at=MOMENT, updated_at=MOMENT)
    visit = VisitFactory(account=paris, host=host)
    Visit.objects.filter(pk=visit.pk).update(signed_in_at=MOMENT, signed_out_at=MOMENT)
    device, _ = kiosk_device_create(account=paris, name="Lobby")
    KioskDevice.objects.filter(pk=device.pk).update(created_at=MOMENT, last_seen_at=MOMENT)
    token = ScimTokenFactory(account=paris)
    ScimToken.objects.filter(pk=token.pk).update(
        created_at=MOMENT, last_used_at=MOMENT, last_success_at=MOMENT
    )
    event = ProvisioningEventFactory(account=paris)
    ProvisioningEvent.objects.filter(pk=event.pk).update(created_at=MOMENT)
    sso_event = SsoEvent.objects.create(account=paris, action=SsoEvent.Action.CONFIGURED)
    SsoEvent.objects.filter(pk=sso_event.pk).update(created_at=MOMENT)
    people_event = PeopleEvent.objects.create(account=paris, action=PeopleEvent.Action.INVITED)
    PeopleEvent.objects.filter(pk=people_event.pk).update(created_at=MOMENT)
    return host


def _assert_one_format(html, url):
    times = TIME_ELEMENT.findall(html)
    assert times, f"{url} shows no date"
    for machine, shown in times:
        assert ONE_FORMAT.fullmatch(shown), f"{url}: {shown!r} is not in the one format"
        assert machine.endswith("+02:00"), f"{url}: {machine} is not in the account's zone"
    assert SHOWN in html, url
    assert not OTHER_FORMATS.search(html), (url, OTHER_FORMATS.search(html))
    assert "13:05" not in html, f"{url} shows a UTC time"


@pytest.mark.parametrize(
    "url",
    [
        "/hosts/{host}/",
        "/visits/",
        "/preferences/",
        "/preferences/scim/log/",
        "/preferences/sso/log/",
        "/people/",
    ],
)
def test_every_page_shows_the_one_date_format_in_the_account_zone(admin_client, dated_records, url):
    url = url.format(host=dated_records.public_id)
    response = admin_client.get(url)
    assert response.status_code == 200, url
    _assert_one_format(response.content.decode(), url)


def test_the_notification_email_uses_the_same_format(
    paris, host, django_capture_on_commit_callbacks, mailoutbox, time_machine
):
    from visitor_mgmt.services.visits import visit_sign_in
    from visitor_mgmt.time_zones import account_time_zone

    time_machine.move_to(MOMENT, tick=False)
    with account_time_zone(paris), django_capture_on_commit_callbacks(execute=True):
        visit_sign_in(account=paris, visitor_name="Vera", host=host)
    assert f"Signed in: {SHOWN}" in mailoutbox[0].body


def test_without_a_zone_the_server_zone_is_used_and_named(admin_client, account):
    visit = VisitFactory(account=account)
    Visit.objects.filter(pk=visit.pk).update(signed_in_at=MOMENT)
    html = admin_client.get("/visits/").content.decode()
    assert "14 Jul 2026, 13:05 UTC" in html


def test_the_home_page_shows_the_one_format_too(admin_client, dated_records, time_machine):
    # The home page lists today's visits: travel to the visit's day, an hour later.
    time_machine.move_to(MOMENT.replace(hour=14), tick=False)
    response = admin_client.get("/")
    assert response.status_code == 200
    _assert_one_format(response.content.decode(), "/")
