"""The directory and the kiosk end to end: SCIM requests over HTTP change what visitors find.

These use the real SCIM endpoint (scim_hosts) with a bearer token, as Entra does.
"""

import json

import pytest
from django.core import mail
from django.test import Client

from tests.factories import ScimTokenFactory
from tests.kiosk.helpers import visitor
from visitor_mgmt.models import Host, Visit

pytestmark = pytest.mark.django_db

RAW_TOKEN = "vmscim_kiosk-test-token-0123456789abcdefghijklmnopqrstuvwxyz"
SCIM = "application/scim+json"


@pytest.fixture
def scim(account):
    ScimTokenFactory(account=account, raw_token=RAW_TOKEN)
    client = Client()

    def call(method, path, body=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {RAW_TOKEN}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type=SCIM)
        return getattr(client, method)(f"/scim/v2/{path}", **kwargs)

    return call


def entra_user(user_name, given, family, email, department="Sales"):
    return {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "externalId": f"ext-{given.lower()}",
        "userName": user_name,
        "active": True,
        "displayName": f"{given} {family}",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}],
        "name": {"formatted": f"{given} {family}", "familyName": family, "givenName": given},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": department},
    }


def kiosk_names(kiosk_client, account, q):
    response = kiosk_client.get(f"/kiosk/{account.slug}/api/hosts/", {"q": q})
    assert response.status_code == 200
    return [entry["name"] for entry in response.json()["results"]]


def test_scim_provisioned_host_can_be_visited(
    scim, kiosk_client, account, django_capture_on_commit_callbacks
):
    response = scim(
        "post",
        "Users",
        entra_user("nora.north@contoso.com", "Nora", "North", "nora.north@contoso.com"),
    )
    assert response.status_code == 201, response.content
    public_id = response.json()["id"]

    found = kiosk_client.get(f"/kiosk/{account.slug}/api/hosts/", {"q": "nora"}).json()
    assert found["results"] == [
        {"public_id": public_id, "name": "Nora North", "department": "Sales"}
    ]
    assert "contoso.com" not in json.dumps(found)
    # The mobile number, as sent or normalised (not "555": a random public id may hold it).
    assert "555 0100" not in json.dumps(found) and "5550100" not in json.dumps(found)

    with django_capture_on_commit_callbacks(execute=True):
        response = kiosk_client.post(
            f"/kiosk/{account.slug}/sign-in/", {**visitor(), "host": public_id}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["nora.north@contoso.com"]]
    visit = Visit.objects.get()
    assert str(visit.host.public_id) == public_id
    assert visit.host_name == "Nora North"


def test_scim_patch_deactivation_removes_the_host_from_the_kiosk_at_once(
    scim, kiosk_client, account
):
    response = scim(
        "post",
        "Users",
        entra_user("omar.east@contoso.com", "Omar", "East", "omar.east@contoso.com"),
    )
    assert response.status_code == 201, response.content
    public_id = response.json()["id"]
    assert kiosk_names(kiosk_client, account, "omar") == ["Omar East"]

    response = scim(
        "patch",
        f"Users/{public_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert response.status_code in (200, 204), response.content
    assert Host.objects.get(public_id=public_id).is_active is False

    assert kiosk_names(kiosk_client, account, "omar") == []
    # The no-JS path and a stale result button agree.
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "omar"})
    assert public_id not in response.content.decode()
    response = kiosk_client.post(
        f"/kiosk/{account.slug}/sign-in/", {**visitor(), "host": public_id}
    )
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_scim_delete_keeps_visit_history(
    scim, kiosk_client, admin_user, account, django_capture_on_commit_callbacks
):
    response = scim(
        "post",
        "Users",
        entra_user("pia.west@contoso.com", "Pia", "West", "pia.west@contoso.com"),
    )
    public_id = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        kiosk_client.post(f"/kiosk/{account.slug}/sign-in/", {**visitor(), "host": public_id})
    assert scim("delete", f"Users/{public_id}").status_code == 204

    assert kiosk_names(kiosk_client, account, "pia") == []
    staff = Client()
    staff.force_login(admin_user)
    page = staff.get("/visits/").content.decode()
    assert "Pia West" in page
    assert "Vera Visitor" in page
