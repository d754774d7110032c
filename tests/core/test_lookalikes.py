"""Look-alike names and addresses are one host (issue 14: an e-mail with a trailing
zero-width space created a second host that looked identical). One normaliser
(visitor_mgmt/services/text.py) is used wherever hosts are written or matched: pages, the
JSON API, CSV import and SCIM."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.core.test_csv_import import HEADER
from visitor_mgmt.models import Host
from visitor_mgmt.services.text import match_key, normalise_email, normalise_text

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ann" + ZWSP, "Ann"),  # zero-width space
        ("\ufeffAnn", "Ann"),  # byte-order mark
        ("A\u200dnn\u2060", "Ann"),  # zero-width joiner, word joiner
        ("An\u00adn", "Ann"),  # soft hyphen
        ("\u200fAnn\u202e", "Ann"),  # bidi marks
        ("Ann\u3164", "Ann"),  # Hangul filler (a blank letter)
        ("Ａｎｎ", "Ann"),  # full-width letters (NFKC)
        ("Ann\u00a0\u2003Lee", "Ann Lee"),  # no-break and em spaces
        ("  Ann \t Lee\n", "Ann Lee"),
        ("Zoë", "Zoë"),  # real letters stay, composed (NFKC)
        ("Zoe\u0308", "Zoë"),
    ],
)
def test_normal_form(raw, expected):
    assert normalise_text(raw) == expected


def test_email_normal_form_and_match_key():
    assert normalise_email(" ann" + ZWSP + "@ACME.example\ufeff ") == "ann@ACME.example"
    assert match_key("ANN@acme.example" + ZWSP) == match_key("ann@acme.example")


# ------------------------------------------------------------------ CSV import


def import_csv(client, text):
    upload = SimpleUploadedFile("hosts.csv", text.encode(), content_type="text/csv")
    return client.post("/hosts/import/", {"file": upload})


def test_csv_row_with_a_zero_width_space_updates_the_existing_host(admin_client, host):
    response = import_csv(admin_client, HEADER + f"\nJane,Doe,,{host.email}{ZWSP},,,,CFO{ZWSP},,\n")
    report = response.context["report"]
    assert report.committed, report.summary
    assert Host.objects.count() == 1
    host.refresh_from_db()
    assert host.title == "CFO"


def test_csv_look_alike_rows_in_one_file_are_duplicates(admin_client, account):
    response = import_csv(
        admin_client,
        HEADER + f"\nAnn,Lee,,ann@acme.example,,,,,,\nAnn,Lee,,ＡＮＮ@acme.example{ZWSP},,,,,,\n",
    )
    report = response.context["report"]
    assert not report.committed
    assert "Duplicate e-mail" in " ".join(report.rows[1].messages)
    assert not Host.objects.exists()


def test_csv_stores_the_normal_form(admin_client, account):
    import_csv(
        admin_client, HEADER + f"\n\ufeffＡnn{ZWSP},Lee\u00a0,,ann{ZWSP}@acme.example,,,,,,\n"
    )
    host = Host.objects.get()
    assert (host.first_name, host.last_name, host.email) == ("Ann", "Lee", "ann@acme.example")


# ------------------------------------------------------------------ pages and JSON API


def test_host_form_refuses_a_look_alike_email(admin_client, host):
    response = admin_client.post(
        "/hosts/new/", {"first_name": "Jane", "email": host.email.upper() + ZWSP}
    )
    assert response.status_code == 200
    assert "already uses this e-mail" in " ".join(response.context["form"].errors["email"])
    assert Host.objects.count() == 1


def test_host_form_stores_the_normal_form(admin_client, account):
    response = admin_client.post(
        "/hosts/new/", {"first_name": f"Max{ZWSP}", "email": f"max@acme.example{ZWSP}"}
    )
    assert response.status_code == 302
    host = Host.objects.get()
    assert (host.first_name, host.email) == ("Max", "max@acme.example")


def test_api_refuses_a_look_alike_email(admin_client, host):
    response = admin_client.post(
        "/api/v1/hosts/",
        json.dumps({"first_name": "Jane", "email": f"\ufeff{host.email}{ZWSP}"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "email" in response.json()
    assert Host.objects.count() == 1
