"""SCIM writes and matches hosts in the core's normal form (visitor_mgmt/services/text.py):
a look-alike userName or e-mail (zero-width space, full-width letters) is the same user.
The other writers are tested in tests/core/test_lookalikes.py."""

import pytest

from tests.scim.support import CORE_USER, assert_scim_error, filter_qs
from visitor_mgmt.models import Host

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"


def test_scim_look_alike_user_name_is_the_same_user(api):
    created = api.create_user("ann@acme.test")
    resp = api.post("/Users", {"schemas": [CORE_USER], "userName": f"ann@acme.test{ZWSP}"})
    assert_scim_error(resp, 409, "uniqueness")
    assert Host.objects.count() == 1
    # Entra's lookup before a create finds the existing user with the look-alike too.
    found = api.get("/Users?" + filter_qs(f'userName eq "ann@acme.test{ZWSP}"')).json()
    assert [r["id"] for r in found["Resources"]] == [created["id"]]


def test_scim_stores_the_normal_form_and_matches_emails(api):
    user = api.create_user(
        f"bob{ZWSP}@acme.test",
        name={"givenName": f"Bob{ZWSP}", "familyName": "Ｍarley"},
        emails=[{"value": f"bob@acme.test{ZWSP}", "type": "work", "primary": True}],
    )
    host = Host.objects.get()
    assert (host.username, host.first_name, host.last_name, host.email) == (
        "bob@acme.test",
        "Bob",
        "Marley",
        "bob@acme.test",
    )
    found = api.get("/Users?" + filter_qs(f'emails[type eq "work"].value eq "BOB@acme.test{ZWSP}"'))
    assert [r["id"] for r in found.json()["Resources"]] == [user["id"]]
    found = api.get("/Users?" + filter_qs('userName eq "bob@acme.test"'))
    assert [r["id"] for r in found.json()["Resources"]] == [user["id"]]
