"""The whole move onto Entra against a live server: an account with 200 hosts imported
from CSV (with visits), then Entra's initial sync of the same 200 people plus 50 new ones,
each as Entra does it (matching query, then PATCH when found, POST when not).

Prints the figures the issue asks for: linked, created, duplicates, visits kept, and the
status the admin sees before, during and after.
"""

import json
import urllib.request

import pytest

from scim_hosts.access.tokens import rotate_token
from scim_hosts.models import ProvisioningEvent
from scim_hosts.preferences.services import section_context
from tests.factories import VisitFactory
from tests.scim.support import CORE_USER, ENTERPRISE, PATCH_OP, filter_qs
from visitor_mgmt.models import Host, Source, Visit
from visitor_mgmt.selectors.hosts import unmanaged_host_counts
from visitor_mgmt.services.csv_import import hosts_import_csv

pytestmark = pytest.mark.django_db(transaction=True)

EXISTING, NEW = 200, 50
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Entra:
    def __init__(self, base_url, token):
        self.base = base_url + "/scim/v2"
        self.token = token

    def __call__(self, method, path, body=None):
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/scim+json",
            },
        )
        try:
            with _http.open(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def person(n):
    return {
        "first": f"Person{n:03d}",
        "last": "Example",
        "email": f"person{n:03d}@contoso.com",
    }


def entra_user(n):
    p = person(n)
    return {
        "schemas": [CORE_USER, ENTERPRISE],
        "externalId": f"oid-{n:03d}",
        "userName": p["email"],
        "active": True,
        "displayName": f"{p['first']} {p['last']}",
        "name": {"givenName": p["first"], "familyName": p["last"]},
        "emails": [{"primary": True, "type": "work", "value": p["email"]}],
        ENTERPRISE: {"department": "Sales"},
    }


def status_key(account, admin_user, rf):
    request = rf.get("/preferences/")
    request.user = admin_user
    request.session = {}
    return section_context(request, account)["status"].key


def test_initial_sync_links_every_existing_host_and_duplicates_none(
    live_server, account, admin_user, rf, capsys
):
    lines = ["first_name,last_name,email"] + [
        f"{p['first']},{p['last']},{p['email'].upper() if n % 7 == 0 else p['email']}"
        for n in range(EXISTING)
        for p in [person(n)]
    ]
    report = hosts_import_csv(account=account, data="\n".join(lines).encode())
    assert report.committed
    hosts = {h.email.lower(): h for h in Host.objects.filter(account=account)}
    assert len(hosts) == EXISTING and {h.source for h in hosts.values()} == {Source.CSV}
    visits = [VisitFactory(account=account, host=h) for h in list(hosts.values())[:40]]
    assert unmanaged_host_counts(account=account) == (EXISTING, 0)

    statuses = [("before connecting", status_key(account, admin_user, rf))]
    _token, raw = rotate_token(account=account, actor=admin_user)
    statuses.append(("token generated", status_key(account, admin_user, rf)))
    entra = Entra(live_server.url, raw)

    linked = created = 0
    for n in range(EXISTING + NEW):
        body = entra_user(n)
        # Entra's matching query: userName, in whatever case the directory has it.
        status, found = entra("GET", "/Users?" + filter_qs(f'userName eq "{body["userName"]}"'))
        assert status == 200, found
        if found["Resources"]:
            (resource,) = found["Resources"]
            ops = [
                {"op": "Replace", "path": "externalId", "value": body["externalId"]},
                {"op": "Replace", "path": "displayName", "value": body["displayName"]},
                {
                    "op": "Add",
                    "path": f"{ENTERPRISE}:department",
                    "value": "Sales",
                },
            ]
            status, patched = entra(
                "PATCH",
                f"/Users/{resource['id']}",
                {"schemas": [PATCH_OP], "Operations": ops},
            )
            assert status == 200, patched
            linked += 1
        else:
            status, made = entra("POST", "/Users", body)
            assert status == 201, made
            created += 1
        if n == 0:
            statuses.append(("after the first request", status_key(account, admin_user, rf)))

    live = Host.objects.live().filter(account=account)
    by_email = {}
    for host in live:
        by_email.setdefault(host.email.lower(), []).append(host)
    duplicates = sum(len(v) - 1 for v in by_email.values())
    kept = sum(Visit.objects.get(pk=v.pk).host_id == v.host_id for v in visits)
    assert (linked, created, duplicates) == (EXISTING, NEW, 0)
    assert live.count() == EXISTING + NEW
    assert set(live.values_list("source", flat=True)) == {Source.DIRECTORY}
    assert kept == len(visits)
    for email, host in hosts.items():
        assert by_email[email][0].pk == host.pk  # same row, same id
    assert ProvisioningEvent.objects.filter(account=account, action="linked").count() == EXISTING
    statuses.append(("after the initial sync", status_key(account, admin_user, rf)))
    assert [s for _, s in statuses] == ["not-configured", "waiting", "connected", "connected"]

    with capsys.disabled():
        print(
            f"\nonboarding: {EXISTING} CSV hosts + {NEW} new people → linked {linked}, "
            f"created {created}, duplicates {duplicates}, visits kept {kept}/{len(visits)}; "
            "status: " + " → ".join(f"{label}: {key}" for label, key in statuses)
        )
