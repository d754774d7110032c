"""Races against a live server on PostgreSQL: real threads, real sockets, real row locks.

Entra runs requests in parallel and retries; admins click twice. Whatever the interleaving:
exactly one 201 per userName, no lost or doubled membership, a host row that always matches
its stored document, one valid token after any number of rotations, and never a 5xx.
(tests/scim/providers/entra/test_concurrency.py covers smaller races through the test client.)
"""

import io
import json
import random
import threading
import urllib.error
import urllib.request
import uuid

import pytest
from django.core.management import call_command

import config.settings as project_settings
from scim_hosts.access.tokens import hash_token
from scim_hosts.mapping import host_fields_from_document
from scim_hosts.models import ScimToken
from scim_hosts.preferences.services import token_rotate
from tests.factories import MembershipFactory, ScimTokenFactory
from tests.scim.support import CORE_GROUP, CORE_USER, ENTERPRISE, PATCH_OP, TOKEN
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership, Membership

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8  # below the live server's listen backlog (10), so every connect is accepted


class Http:
    """SCIM over a real socket: ``call(method, path, body)`` -> (status, parsed body)."""

    def __init__(self, base_url, token=TOKEN):
        self.base = base_url + "/scim/v2"
        self.token = token

    def call(self, method, path, body=None, *, token=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {token or self.token}",
                "Content-Type": "application/scim+json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        return status, (json.loads(raw) if raw else None)

    def patch(self, path, *operations):
        return self.call("PATCH", path, {"schemas": [PATCH_OP], "Operations": list(operations)})


def parallel(calls):
    """Run the callables at once (released together by a barrier); their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def no_5xx(results):
    bad = [r for r in results if r[0] >= 500]
    assert not bad, bad


@pytest.fixture
def http(live_server, account):
    ScimTokenFactory(account=account, raw_token=TOKEN)
    return Http(live_server.url)


def create_users(http, n, prefix="u"):
    ids = []
    for i in range(n):
        status, body = http.call(
            "POST", "/Users", {"schemas": [CORE_USER], "userName": f"{prefix}{i}@acme.test"}
        )
        assert status == 201, body
        ids.append(body["id"])
    return ids


# ------------------------------------------------------------------ uniqueness


def case_variants(name, n):
    rng = random.Random(name)
    variants = {name, name.upper()}
    while len(variants) < n:
        variants.add("".join(c.upper() if rng.random() < 0.5 else c for c in name))
    return sorted(variants)


@pytest.mark.parametrize("round_", range(3))
def test_parallel_posts_of_one_username_give_one_201(http, account, round_):
    variants = case_variants(f"racer{round_}@contoso.com", THREADS)
    results = parallel(
        [
            lambda v=v: http.call("POST", "/Users", {"schemas": [CORE_USER], "userName": v})
            for v in variants
        ]
    )
    assert sorted(status for status, _ in results) == [201] + [409] * (THREADS - 1), results
    assert all(body["scimType"] == "uniqueness" for status, body in results if status == 409)
    live = Host.objects.filter(account=account, deleted_at__isnull=True)
    assert live.count() == 1
    winner = next(body for status, body in results if status == 201)
    assert live.get().public_id == uuid.UUID(winner["id"])


def test_parallel_creates_and_deletes_keep_the_user_total_exact(http, account):
    """totalResults of a full page comes from HostTally (kept by triggers): parallel creates,
    duplicates rolled back by the unique index (409) and deletes must leave it exact."""
    existing = create_users(http, 6, prefix="old")
    calls = [
        lambda i=i: http.call(
            "POST", "/Users", {"schemas": [CORE_USER], "userName": f"new{i % 3}@acme.test"}
        )
        for i in range(THREADS - 2)
    ] + [lambda u=u: http.call("DELETE", f"/Users/{u}") for u in existing[:2]]
    results = parallel(calls)
    no_5xx(results)
    assert sorted(status for status, _ in results) == [201] * 3 + [204] * 2 + [409] * 3
    live = Host.objects.filter(account=account, deleted_at__isnull=True).count()
    assert live == 6 - 2 + 3
    status, body = http.call("GET", "/Users?count=2")  # a full page: the total is not derived
    assert status == 200 and body["totalResults"] == live, body


def test_parallel_posts_of_one_group_name_give_one_201(http, account):
    variants = case_variants("front desk", THREADS)
    results = parallel(
        [
            lambda v=v: http.call("POST", "/Groups", {"schemas": [CORE_GROUP], "displayName": v})
            for v in variants
        ]
    )
    assert sorted(status for status, _ in results) == [201] + [409] * (THREADS - 1), results
    assert HostGroup.objects.filter(account=account).count() == 1


# ------------------------------------------------------------------ group membership


@pytest.mark.parametrize("round_", range(3))
def test_parallel_member_adds_and_removes_lose_nothing(http, account, round_):
    users = create_users(http, 30, prefix=f"m{round_}-")
    status, group = http.call(
        "POST", "/Groups", {"schemas": [CORE_GROUP], "displayName": f"G{round_}"}
    )
    assert status == 201
    group_path = f"/Groups/{group['id']}"
    assert (
        http.patch(
            group_path,
            {"op": "add", "path": "members", "value": [{"value": u} for u in users[:10]]},
        )[0]
        == 204
    )

    calls, added, removed = [], set(), set()
    for i in range(4):  # overlapping adds of users 10..21, in Entra's two shapes
        batch = users[10 + 3 * i : 10 + 3 * i + 6]
        added |= set(batch)
        value = (
            [{"value": u} for u in batch] if i % 2 else [{"$ref": None, "value": u} for u in batch]
        )
        op = "add" if i % 2 else "Add"
        calls.append(
            lambda value=value, op=op: http.patch(
                group_path, {"op": op, "path": "members", "value": value}
            )
        )
    for i in range(4):  # overlapping removes of users 0..6 and of users never added (25..29)
        batch = users[2 * i : 2 * i + 3] + users[25 + i : 27 + i]
        removed |= set(batch)
        if i % 2:
            ops = [{"op": "remove", "path": f'members[value eq "{u}"]'} for u in batch]
        else:
            ops = [{"op": "Remove", "path": "members", "value": [{"value": u} for u in batch]}]
        calls.append(lambda ops=ops: http.patch(group_path, *ops))
    results = parallel(calls)
    assert [status for status, _ in results] == [204] * len(calls), results

    expected = (set(users[:10]) | added) - removed
    status, body = http.call("GET", group_path)
    assert status == 200
    members = [m["value"] for m in body.get("members", [])]
    assert sorted(members) == sorted(expected)
    rows = HostGroupMembership.objects.filter(group__public_id=group["id"])
    assert rows.count() == len(expected)  # no duplicate row either


def test_adding_a_member_while_it_is_deleted_never_fails_badly(http, account):
    users = create_users(http, THREADS, prefix="gone")
    status, group = http.call("POST", "/Groups", {"schemas": [CORE_GROUP], "displayName": "Gone"})
    calls = []
    for user in users:
        calls.append(
            lambda u=user: http.patch(
                f"/Groups/{group['id']}", {"op": "add", "path": "members", "value": [{"value": u}]}
            )
        )
        calls.append(lambda u=user: http.call("DELETE", f"/Users/{u}"))
    results = parallel(calls)
    no_5xx(results)
    assert {s for s, _ in results[1::2]} == {204}  # every delete succeeded
    assert {s for s, _ in results[0::2]} <= {204, 400}  # 400: "Unknown member id"
    status, body = http.call("GET", f"/Groups/{group['id']}")
    assert status == 200 and not body.get("members")  # no tombstoned host is a member


# ------------------------------------------------------------------ one host, many writers


def assert_row_matches_document(public_id):
    host = Host.objects.get(public_id=public_id)
    fields = host_fields_from_document(host.directory_data)
    if host.deleted_at is not None:
        fields["is_active"] = False  # a tombstone is inactive whatever it was
    assert {name: getattr(host, name) for name in fields} == fields, host.directory_data
    return host


@pytest.mark.parametrize("round_", range(2))
def test_parallel_patches_of_one_host_leave_a_consistent_row(http, account, round_):
    status, user = http.call(
        "POST",
        "/Users",
        {
            "schemas": [CORE_USER, ENTERPRISE],
            "userName": f"busy{round_}@acme.test",
            "name": {"givenName": "Busy", "familyName": "Host"},
            "emails": [{"type": "work", "value": "busy@acme.test", "primary": True}],
            "title": "Start",
        },
    )
    path = f"/Users/{user['id']}"
    titles = [f"Title {i}" for i in range(3)]
    calls = [
        lambda t=t: http.patch(path, {"op": "Replace", "path": "title", "value": t}) for t in titles
    ]
    calls += [
        lambda: http.patch(path, {"op": "Replace", "path": "active", "value": "False"}),
        lambda: http.patch(
            path,
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "new@acme.test"},
        ),
        lambda: http.patch(path, {"op": "Add", "path": "name.givenName", "value": "Renamed"}),
        lambda: http.patch(path, {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Ops"}),
        lambda: http.patch(
            path,
            {
                "op": "replace",
                "value": {
                    "displayName": "Busy H",
                    "phoneNumbers": [{"type": "mobile", "value": "+1 555"}],
                },
            },
        ),
    ]
    results = parallel(calls)
    assert [s for s, _ in results] == [200] * len(calls), results
    host = assert_row_matches_document(user["id"])
    assert host.title in titles
    assert (host.is_active, host.email, host.first_name, host.department) == (
        False,
        "new@acme.test",
        "Renamed",
        "Ops",
    )
    assert (host.display_name, host.mobile) == ("Busy H", "+1 555")
    status, fetched = http.call("GET", path)
    assert fetched["title"] == host.title and fetched["active"] is False


def test_put_patch_and_delete_of_one_host_in_parallel(http, account):
    (user_id,) = create_users(http, 1, prefix="contested")
    path = f"/Users/{user_id}"
    body = {"schemas": [CORE_USER], "userName": "contested0@acme.test", "title": "Put"}
    calls = [
        lambda: http.call("PUT", path, body),
        lambda: http.patch(path, {"op": "replace", "path": "title", "value": "Patched"}),
        lambda: http.call("DELETE", path),
        lambda: http.call("GET", path),
    ] * 2
    results = parallel(calls)
    no_5xx(results)
    assert {s for s, _ in results} <= {200, 204, 404}
    assert sum(1 for s, _ in results[2::4] if s == 204) == 1  # deleted exactly once
    assert http.call("GET", path)[0] == 404
    host = assert_row_matches_document(user_id)
    assert host.deleted_at is not None


# ------------------------------------------------------------------ token rotation


def test_rotation_racing_scim_requests_leaves_exactly_one_valid_token(http, account):
    admin = MembershipFactory(account=account, role=Membership.Role.ADMIN).user
    issued = [TOKEN]
    lock = threading.Lock()
    stop = threading.Event()
    statuses = []

    def entra():
        rng = random.Random()
        while not stop.is_set():
            with lock:
                token = issued[-1] if rng.random() < 0.7 else rng.choice(issued)
            statuses.append(http.call("GET", "/Users?count=1", token=token)[0])

    def rotate():
        try:
            for i in range(10):
                if i % 2:
                    out = io.StringIO()
                    call_command("rotate_scim_token", account.slug, "--format", "json", stdout=out)
                    raw = json.loads(out.getvalue())["token"]
                else:
                    _token, raw = token_rotate(account=account, actor=admin)
                with lock:
                    issued.append(raw)
        finally:
            stop.set()

    workers = [threading.Thread(target=entra) for _ in range(THREADS - 1)]
    rotator = threading.Thread(target=rotate)
    for thread in [*workers, rotator]:
        thread.start()
    for thread in [rotator, *workers]:
        thread.join()

    assert set(statuses) <= {200, 401}, set(statuses)
    assert 200 in statuses and len(statuses) >= THREADS
    assert ScimToken.objects.filter(account=account).count() == 1
    assert ScimToken.objects.get(account=account).token_hash == hash_token(issued[-1])
    valid = [raw for raw in issued if http.call("GET", "/Users?count=1", token=raw)[0] == 200]
    assert valid == [issued[-1]]


def test_two_admins_rotating_at_once_leave_one_valid_token(http, account):
    admins = [MembershipFactory(account=account, role=Membership.Role.ADMIN).user for _ in range(2)]
    results = parallel([lambda a=a: token_rotate(account=account, actor=a)[1] for a in admins])
    statuses = [http.call("GET", "/Users", token=raw)[0] for raw in [TOKEN, *results]]
    assert statuses.count(200) == 1 and statuses[0] == 401


# ------------------------------------------------------------------ the default rate limit


def test_a_burst_of_100_parallel_requests_passes_the_default_rate_limit(http, account, settings):
    settings.SCIM_RATE_LIMIT = project_settings.SCIM_RATE_LIMIT
    settings.SCIM_RATE_BURST = project_settings.SCIM_RATE_BURST
    per_thread = 100 // THREADS + 1
    results = parallel(
        [lambda: [http.call("GET", "/Users?count=1")[0] for _ in range(per_thread)]] * THREADS
    )
    statuses = [s for batch in results for s in batch]
    assert len(statuses) >= 100
    assert set(statuses) == {200}
