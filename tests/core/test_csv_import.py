"""CSV import of hosts: all or nothing, per-row report, directory rows skipped."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import HostFactory
from visitor_mgmt.models import Host, Source
from visitor_mgmt.services import csv_import

pytestmark = pytest.mark.django_db

HEADER = (
    "first_name,last_name,display_name,email,alternate_email,mobile,alternate_mobile,"
    "title,department,organization"
)


def upload(text, name="hosts.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post(client, text, **kwargs):
    return client.post("/hosts/import/", {"file": upload(text, **kwargs)})


def rows_by_email(report):
    return {r.email: r for r in report.rows}


def test_template_download(admin_client):
    response = admin_client.get("/hosts/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().strip() == HEADER


def test_import_page_states_the_policy(admin_client):
    html = admin_client.get("/hosts/import/").content.decode()
    assert "All or nothing" in html
    assert "if any row has a problem, nothing is imported" in html
    assert "/hosts/import/template.csv" in html
    assert 'enctype="multipart/form-data"' in html


def test_staff_cannot_import(staff_client):
    assert staff_client.get("/hosts/import/").status_code == 403
    assert post(staff_client, HEADER + "\nA,B,,a@x.example,,,,,,\n").status_code == 403
    assert staff_client.get("/hosts/import/template.csv").status_code == 403
    assert not Host.objects.exists()


def test_import_creates_updates_and_skips(admin_client, account, other_account, directory_host):
    existing = HostFactory(
        account=account,
        first_name="Old",
        last_name="Name",
        email="old@acme.example",
        mobile="+1555",
        title="Clerk",
    )
    HostFactory(
        account=account,
        first_name="Same",
        last_name="Person",
        display_name="Same Person",
        email="same@acme.example",
        department="Ops",
    )
    # Same e-mail in another account: must not be touched or matched.
    foreign = HostFactory(account=other_account, first_name="Foreign", email="new@acme.example")
    text = "\n".join(
        [
            HEADER,
            "New,Person,,new@acme.example,,+1666,,Engineer,R&D,Acme",
            "Old,Renamed,,OLD@ACME.EXAMPLE,,,,,,",  # matched ignoring case; blanks keep values
            "Same,Person,Same Person,same@acme.example,,,,,Ops,",
            "Dora,Changed,,dora@acme.example,,,,,,",  # directory-managed: skipped
            ",,,,,,,,,",  # blank row: ignored
        ]
    )
    response = post(admin_client, text)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.committed
    assert report.counts == {"created": 1, "updated": 1, "unchanged": 1, "skipped": 1, "invalid": 0}
    rows = rows_by_email(report)
    assert rows["new@acme.example"].row == 2
    assert rows["OLD@ACME.EXAMPLE"].status == "updated"
    assert rows["same@acme.example"].status == "unchanged"
    assert rows["dora@acme.example"].status == "skipped"
    assert "Microsoft Entra ID" in " ".join(rows["dora@acme.example"].messages)

    created = Host.objects.get(account=account, email="new@acme.example")
    assert created.source == Source.CSV
    assert (created.first_name, created.mobile, created.department) == ("New", "+1666", "R&D")
    existing.refresh_from_db()
    assert (existing.last_name, existing.email) == ("Renamed", "OLD@ACME.EXAMPLE")
    assert (existing.mobile, existing.title) == ("+1555", "Clerk")  # blank cells: unchanged
    assert existing.source == Source.MANUAL
    directory_host.refresh_from_db()
    assert directory_host.last_name == "Directory"
    foreign.refresh_from_db()
    assert foreign.first_name == "Foreign"
    html = response.content.decode()
    assert "Import finished" in html
    assert "skipped" in html


def test_any_invalid_row_means_nothing_is_written(admin_client, account, host, directory_host):
    HostFactory(account=account, email="twin@acme.example")
    HostFactory(account=account, email="TWIN@acme.example")
    text = "\n".join(
        [
            HEADER,
            "Good,Row,,good@acme.example,,,,,,",  # row 2: valid on its own
            "Bad,Mail,,not-an-email,,,,,,",  # 3
            ",,,,,,,,Sales,",  # 4: neither name nor e-mail
            "No,Mail,,,,,,,,",  # 5
            ",,,noname@acme.example,,,,,,",  # 6: new host without a name
            "Dup,One,,dup@acme.example,,,,,,",  # 7
            "Dup,Two,,DUP@acme.example,,,,,,",  # 8: duplicate of row 7
            "Long," + "x" * 151 + ",,long@acme.example,,,,,,",  # 9
            "Alt,Bad,,alt@acme.example,nope,,,,,",  # 10
            "Twin,Host,,twin@acme.example,,,,,,",  # 11: two existing hosts match
            "Extra,Cell,,extra@acme.example,,,,,,,surprise",  # 12
            "Jane,Changed,,jane.doe@acme.example,,,,,,",  # 13: valid update
            "Dora,Skipped,,dora@acme.example,,,,,,",  # 14: directory: skipped, not a problem
        ]
    )
    before = list(Host.objects.order_by("pk").values())
    response = post(admin_client, text)
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.committed
    assert list(Host.objects.order_by("pk").values()) == before

    by_row = {r.row: r for r in report.rows}
    problems = {r.row: " ".join(r.messages) for r in report.invalid_rows}
    assert set(problems) == {3, 4, 5, 6, 8, 9, 10, 11, 12}
    assert "not a valid e-mail" in problems[3]
    assert "Name and e-mail are missing" in problems[4]
    assert "E-mail is missing" in problems[5]
    assert "Name is missing" in problems[6]
    assert "Duplicate e-mail" in problems[8] and "row 7" in problems[8]
    assert "last_name is too long (151 characters; at most 150)" in problems[9]
    assert "alternate_email" in problems[10]
    assert "2 hosts in this account already have this e-mail" in problems[11]
    assert "more cells than the header" in problems[12]
    assert by_row[14].status == "skipped"
    assert by_row[2].status == "created"

    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "would be created" in html
    assert "9 of 13 rows have problems" in html
    for message in ("not a valid e-mail", "Duplicate e-mail", "is too long"):
        assert message in html


def test_only_directory_rows_still_commit(admin_client, directory_host):
    response = post(admin_client, HEADER + "\nDora,X,,DORA@acme.example,,,,,,\n")
    report = response.context["report"]
    assert report.committed
    assert report.counts["skipped"] == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00binary-xlsx", "does not look like a CSV file"),
        (b"Jane,Doe,jane@x.example\n", "first row must be the header row"),
        (b"Hello, this is just a letter.\nRegards", "first row must be the header row"),
        (HEADER.encode() + b"\n", "header row but no hosts"),
        (b"first_name,email,shoe_size\nA,a@x.example,44\n", "Unknown column(s): shoe_size"),
        (b"first_name,email,email\nA,a@x.example,b@x.example\n", "more than once: email"),
        (b"first_name,last_name\nA,B\n", "needs an email column"),
        ("first_name,email\nCaf\xe9,a@x.example\n".encode("latin-1"), "not UTF-8"),
        (b'first_name,email\n"unclosed,a@x.example\n', "could not be read as CSV"),
    ],
)
def test_unusable_files_are_a_form_error_and_write_nothing(admin_client, host, content, message):
    before = Host.objects.count()
    response = post(admin_client, content)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert message in " ".join(response.context["form"].errors["file"])
    assert Host.objects.count() == before


def test_missing_file_is_a_form_error(admin_client):
    response = admin_client.post("/hosts/import/", {})
    assert response.context["form"].errors["file"]


def test_file_size_limit(admin_client, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_FILE_BYTES", 100)
    response = post(admin_client, HEADER + "\n" + "A,B,,a@x.example,,,,,,\n" * 5)
    assert "too large" in " ".join(response.context["form"].errors["file"])
    assert not Host.objects.exists()


def test_row_limit(admin_client, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    rows = "".join(f"A,B,,a{i}@x.example,,,,,,\n" for i in range(4))
    response = post(admin_client, HEADER + "\n" + rows)
    assert "more than 3 hosts" in " ".join(response.context["form"].errors["file"])
    assert not Host.objects.exists()


def test_excel_flavours_bom_semicolons_crlf_and_header_case(account):
    text = "\ufeffFirst Name;Last-Name;EMAIL\r\nÉlodie;Müller;elodie@x.example\r\n"
    report = csv_import.hosts_import_csv(account=account, data=text.encode("utf-8"))
    assert report.committed
    host = Host.objects.get(account=account)
    assert (host.first_name, host.last_name, host.email) == ("Élodie", "Müller", "elodie@x.example")


def test_a_subset_of_columns_is_enough(account):
    report = csv_import.hosts_import_csv(
        account=account, data=b"display_name,email\nReception Desk,desk@x.example\n"
    )
    assert report.committed
    assert Host.objects.get(account=account).display_name == "Reception Desk"


def test_import_of_10000_rows_uses_bounded_queries(account, django_assert_max_num_queries):
    rows = "".join(f"First{i},Last{i},,user{i}@x.example,,,,,Dept{i % 7},\n" for i in range(10_000))
    data = (HEADER + "\n" + rows).encode()
    assert len(data) < csv_import.MAX_FILE_BYTES
    # Batched reads and writes: a few hundred queries at most (SQLite caps a batch insert at
    # 999 parameters), never one per row.
    with django_assert_max_num_queries(300):
        report = csv_import.hosts_import_csv(account=account, data=data)
    assert report.counts["created"] == 10_000
    assert Host.objects.filter(account=account, source=Source.CSV).count() == 10_000
    # Re-importing the same file changes nothing.
    report = csv_import.hosts_import_csv(account=account, data=data)
    assert report.counts["unchanged"] == 10_000


def test_a_mobile_number_that_is_no_phone_number_is_a_row_problem(admin_client, account):
    # The same rule as the host form (visitor_mgmt/host_values.py): "abc" is refused.
    text = "\n".join(
        [
            HEADER,
            "Ann,Good,,ann@acme.example,,+44 20 7946 0958,,,,",
            "Bob,Bad,,bob@acme.example,,abc,,,,",
            "Cy,Bad,,cy@acme.example,,,555-CALL-NOW,,,",
        ]
    )
    response = post(admin_client, text)
    report = response.context["report"]
    assert not report.committed
    assert not Host.objects.filter(account=account, email__endswith="@acme.example").exists()
    problems = {r.email: " ".join(r.messages) for r in report.invalid_rows}
    assert set(problems) == {"bob@acme.example", "cy@acme.example"}
    assert "mobile: “abc” is not a phone number" in problems["bob@acme.example"]
    assert "alternate_mobile: “555-CALL-NOW” is not a phone number" in problems["cy@acme.example"]
