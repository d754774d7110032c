"""JSON API: session auth + CSRF, account scoping, staff read / admin write, directory 403."""

import json
import uuid

import pytest
from django.test import Client

from tests.factories import DirectoryHostFactory, HostFactory, HostGroupMembershipFactory
from visitor_mgmt.models import Host, Source

pytestmark = pytest.mark.django_db

HOSTS = "/api/v1/hosts/"
GROUPS = "/api/v1/host-groups/"


def _url(host):
    return f"{HOSTS}{host.public_id}/"


def send(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_api_needs_a_session(client, host):
    assert client.get(HOSTS).status_code == 403
    assert client.get(_url(host)).status_code == 403
    assert client.get(GROUPS).status_code == 403


def test_api_refuses_users_without_account(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(HOSTS)
    assert response.status_code == 403
    assert "not linked to an account" in response.json()["detail"]


def test_list_hosts_is_scoped_and_paginated(staff_client, account, other_account):
    HostFactory.create_batch(30, account=account)
    HostFactory(account=other_account, email="foreign@globex.example")
    body = staff_client.get(HOSTS).json()
    assert body["count"] == 30
    assert len(body["results"]) == 25
    assert body["next"].endswith("?page=2")
    assert all(r["email"] != "foreign@globex.example" for r in body["results"])
    assert len(staff_client.get(HOSTS, {"page": 2}).json()["results"]) == 5


def test_host_json_uses_public_ids(staff_client, host):
    body = staff_client.get(_url(host)).json()
    assert body["id"] == str(host.public_id)
    assert body["email"] == "jane.doe@acme.example"
    assert body["source"] == "manual"
    assert body["is_directory_managed"] is False
    assert "pk" not in body and "account" not in body and "directory_data" not in body
    listed = staff_client.get(HOSTS).json()["results"][0]
    assert listed["id"] == str(host.public_id)


def test_search_and_filters(staff_client, account):
    HostFactory(account=account, display_name="Jane Doe", email="jd@acme.example")
    HostFactory(account=account, display_name="Off Line", is_active=False, department="Ops")
    DirectoryHostFactory(account=account, display_name="Entra Person", department="Ops")

    def names(**params):
        return {r["display_name"] for r in staff_client.get(HOSTS, params).json()["results"]}

    assert names(search="jd@acme") == {"Jane Doe"}
    assert names(search="ops") == {"Off Line", "Entra Person"}
    assert names(active="false") == {"Off Line"}
    assert names(active="true", search="ops") == {"Entra Person"}
    assert names(source="directory") == {"Entra Person"}
    assert names(active="", source="") == {"Jane Doe", "Off Line", "Entra Person"}


@pytest.mark.parametrize("params", [{"active": "perhaps"}, {"source": "ldap"}])
def test_bad_filters_are_a_400(staff_client, params):
    response = staff_client.get(HOSTS, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_other_accounts_host_is_404(admin_client, other_host):
    assert admin_client.get(_url(other_host)).status_code == 404
    assert send(admin_client, "patch", _url(other_host), {"title": "X"}).status_code == 404
    assert send(admin_client, "put", _url(other_host), {"first_name": "X"}).status_code == 404
    other_host.refresh_from_db()
    assert other_host.title == ""
    assert admin_client.get(f"{HOSTS}{uuid.uuid4()}/").status_code == 404


def test_tombstoned_host_is_404(admin_client, account):
    gone = HostFactory(account=account, deleted_at="2024-01-01T00:00Z")
    assert admin_client.get(_url(gone)).status_code == 404
    assert all(r["id"] != str(gone.public_id) for r in admin_client.get(HOSTS).json()["results"])


def test_host_groups_list_is_scoped(staff_client, group, other_group, directory_group, host):
    HostGroupMembershipFactory(group=group, host=host)
    body = staff_client.get(GROUPS).json()
    assert body["count"] == 2
    by_name = {g["name"]: g for g in body["results"]}
    assert set(by_name) == {"Reception", "Entra Team"}
    assert by_name["Reception"]["member_count"] == 1
    assert by_name["Reception"]["id"] == str(group.public_id)
    assert by_name["Entra Team"]["is_directory_managed"] is True


def test_admin_creates_a_manual_host(admin_client, account):
    response = send(
        admin_client,
        "post",
        HOSTS,
        {"first_name": "Api", "last_name": "Made", "email": "api@acme.example"},
    )
    assert response.status_code == 201
    body = response.json()
    host = Host.objects.get(public_id=body["id"])
    assert host.account == account
    assert host.source == Source.MANUAL
    assert body["name"] == "Api Made"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "x@acme.example"}, "first_name"),  # rule from the service: a name
        ({"first_name": "A", "email": "jane.doe@ACME.example"}, "email"),  # rule: unique e-mail
        ({"first_name": "A", "email": "bad"}, "email"),  # shape
        ({"first_name": "A" * 151}, "first_name"),  # shape
        ({"first_name": "A", "source": "directory"}, "source"),  # read-only field
        ({"first_name": "A", "is_active": "sometimes"}, "is_active"),
    ],
)
def test_create_validation_errors(admin_client, host, data, field):
    before = Host.objects.count()
    response = send(admin_client, "post", HOSTS, data)
    assert response.status_code == 400
    assert field in response.json()
    assert Host.objects.count() == before


def test_non_object_body_is_a_400(admin_client):
    response = send(admin_client, "post", HOSTS, ["a", "list"])
    assert response.status_code == 400


def test_patch_and_put_manual_host(admin_client, host):
    response = send(admin_client, "patch", _url(host), {"title": "CFO", "is_active": False})
    assert response.status_code == 200
    host.refresh_from_db()
    assert (host.title, host.is_active, host.first_name) == ("CFO", False, "Jane")

    response = send(admin_client, "put", _url(host), {"first_name": "Janet", "email": ""})
    assert response.status_code == 200
    host.refresh_from_db()
    # PUT replaces every writable field: missing ones are cleared, is_active defaults to true.
    assert (host.first_name, host.last_name, host.title, host.is_active) == ("Janet", "", "", True)


@pytest.mark.parametrize("method", ["patch", "put"])
def test_directory_host_is_read_only_with_a_reason(admin_client, directory_host, method):
    before = Host.objects.filter(pk=directory_host.pk).values().get()
    response = send(admin_client, method, _url(directory_host), {"first_name": "Hacked"})
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "managed by Microsoft Entra ID and is read-only" in detail
    assert Host.objects.filter(pk=directory_host.pk).values().get() == before


def test_staff_may_read_but_not_write(staff_client, host):
    assert staff_client.get(HOSTS).status_code == 200
    assert staff_client.get(_url(host)).status_code == 200
    response = send(staff_client, "post", HOSTS, {"first_name": "X"})
    assert response.status_code == 403
    assert "Only account admins" in response.json()["detail"]
    assert send(staff_client, "patch", _url(host), {"title": "X"}).status_code == 403
    assert send(staff_client, "put", _url(host), {"first_name": "X"}).status_code == 403
    host.refresh_from_db()
    assert host.title == ""
    assert Host.objects.count() == 1


def test_delete_is_not_offered(admin_client, host):
    assert admin_client.delete(_url(host)).status_code == 405


def test_writes_need_the_csrf_token(admin_user, host):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get(HOSTS).status_code == 200  # reads need no token
    response = send(client, "patch", _url(host), {"title": "CSRF"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    host.refresh_from_db()
    assert host.title == ""

    client.get("/hosts/")  # any page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(
        _url(host),
        data=json.dumps({"title": "OK"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200


def test_list_queries_are_bounded(staff_client, account, django_assert_max_num_queries):
    HostFactory.create_batch(40, account=account)
    with django_assert_max_num_queries(6):
        assert staff_client.get(HOSTS).status_code == 200


@pytest.mark.parametrize("method", ["post", "patch"])
def test_deeply_nested_json_is_a_400_not_a_500(admin_client, host, method):
    depth = 100_000
    body = "[" * depth + "]" * depth
    url = HOSTS if method == "post" else f"{HOSTS}{host.public_id}/"
    resp = getattr(admin_client, method)(url, body, content_type="application/json")
    assert resp.status_code == 400
    assert "nested too deeply" in resp.json()["detail"]
