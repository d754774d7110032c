"""Admin-page bugs found while reviewing the product (issue 16), one test each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import HostFactory, HostGroupFactory
from visitor_mgmt.forms import HostForm
from visitor_mgmt.models import Host

pytestmark = pytest.mark.django_db

HEADER = (
    "first_name,last_name,display_name,email,alternate_email,mobile,alternate_mobile,"
    "title,department,organization"
)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_a_refused_import_does_not_say_created(admin_client):
    text = "\n".join(
        [
            HEADER,
            "Ann,One,,ann@acme.example,,,,,,",
            "Bob,Two,,bob@acme.example,,,,,,",
            "Bad,,,x,,,,,,",
        ]
    )
    upload = SimpleUploadedFile("hosts.csv", text.encode(), content_type="text/csv")
    response = admin_client.post("/hosts/import/", {"file": upload})
    html = response.content.decode()
    assert not Host.objects.exists()
    assert "Created: 2" not in html
    assert "Would be created: 2" in html
    # The report says it once; no message above the page repeats it.
    assert html.count("Nothing was imported:") == 1
    assert _messages(response) == []


def test_a_finished_import_is_reported_once(admin_client):
    upload = SimpleUploadedFile(
        "hosts.csv", f"{HEADER}\nAnn,One,,ann@acme.example,,,,,,".encode(), content_type="text/csv"
    )
    response = admin_client.post("/hosts/import/", {"file": upload})
    html = response.content.decode()
    assert "Created: 1" in html
    assert html.count("Import finished: 1 created") == 1


@pytest.fixture
def many_candidates(account):
    return [HostFactory(account=account, department="Sales") for _ in range(25)]


def test_member_search_says_when_it_shows_only_the_first_results(
    admin_client, account, many_candidates
):
    group = HostGroupFactory(account=account, name="Team")
    response = admin_client.get(f"/groups/{group.public_id}/", {"q": "sales"})
    assert len(response.context["candidates"]) == 20
    assert "Showing the first 20 matches" in response.content.decode()
    response = admin_client.get(f"/groups/{group.public_id}/", {"q": many_candidates[0].email})
    assert "Showing the first" not in response.content.decode()


def test_adding_a_member_keeps_the_search_and_names_the_host(
    admin_client, account, many_candidates
):
    group = HostGroupFactory(account=account, name="Team")
    host = many_candidates[0]
    page = admin_client.get(f"/groups/{group.public_id}/", {"q": "sales"}).content.decode()
    assert 'name="q" value="sales"' in page
    response = admin_client.post(
        f"/groups/{group.public_id}/members/add/", {"host": str(host.public_id), "q": "sales"}
    )
    assert response.url == f"/groups/{group.public_id}/?q=sales"
    response = admin_client.get(response.url)
    assert _messages(response) == [f"{host} added to Team."]
    assert "host(s)" not in response.content.decode()


def test_adding_several_members_says_hosts_in_the_plural(admin_client, account, many_candidates):
    group = HostGroupFactory(account=account, name="Team")
    response = admin_client.post(
        f"/groups/{group.public_id}/members/add/",
        {"host": [str(h.public_id) for h in many_candidates[:3]]},
        follow=True,
    )
    assert _messages(response) == ["3 hosts added to Team."]


@pytest.mark.parametrize("value", ["abc", "12ab34", "+", "555-CALL-NOW", "1" * 16, "++44 1234"])
def test_the_mobile_number_must_look_like_a_phone_number(value):
    form = HostForm(data={"first_name": "Ann", "email": "ann@acme.example", "mobile": value})
    assert not form.is_valid()
    assert "Enter a phone number" in form.errors["mobile"][0]


@pytest.mark.parametrize("value", ["", "+44 20 7946 0958", "(555) 010-1234", "+1.555.0101"])
def test_real_phone_numbers_are_accepted(value):
    form = HostForm(
        data={"first_name": "Ann", "email": "ann@acme.example", "alternate_mobile": value}
    )
    assert form.is_valid(), form.errors


def test_the_host_form_refuses_a_bad_mobile_with_the_error_under_the_field(admin_client):
    response = admin_client.post("/hosts/new/", {"first_name": "Ann", "mobile": "abc"})
    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    assert not Host.objects.exists()


def test_saving_an_active_host_without_email_warns_the_admin(admin_client, account):
    response = admin_client.post("/hosts/new/", {"first_name": "Ann"}, follow=True)
    (message,) = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert "has no e-mail address" in str(message)
    assert "asked to go to reception" in str(message)

    account.kiosk_fallback_email = "desk@acme.example"
    account.save()
    host = Host.objects.get()
    response = admin_client.post(
        f"/hosts/{host.public_id}/edit/", {"first_name": "Ann", "last_name": "B"}, follow=True
    )
    (message,) = list(response.context["messages"])
    assert "reception is told instead" in str(message)

    response = admin_client.post(
        f"/hosts/{host.public_id}/edit/",
        {"first_name": "Ann", "email": "ann@acme.example"},
        follow=True,
    )
    (message,) = list(response.context["messages"])
    assert message.level_tag == "success"
