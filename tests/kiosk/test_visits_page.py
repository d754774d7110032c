"""The Visits page: scoping, filters, pagination, CSV export, history after host removal."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import AccountFactory, HostFactory, VisitFactory
from visitor_mgmt.models import Visit
from visitor_mgmt.services.hosts import host_delete, host_update

pytestmark = pytest.mark.django_db


def visit_at(account, when, **kwargs):
    visit = VisitFactory(account=account, **kwargs)
    Visit.objects.filter(pk=visit.pk).update(signed_in_at=when)
    visit.refresh_from_db()
    return visit


def local(year, month, day, hour=10):
    return timezone.make_aware(datetime(year, month, day, hour))


def export(client, query=""):
    response = client.get(f"/visits/export.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_visits_page_needs_an_account_member(staff_client):
    response = Client().get("/visits/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert staff_client.get("/visits/").status_code == 200


def test_staff_see_only_their_accounts_visits(staff_client, account):
    VisitFactory(account=account, visitor_name="Ours")
    VisitFactory(account=AccountFactory(), visitor_name="Theirs")
    page = staff_client.get("/visits/").content.decode()
    assert "Ours" in page
    assert "Theirs" not in page
    assert [row["visitor_name"] for row in export(staff_client)] == ["Ours"]


def test_nav_links_to_visits(staff_client):
    html = staff_client.get("/visits/").content.decode()
    assert 'href="/visits/" aria-current="page">Visits</a>' in html
    assert 'href="/visits/">Visits</a>' in staff_client.get("/hosts/").content.decode()


def test_filter_by_host_name_and_date_range(staff_client, account):
    jane = HostFactory(account=account, display_name="Jane Doe")
    bob = HostFactory(account=account, display_name="Bob Roe")
    visit_at(account, local(2024, 3, 1), host=jane, visitor_name="March first")
    visit_at(account, local(2024, 3, 5), host=jane, visitor_name="March fifth")
    visit_at(account, local(2024, 3, 5, 23), host=bob, visitor_name="Late fifth")
    visit_at(account, local(2024, 3, 9), host=bob, visitor_name="March ninth")
    visit_at(
        account,
        local(2024, 3, 5),
        host=None,
        host_name="",
        host_group_name="Support",
        visitor_name="Group visit",
    )

    def shown(query):
        page = staff_client.get(f"/visits/{query}").content.decode()
        return {
            v
            for v in ("March first", "March fifth", "Late fifth", "March ninth", "Group visit")
            if v in page
        }

    assert shown("?host=jane") == {"March first", "March fifth"}
    assert shown("?host=supp") == {"Group visit"}
    assert shown("?date_from=2024-03-05&date_to=2024-03-05") == {
        "March fifth",
        "Late fifth",
        "Group visit",
    }
    assert shown("?date_from=2024-03-02") == {
        "March fifth",
        "Late fifth",
        "March ninth",
        "Group visit",
    }
    assert shown("?date_to=2024-03-04") == {"March first"}
    assert shown("?host=bob&date_from=2024-03-06") == {"March ninth"}
    assert shown(f"?host_id={jane.public_id}") == {"March first", "March fifth"}

    rows = export(staff_client, "?host=bob&date_from=2024-03-01&date_to=2024-03-31")
    assert [r["visitor_name"] for r in rows] == ["March ninth", "Late fifth"]
    assert rows[0]["host"] == "Bob Roe"
    assert rows[0]["signed_in_at"].startswith("2024-03-09T10:00:00")


def test_invalid_filters_are_form_errors_not_500(staff_client, account):
    VisitFactory(account=account, visitor_name="Still listed")
    response = staff_client.get("/visits/?date_from=yesterday&date_to=2024-13-40")
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    response = staff_client.get("/visits/?date_from=2024-03-05&date_to=2024-03-01")
    assert "must not be after" in response.content.decode()
    response = staff_client.get("/visits/?host_id=not-a-uuid&page=zzz")
    assert response.status_code == 200


def test_host_id_of_another_account_shows_nothing(staff_client, account):
    theirs = HostFactory(account=AccountFactory())
    VisitFactory(account=account, visitor_name="Ours")
    page = staff_client.get(f"/visits/?host_id={theirs.public_id}").content.decode()
    assert "Ours" not in page


def test_pagination_keeps_the_filters(staff_client, account):
    host = HostFactory(account=account, display_name="Paged Host")
    base = timezone.now() - timedelta(hours=2)
    for i in range(55):
        visit_at(account, base + timedelta(seconds=i), host=host, visitor_name=f"Visitor {i:02d}")
    VisitFactory(account=account, visitor_name="Unrelated")
    page1 = staff_client.get("/visits/?host=paged").content.decode()
    assert "55 visits" in page1
    assert "Visitor 54" in page1
    assert "Visitor 04" not in page1
    assert "page=2" in page1
    assert "host=paged&amp;page=2" in page1
    page2 = staff_client.get("/visits/?host=paged&page=2").content.decode()
    assert "Visitor 04" in page2
    assert "Visitor 54" not in page2
    assert "Unrelated" not in page2
    # The CSV export has every matching row, not one page.
    assert len(export(staff_client, "?host=paged")) == 55


def test_history_keeps_the_host_name_after_deactivation_and_deletion(staff_client, account):
    gone = HostFactory(account=account, display_name="Gone Person")
    paused = HostFactory(account=account, display_name="Paused Person")
    VisitFactory(account=account, host=gone, visitor_name="Saw gone")
    VisitFactory(account=account, host=paused, visitor_name="Saw paused")
    host_delete(host=gone)
    host_update(host=paused, is_active=False)
    page = staff_client.get("/visits/").content.decode()
    assert "Gone Person" in page
    assert "Paused Person" in page
    assert "deleted" in page
    assert "inactive" in page
    assert "Gone Person" in staff_client.get("/visits/?host=gone").content.decode()
    hosts = {r["host"] for r in export(staff_client)}
    assert hosts == {"Gone Person", "Paused Person"}


def test_history_survives_hard_deletion_of_the_host_row(staff_client, account):
    host = HostFactory(account=account, display_name="Hard Deleted")
    VisitFactory(account=account, host=host, visitor_name="Before")
    host.delete()  # e.g. an account clean-up; the visit keeps its snapshot
    visit = Visit.objects.get()
    assert visit.host is None
    assert "Hard Deleted" in staff_client.get("/visits/").content.decode()


def test_csv_neutralises_formulas(staff_client, account):
    VisitFactory(account=account, visitor_name='=HYPERLINK("http://evil")', visitor_company="+cmd")
    row = export(staff_client)[0]
    assert row["visitor_name"].startswith("'=")
    assert row["visitor_company"] == "'+cmd"


def test_staff_can_sign_a_visitor_out(staff_client, account):
    visit = VisitFactory(account=account)
    response = staff_client.post(f"/visits/{visit.pk}/sign-out/", {"next": "/visits/?host=x"})
    assert response.status_code == 302
    assert response["Location"] == "/visits/?host=x"
    visit.refresh_from_db()
    assert visit.signed_out_at is not None
    other = VisitFactory(account=AccountFactory())
    assert staff_client.post(f"/visits/{other.pk}/sign-out/").status_code == 404
    response = staff_client.post(
        f"/visits/{VisitFactory(account=account).pk}/sign-out/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/visits/"


def test_visits_page_query_count_is_bounded(staff_client, account, django_assert_max_num_queries):
    for _ in range(30):
        VisitFactory(account=account)
    # session + user + membership/account + count + page
    with django_assert_max_num_queries(7):
        assert staff_client.get("/visits/").status_code == 200
