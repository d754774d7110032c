"""Sortable columns, numbered pages, empty states, the time zone setting, copy values."""

import pytest

from tests.factories import AccountFactory, HostFactory, HostGroupFactory, VisitFactory
from visitor_mgmt.models import Account

pytestmark = pytest.mark.django_db


def names(response, key="hosts"):
    return [h.name for h in response.context[key]]


def test_hosts_sort_by_a_whitelisted_column_both_ways(staff_client, account):
    for first, last, dept in [("Ann", "Zed", "B"), ("Bob", "Young", "C"), ("Cy", "Xu", "A")]:
        HostFactory(
            account=account, first_name=first, last_name=last, display_name="", department=dept
        )
    assert names(staff_client.get("/hosts/")) == ["Cy Xu", "Bob Young", "Ann Zed"]
    assert names(staff_client.get("/hosts/?sort=department")) == ["Cy Xu", "Ann Zed", "Bob Young"]
    assert names(staff_client.get("/hosts/?sort=-department")) == [
        "Bob Young",
        "Ann Zed",
        "Cy Xu",
    ]
    html = staff_client.get("/hosts/?sort=-department").content.decode()
    assert 'aria-sort="descending"><a class="sort" href="?sort=department">Department' in html
    # The other columns offer ascending first, and carry no aria-sort.
    assert '<th scope="col"><a class="sort" href="?sort=email">E-mail</a></th>' in html


@pytest.mark.parametrize("bad", ["password", "-account__name", "id;drop", "__class__", ""])
def test_an_unknown_sort_falls_back_to_the_default(staff_client, account, bad):
    HostFactory(account=account, first_name="Ann", last_name="Zed", display_name="")
    HostFactory(account=account, first_name="Bob", last_name="Abe", display_name="")
    response = staff_client.get("/hosts/", {"sort": bad})
    assert response.status_code == 200
    assert names(response) == ["Bob Abe", "Ann Zed"]
    assert 'aria-sort="ascending"><a class="sort" href="?sort=-name">Name' in (
        response.content.decode()
    )


def test_sorting_keeps_the_filters_and_starts_at_page_one(staff_client, account):
    HostFactory(account=account, department="Sales")
    html = staff_client.get("/hosts/?q=sales&page=1").content.decode()
    assert 'href="?q=sales&amp;sort=email"' in html


def test_groups_sort_by_member_count(staff_client, account):
    big = HostGroupFactory(account=account, name="Big")
    HostGroupFactory(account=account, name="Alone")
    for host in HostFactory.create_batch(2, account=account):
        big.members.add(host)
    response = staff_client.get("/groups/?sort=-members")
    assert [g.name for g in response.context["groups"]] == ["Big", "Alone"]
    response = staff_client.get("/groups/?sort=members")
    assert [g.name for g in response.context["groups"]] == ["Alone", "Big"]


def test_visits_sort_by_visitor(staff_client, account):
    for name in ("Carl", "Abe", "Bea"):
        VisitFactory(account=account, visitor_name=name)
    response = staff_client.get("/visits/?sort=visitor")
    assert [v.visitor_name for v in response.context["page"]] == ["Abe", "Bea", "Carl"]
    html = response.content.decode()
    assert 'aria-sort="ascending"><a class="sort" href="?sort=-visitor">Visitor' in html


def test_pagination_has_page_numbers_around_the_current_page(staff_client, account):
    HostFactory.create_batch(25 * 9 + 1, account=account)
    html = staff_client.get("/hosts/?page=5").content.decode()
    for number in (1, 3, 4, 6, 7, 10):
        assert f'href="?page={number}" aria-label="Page {number}">{number}</a>' in html
    assert '<span aria-current="page">5</span>' in html
    assert 'aria-label="Page 2"' not in html and 'aria-label="Page 9"' not in html
    assert html.count('class="gap"') == 2
    assert "Page 5 of 10" in html


def test_empty_lists_say_what_to_do_next(admin_client):
    html = admin_client.get("/hosts/").content.decode()
    assert "No hosts yet" in html and 'href="/hosts/import/"' in html
    html = admin_client.get("/hosts/?q=nobody").content.decode()
    assert "No hosts match these filters" in html and ">Reset</a>" in html
    assert "No host groups yet" in admin_client.get("/groups/").content.decode()
    html = admin_client.get("/visits/").content.decode()
    assert "No visits yet" in html and "Set up a kiosk" in html


def test_filter_buttons_share_one_vocabulary(admin_client):
    for url in ("/hosts/?q=x", "/groups/?q=x", "/visits/?host=x"):
        html = admin_client.get(url).content.decode()
        assert '<button type="submit" class="primary">Apply</button>' in html, url
        assert ">Reset</a>" in html, url
        for old in (">Filter</button>", ">Clear</a>", ">All</a>"):
            assert old not in html, (url, old)


def test_admin_sets_the_time_zone_on_general(admin_client, account):
    html = admin_client.get("/preferences/").content.decode()
    assert 'name="time_zone"' in html and "Europe/Paris" in html
    response = admin_client.post("/preferences/time-zone/", {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.time_zone == "Asia/Tokyo"
    admin_client.post("/preferences/time-zone/", {"time_zone": "Mars/Olympus"})
    account.refresh_from_db()
    assert account.time_zone == "Asia/Tokyo"


def test_staff_cannot_set_the_time_zone(staff_client, account):
    assert staff_client.post("/preferences/time-zone/", {"time_zone": "UTC"}).status_code == 403
    response = staff_client.post("/preferences/time-zone/detect/", {"time_zone": "UTC"})
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.time_zone == ""


def test_the_browser_zone_is_taken_once_and_never_overrides_a_choice(admin_client, account):
    html = admin_client.get("/hosts/").content.decode()
    assert 'data-time-zone-detect="/preferences/time-zone/detect/"' in html
    response = admin_client.post("/preferences/time-zone/detect/", {"time_zone": "Europe/Oslo"})
    assert response.json() == {"time_zone": "Europe/Oslo", "set": True}
    response = admin_client.post("/preferences/time-zone/detect/", {"time_zone": "Asia/Tokyo"})
    assert response.json() == {"time_zone": "Europe/Oslo", "set": False}
    assert Account.objects.get(pk=account.pk).time_zone == "Europe/Oslo"
    assert "data-time-zone-detect" not in admin_client.get("/hosts/").content.decode()
    bad = admin_client.post("/preferences/time-zone/detect/", {"time_zone": "<script>"})
    assert bad.status_code == 400


def test_the_time_zone_is_per_account(admin_client, account):
    other = AccountFactory(time_zone="Asia/Tokyo")
    admin_client.post("/preferences/time-zone/", {"time_zone": "Europe/Paris"})
    other.refresh_from_db()
    assert other.time_zone == "Asia/Tokyo"


def test_kiosk_addresses_are_marked_for_copy_buttons(admin_client, account):
    html = admin_client.get("/preferences/").content.decode()
    assert f'data-copy="kiosk address">http://testserver/kiosk/{account.slug}/</code>' in html
    assert 'data-copy="device activation address"' in html


def test_form_labels_have_no_colon_and_errors_are_tied_to_the_field(admin_client):
    html = admin_client.post("/hosts/new/", {"first_name": "Ann", "mobile": "abc"}).content.decode()
    assert '<label for="id_first_name">First name</label>' in html
    assert 'aria-describedby="id_mobile_helptext id_mobile_error"' in html
    assert 'id="id_mobile_error"' in html and 'aria-invalid="true"' in html
    assert 'class="form-grid"' in html


def test_a_host_field_has_one_name_on_the_form_the_import_page_and_the_mappings(admin_client):
    form = admin_client.get("/hosts/new/").content.decode()
    assert '<label for="id_alternate_mobile">Work phone</label>' in form
    imports = admin_client.get("/hosts/import/").content.decode()
    assert "<dt><code>alternate_mobile</code></dt><dd>Work phone</dd>" in imports
    assert "<dt><code>title</code></dt><dd>Job title</dd>" in imports
    mappings = admin_client.get("/preferences/scim/mappings/").content.decode()
    assert 'Work phone <span class="muted">(<code>alternate_mobile</code>)' in mappings
    assert 'Job title <span class="muted">(<code>title</code>)' in mappings
