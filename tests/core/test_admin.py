"""Django admin: every model is there; directory-managed records are view-only."""

import pytest
from django.contrib import admin

from tests.factories import HostFactory, HostGroupFactory, UserFactory
from visitor_mgmt.models import Account, Host, HostGroup, KioskDevice, Membership, Visit
from visitor_mgmt.services.hosts import HOST_EMAIL_TAKEN, HOST_NAME_REQUIRED, PERSON_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = UserFactory(username="root@ops.example", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_models_are_registered():
    for model in (Account, Membership, Host, HostGroup, Visit, KioskDevice):
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize(
    "url",
    [
        "/admin/visitor_mgmt/account/",
        "/admin/visitor_mgmt/membership/",
        "/admin/visitor_mgmt/host/",
        "/admin/visitor_mgmt/hostgroup/",
        "/admin/visitor_mgmt/visit/",
        "/admin/visitor_mgmt/kioskdevice/",
        "/admin/visitor_mgmt/host/add/",
    ],
)
def test_admin_pages_render(superuser_client, host, group, url):
    assert superuser_client.get(url).status_code == 200


def test_directory_host_is_view_only(superuser_client, directory_host):
    url = f"/admin/visitor_mgmt/host/{directory_host.pk}/change/"
    response = superuser_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html  # read-only view: no save button
    assert 'name="first_name"' not in html
    model_admin = admin.site._registry[Host]
    request = response.wsgi_request
    assert not model_admin.has_change_permission(request, directory_host)
    assert not model_admin.has_delete_permission(request, directory_host)

    before = Host.objects.filter(pk=directory_host.pk).values().get()
    response = superuser_client.post(
        url, {"first_name": "Hacked", "account": directory_host.account_id, "is_active": "on"}
    )
    assert response.status_code == 403
    delete = f"/admin/visitor_mgmt/host/{directory_host.pk}/delete/"
    assert superuser_client.get(delete).status_code == 403
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert Host.objects.filter(pk=directory_host.pk).values().get() == before


def test_directory_group_is_view_only(superuser_client, directory_group):
    url = f"/admin/visitor_mgmt/hostgroup/{directory_group.pk}/change/"
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = superuser_client.post(url, {"name": "Hacked", "account": directory_group.account_id})
    assert response.status_code == 403
    delete = f"/admin/visitor_mgmt/hostgroup/{directory_group.pk}/delete/"
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    directory_group.refresh_from_db()
    assert directory_group.name == "Entra Team"


def test_manual_host_can_be_edited_and_deleting_tombstones(superuser_client, host):
    url = f"/admin/visitor_mgmt/host/{host.pk}/change/"
    response = superuser_client.get(url)
    assert 'name="_save"' in response.content.decode()
    data = {
        "account": host.account_id,
        "is_active": "on",
        "first_name": "Janet",
        "last_name": "Doe",
        "display_name": "Janet Doe",
        "email": host.email,
    }
    for name in (
        "alternate_email",
        "mobile",
        "alternate_mobile",
        "title",
        "department",
        "organization",
    ):
        data.setdefault(name, "")
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    host.refresh_from_db()
    assert host.first_name == "Janet"

    response = superuser_client.post(f"/admin/visitor_mgmt/host/{host.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    host.refresh_from_db()
    assert host.deleted_at is not None  # tombstone, not a hard delete


def test_admin_cannot_forge_a_directory_host(superuser_client, account):
    response = superuser_client.post(
        "/admin/visitor_mgmt/host/add/",
        {
            "account": account.pk,
            "is_active": "on",
            "first_name": "Fake",
            "source": "directory",
            "username": "fake@acme.example",
        },
    )
    assert response.status_code == 302
    host = Host.objects.get(first_name="Fake")
    assert host.source == "manual"  # source is read-only in the admin
    assert host.username == ""


def test_no_bulk_delete_action(superuser_client, account):
    HostFactory(account=account)
    response = superuser_client.get("/admin/visitor_mgmt/host/")
    assert "delete_selected" not in response.content.decode()


def test_tombstones_are_hidden_in_the_admin(superuser_client, account):
    gone = HostFactory(account=account, deleted_at="2024-01-01T00:00Z")
    response = superuser_client.get("/admin/visitor_mgmt/host/")
    assert gone not in response.context["cl"].result_list


# The admin writes hosts and groups through the same services as the pages: their rules
# hold here too, and a refusal is a form error on the admin page, never a 500.


def host_admin_data(account, **values):
    data = {"account": account.pk, "is_active": "on"}
    data |= dict.fromkeys(PERSON_FIELDS, "")
    return data | values


def test_admin_host_takes_the_service_rules(superuser_client, account, host):
    url = "/admin/visitor_mgmt/host/add/"
    taken = host_admin_data(account, first_name="Copy", email="JANE.DOE@acme.example")
    response = superuser_client.post(url, taken)
    assert response.status_code == 200
    assert HOST_EMAIL_TAKEN in response.context["adminform"].form.errors["email"]
    nameless = host_admin_data(account, email="nobody@acme.example")
    response = superuser_client.post(url, nameless)
    assert response.status_code == 200
    assert HOST_NAME_REQUIRED in response.context["adminform"].form.errors["first_name"]
    assert not Host.objects.filter(first_name="Copy").exists()
    assert not Host.objects.filter(email="nobody@acme.example").exists()


def test_admin_host_is_normalised_like_every_other_write(superuser_client, account):
    data = host_admin_data(account, first_name="  Ann\u200b  Lee ", email="ann@acme.example")
    response = superuser_client.post("/admin/visitor_mgmt/host/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Host.objects.get(account=account, email="ann@acme.example")
    assert created.first_name == "Ann Lee"
    assert created.source == "manual"


def test_admin_host_edit_keeps_the_account(superuser_client, host, other_account):
    url = f"/admin/visitor_mgmt/host/{host.pk}/change/"
    data = host_admin_data(other_account, first_name="Janet", email=host.email)
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    host.refresh_from_db()
    assert host.first_name == "Janet"
    assert host.account.slug == "acme"  # a host never moves to another tenant


def test_admin_group_name_rules_are_the_services(superuser_client, account, group):
    other = HostGroupFactory(account=account, name="Visitors")
    response = superuser_client.post(
        "/admin/visitor_mgmt/hostgroup/add/", {"account": account.pk, "name": "  reception "}
    )
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["name"])
    url = f"/admin/visitor_mgmt/hostgroup/{other.pk}/change/"
    response = superuser_client.post(url, {"name": "RECEPTION"})
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["name"])
    response = superuser_client.post(url, {"name": "  Guests  "})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "Guests"  # stripped by the service, as on the group page
    assert HostGroup.objects.filter(account=account).count() == 2


def test_admin_group_delete_goes_through_the_service(superuser_client, group, directory_group):
    response = superuser_client.post(
        f"/admin/visitor_mgmt/hostgroup/{group.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not HostGroup.objects.filter(pk=group.pk).exists()
