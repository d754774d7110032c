"""Kiosk and Visits bugs found while reviewing the product (issue 16), one test each."""

import csv
import io

import pytest
from django.core import mail

from tests.factories import HostFactory, HostGroupFactory, HostGroupMembershipFactory
from tests.kiosk.helpers import visitor
from tests.kiosk.test_sign_in import sign_in
from visitor_mgmt.kiosk.selectors import kiosk_display_name
from visitor_mgmt.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reception_group(account):
    group = HostGroupFactory(account=account, name="Reception")
    HostGroupMembershipFactory(group=group, host=HostFactory(account=account))
    return group


def test_a_group_has_been_notified_in_the_singular(
    kiosk_client, account, reception_group, django_capture_on_commit_callbacks
):
    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, group=reception_group.public_id
    )
    text = response.content.decode()
    assert "Everyone in Reception has been notified" in text
    assert "have been notified" not in text


def test_nobody_matches_is_not_shown_above_a_matching_team(kiosk_client, account, reception_group):
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "rec"})
    page = response.content.decode()
    assert str(reception_group.public_id) in page
    assert "Nobody matches" not in page


def test_the_minimum_length_hint_is_hidden_once_a_search_ran(kiosk_client, account, host):
    before = kiosk_client.post(f"/kiosk/{account.slug}/host/", visitor()).content.decode()
    assert '<p id="host-q-hint" class="kiosk-hint">' in before
    after = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "jane"})
    assert '<p id="host-q-hint" class="kiosk-hint" hidden>' in after.content.decode()


def test_a_host_without_email_sends_the_visitor_to_reception(
    kiosk_client, account, django_capture_on_commit_callbacks
):
    account.kiosk_fallback_email = "desk@acme.example"
    account.save()
    quiet = HostFactory(account=account, first_name="Quinn", last_name="Quiet", email="")
    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, host=quiet.public_id
    )
    assert b"Reception has been notified" in response.content
    assert [m.to for m in mail.outbox] == [["desk@acme.example"]]
    assert "Quinn Quiet" in mail.outbox[0].body
    visit = Visit.objects.get()
    assert visit.host == quiet
    assert visit.notification_status == Visit.Notification.SENT


def test_a_host_without_email_and_no_reception_asks_the_visitor_to_go_there(
    kiosk_client, account, django_capture_on_commit_callbacks
):
    quiet = HostFactory(account=account, email="")
    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, host=quiet.public_id
    )
    assert b"Please let reception know you are here" in response.content
    assert b"has been notified" not in response.content
    assert mail.outbox == []


def test_short_names_leave_a_shared_desk_whole(account):
    desk = HostFactory(account=account, first_name="", last_name="", display_name="Front Desk")
    person = HostFactory(account=account, first_name="Jane", last_name="Doe")
    assert kiosk_display_name(desk, short_names=True) == "Front Desk"
    assert kiosk_display_name(person, short_names=True) == "Jane D."


def test_short_names_label_is_about_hosts(admin_client):
    html = admin_client.get("/preferences/").content.decode()
    assert "Show hosts to visitors by first name and last initial" in html
    assert "shared “Front Desk”, keep their full name" in html
    assert "Show visitors only" not in html


def _export(client, query=""):
    response = client.get(f"/visits/export.csv{query}")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_reception_visits_are_named_in_the_export_and_found_by_the_filter(
    staff_client, account, host, django_capture_on_commit_callbacks
):
    from visitor_mgmt.services.visits import visit_sign_in

    account.kiosk_fallback_email = "desk@acme.example"
    account.save()
    visit_sign_in(account=account, visitor_name="Rita", to_reception=True)
    visit_sign_in(account=account, visitor_name="Hank", host=host)

    rows = {r["visitor_name"]: r for r in _export(staff_client)}
    assert rows["Rita"]["host"] == "Reception"
    assert rows["Hank"]["host"] == "Jane Doe"

    response = staff_client.get("/visits/", {"host": "recep"})
    assert [v.visitor_name for v in response.context["page"].object_list] == ["Rita"]
    assert [r["visitor_name"] for r in _export(staff_client, "?host=Reception")] == ["Rita"]
