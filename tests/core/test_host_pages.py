"""Host pages: scoping, search and filters, and the manual write paths."""

import pytest

from tests.factories import DirectoryHostFactory, HostFactory, HostGroupMembershipFactory
from visitor_mgmt.models import Host, HostGroupMembership, Source

pytestmark = pytest.mark.django_db

BADGE = "Managed by Microsoft Entra ID"


def _url(host, action=""):
    return f"/hosts/{host.public_id}/" + (f"{action}/" if action else "")


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- list, search, filters, pagination ---------------------------------------------


def test_host_list_shows_own_hosts_only(staff_client, host, other_host):
    response = staff_client.get("/hosts/")
    assert response.status_code == 200
    hosts = list(response.context["hosts"])
    assert hosts == [host]
    assert other_host.email not in response.content.decode()


def test_host_list_needs_login(client):
    response = client.get("/hosts/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_directory_hosts_carry_the_entra_badge(staff_client, host, directory_host):
    html = staff_client.get("/hosts/").content.decode()
    assert html.count(BADGE) == 1
    row = html[html.index(directory_host.display_name) :]
    assert BADGE in row[: row.index("</tr>")]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("jane", {"jd"}),  # first name
        ("DOE", {"jd"}),  # last name, any case
        ("jane doe", {"jd"}),  # every word must match
        ("jane works", set()),
        ("finance", {"jd", "finn"}),  # department
        ("bob@acme", {"bob"}),  # e-mail
        ("Bobby", {"bob"}),  # display name only
        ("nobody", set()),
    ],
)
def test_search_matches_names_email_and_department(staff_client, account, query, expected):
    HostFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        display_name="Jane Doe",
        email="jd@acme.example",
        department="Finance",
    )
    HostFactory(
        account=account,
        first_name="Finn",
        last_name="Other",
        display_name="Finn Other",
        email="finn@acme.example",
        department="Finance",
    )
    HostFactory(
        account=account,
        first_name="Bob",
        last_name="Builder",
        display_name="Bobby B",
        email="bob@acme.example",
        department="Works",
    )
    response = staff_client.get("/hosts/", {"q": query})
    assert {h.email.split("@")[0] for h in response.context["hosts"]} == expected


def test_filters_active_and_source(staff_client, account):
    active = HostFactory(account=account, display_name="Active Manual")
    inactive = HostFactory(account=account, display_name="Inactive Manual", is_active=False)
    csv_host = HostFactory(account=account, display_name="From Csv", source=Source.CSV)
    directory = DirectoryHostFactory(account=account, display_name="From Entra")

    def names(**params):
        return {h.display_name for h in staff_client.get("/hosts/", params).context["hosts"]}

    assert names() == {"Active Manual", "Inactive Manual", "From Csv", "From Entra"}
    assert names(active="active") == {"Active Manual", "From Csv", "From Entra"}
    assert names(active="inactive") == {inactive.display_name}
    assert names(source="directory") == {directory.display_name}
    assert names(source="csv") == {csv_host.display_name}
    assert names(source="manual", active="active") == {active.display_name}
    # Unknown filter values are ignored rather than failing.
    assert len(names(source="bogus", active="maybe")) == 4


def test_list_is_paginated_by_25_with_bounded_queries(
    staff_client, account, django_assert_max_num_queries
):
    HostFactory.create_batch(60, account=account)
    with django_assert_max_num_queries(8):
        response = staff_client.get("/hosts/")
    assert len(response.context["hosts"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 3
    html = response.content.decode()
    assert "Page 1 of 3" in html
    assert "?page=2" in html
    last = staff_client.get("/hosts/", {"page": 3})
    assert len(last.context["hosts"]) == 10
    # Out-of-range or junk page numbers fall back to a real page.
    assert staff_client.get("/hosts/", {"page": "x"}).status_code == 200
    assert staff_client.get("/hosts/", {"page": 99}).context["page_obj"].number == 3


def test_pagination_links_keep_the_filters(staff_client, account):
    HostFactory.create_batch(30, account=account, department="Sales")
    html = staff_client.get("/hosts/", {"q": "sales", "active": "active"}).content.decode()
    assert "?q=sales&amp;active=active&amp;page=2" in html


def test_staff_see_no_write_buttons(staff_client, host):
    html = staff_client.get("/hosts/").content.decode()
    assert "Add host" not in html
    html = staff_client.get(_url(host)).content.decode()
    assert _url(host, "edit") not in html
    assert _url(host, "delete") not in html


# --- detail ----------------------------------------------------------------------


def test_host_detail(staff_client, host, group):
    HostGroupMembershipFactory(group=group, host=host)
    response = staff_client.get(_url(host))
    assert response.status_code == 200
    html = response.content.decode()
    assert host.email in html
    assert group.name in html


def test_admin_sees_write_buttons_on_manual_host(admin_client, host):
    html = admin_client.get(_url(host)).content.decode()
    assert _url(host, "edit") in html
    assert _url(host, "delete") in html
    assert _url(host, "deactivate") in html


def test_directory_host_detail_has_no_write_buttons(admin_client, directory_host):
    html = admin_client.get(_url(directory_host)).content.decode()
    assert BADGE in html
    assert "read-only" in html
    for action in ("edit", "delete", "deactivate"):
        assert _url(directory_host, action) not in html


@pytest.mark.parametrize("action", ["", "edit", "delete", "deactivate", "reactivate"])
def test_other_accounts_host_is_404(admin_client, other_host, action):
    assert admin_client.get(_url(other_host, action)).status_code == 404
    assert admin_client.post(_url(other_host, action), {"first_name": "X"}).status_code == 404
    other_host.refresh_from_db()
    assert other_host.first_name != "X"
    assert other_host.deleted_at is None
    assert other_host.is_active


def test_tombstoned_host_is_gone(admin_client, account):
    gone = HostFactory(account=account, display_name="Gone Host", deleted_at="2024-01-01T00:00Z")
    assert admin_client.get(_url(gone)).status_code == 404
    assert admin_client.get(_url(gone, "edit")).status_code == 404
    assert "Gone Host" not in admin_client.get("/hosts/").content.decode()


# --- create / edit ------------------------------------------------------------------


def test_admin_creates_a_manual_host(admin_client, account):
    response = admin_client.get("/hosts/new/")
    assert response.status_code == 200
    assert '<label for="id_first_name">' in response.content.decode()
    response = admin_client.post(
        "/hosts/new/",
        {"first_name": "New", "last_name": "Person", "email": "new@acme.example"},
        follow=True,
    )
    host = Host.objects.get(account=account, email="new@acme.example")
    assert host.source == Source.MANUAL
    assert response.redirect_chain[-1][0] == _url(host)
    assert "Host New Person was added." in _messages(response)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": "x@acme.example"}, "first_name", "A host needs a name"),
        ({"first_name": "A", "email": "not-an-email"}, "email", "valid email"),
        ({"first_name": "A" * 151}, "first_name", "at most 150 characters"),
        ({"first_name": "A", "email": "JANE.DOE@acme.example"}, "email", "already uses"),
    ],
)
def test_create_rejects_bad_input_with_a_form_error(admin_client, host, data, field, message):
    before = Host.objects.count()
    response = admin_client.post("/hosts/new/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Host.objects.count() == before


def test_staff_cannot_create_or_change_hosts(staff_client, host):
    assert staff_client.get("/hosts/new/").status_code == 403
    assert staff_client.post("/hosts/new/", {"first_name": "X"}).status_code == 403
    assert staff_client.post(_url(host, "edit"), {"first_name": "X"}).status_code == 403
    assert staff_client.post(_url(host, "deactivate")).status_code == 403
    assert staff_client.post(_url(host, "delete")).status_code == 403
    host.refresh_from_db()
    assert (host.first_name, host.is_active, host.deleted_at) == ("Jane", True, None)


def test_admin_edits_a_manual_host(admin_client, host):
    response = admin_client.get(_url(host, "edit"))
    assert response.status_code == 200
    assert 'value="Jane"' in response.content.decode()
    data = {**response.context["form"].initial, "title": "CFO", "mobile": "+15550001"}
    response = admin_client.post(_url(host, "edit"), data)
    assert response.status_code == 302
    host.refresh_from_db()
    assert (host.title, host.mobile, host.first_name) == ("CFO", "+15550001", "Jane")


def test_edit_keeps_own_email_but_refuses_anothers(admin_client, account, host):
    HostFactory(account=account, email="taken@acme.example")
    data = {"first_name": "Jane", "email": "JANE.DOE@acme.example"}
    assert admin_client.post(_url(host, "edit"), data).status_code == 302
    data["email"] = "Taken@acme.example"
    response = admin_client.post(_url(host, "edit"), data)
    assert response.status_code == 200
    assert "already uses" in str(response.context["form"].errors["email"])
    host.refresh_from_db()
    assert host.email == "JANE.DOE@acme.example"


# --- deactivate / reactivate / delete ------------------------------------------------


def test_deactivate_and_reactivate(admin_client, host):
    assert admin_client.get(_url(host, "deactivate")).status_code == 405
    host.refresh_from_db()
    assert host.is_active
    response = admin_client.post(_url(host, "deactivate"))
    assert response.status_code == 302
    host.refresh_from_db()
    assert not host.is_active
    assert "Reactivate" in admin_client.get(_url(host)).content.decode()
    admin_client.post(_url(host, "reactivate"))
    host.refresh_from_db()
    assert host.is_active


def test_delete_asks_then_tombstones(admin_client, host, group):
    HostGroupMembershipFactory(group=group, host=host)
    response = admin_client.get(_url(host, "delete"))
    assert response.status_code == 200
    assert "Delete Jane Doe?" in response.content.decode()
    host.refresh_from_db()
    assert host.deleted_at is None

    response = admin_client.post(_url(host, "delete"))
    assert response.status_code == 302
    assert response.url == "/hosts/"
    host.refresh_from_db()
    assert host.deleted_at is not None  # the row stays for visit history
    assert not HostGroupMembership.objects.filter(host=host).exists()
    assert admin_client.get(_url(host)).status_code == 404


# --- directory-managed hosts are read-only ------------------------------------------------


def _snapshot(host):
    host.refresh_from_db()
    return (host.first_name, host.email, host.is_active, host.deleted_at, host.updated_at)


@pytest.mark.parametrize("action", ["edit", "delete", "deactivate", "reactivate"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_directory_host_write_urls_refuse_with_a_message(
    admin_client, directory_host, action, method
):
    before = _snapshot(directory_host)
    data = {"first_name": "Hacked", "email": "hacked@acme.example"}
    response = getattr(admin_client, method)(_url(directory_host, action), data, follow=True)
    assert response.redirect_chain == [(_url(directory_host), 302)]
    messages = _messages(response)
    assert len(messages) == 1
    assert "managed by Microsoft Entra ID and is read-only" in messages[0]
    assert _snapshot(directory_host) == before


def test_refusal_message_is_announced_as_an_alert(admin_client, directory_host):
    response = admin_client.post(_url(directory_host, "edit"), follow=True)
    assert 'class="message error" role="alert"' in response.content.decode()
