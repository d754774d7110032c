"""Two app servers, one PostgreSQL, one Redis: they behave as one.

Two gunicorn servers (``gunicorn.conf.py``, two sync workers each, different ports) run
against the test database with ``CACHE_URL`` pointing at Redis, as production runs N app
servers behind a load balancer. Over real HTTP, each test sends its requests to both:

- the SCIM rate limit counts across both servers (and their workers): the shared budget
  is spent half on each, then both answer 429;
- an admin logged in on one is logged in on the other; the show-once token generated
  through one is shown once by the other;
- token rotation on one server takes effect on the other at once;
- interleaved SCIM writes from both (parallel creates, member adds, the same userName sent to
  both at once) leave one consistent state that both servers report alike;
- a kiosk tablet enabled through one server works on the other, and a revocation stops it
  on both.

Redis: ``TEST_CACHE_URL`` (default ``redis://127.0.0.1:6379/0``); every run uses a key prefix
of its own. Without Redis the tests are skipped locally and fail in CI.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from scim_hosts.access.tokens import rotate_token
from scim_hosts.models import ProvisioningEvent
from tests.factories import AccountFactory, HostFactory, MembershipFactory
from tests.hardening.helpers import app_env, postgres_url
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership, Membership

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CACHE_URL = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/0")
# The shared budget: 60 requests per 60-second window per account (rate 1/s, burst 60).
RATE, BURST = 1, 60
WINDOW = 60
PASSWORD = "two-servers-password"
SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TOKEN_RE = re.compile(r"vmscim_[A-Za-z0-9_\-]+")


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis to test with
        reason = f"Redis at {CACHE_URL} is not reachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"the two-app-server test cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    return postgres_url(connection)


class Server:
    """One app server: ``gunicorn -c gunicorn.conf.py`` on its own port."""

    def __init__(self, port, env):
        self.port = port
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(settings.BASE_DIR / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.proc.stderr.read()}")
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not become ready")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def scim(self, token, method, path, document=None):
        headers = {"Authorization": f"Bearer {token}"}
        body = None
        if document is not None:
            body = json.dumps(document)
            headers["Content-Type"] = SCIM
        status, resp_headers, data = self.request(method, "/scim/v2" + path, body, headers)
        return status, resp_headers, (json.loads(data) if data else None)


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, static_root):
    redis_or_skip()
    with django_db_blocker.unblock():
        url = database_url()
    env = app_env(
        DATABASE_URL=url,
        CACHE_URL=CACHE_URL,
        CACHE_KEY_PREFIX=f"two-servers-{uuid.uuid4().hex}",
        DEBUG="false",
        SECRET_KEY="two-servers-" + "s" * 50,  # the same on every server: sessions, CSRF
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=static_root,
        SCIM_RATE_LIMIT=RATE,
        SCIM_RATE_BURST=BURST,
        LOG_LEVEL="WARNING",
    )
    pair = [Server(free_port(), env), Server(free_port(), env)]
    try:
        for server in pair:
            server.wait_ready()
        yield pair
    finally:
        for server in pair:
            server.stop()


def new_account(slug):
    account = AccountFactory(name=slug.title(), slug=slug)
    _token, raw = rotate_token(account=account)
    return account, raw


def fresh_window(needed_seconds=20):
    """Wait, if need be, until the current rate-limit window has ``needed_seconds`` left."""
    left = WINDOW - time.time() % WINDOW
    if left < needed_seconds:
        time.sleep(left + 0.2)


# ------------------------------------------------------------------ rate limit


def test_the_rate_limit_counts_requests_to_both_servers(servers):
    a, b = servers
    account, token = new_account("ratelimited")
    fresh_window()
    statuses = [(a if i % 2 else b).scim(token, "GET", "/Users?count=1")[0] for i in range(BURST)]
    assert statuses == [200] * BURST  # 30 on each server: each alone is far below budget
    for server in (a, b):
        status, headers, body = server.scim(token, "GET", "/Users?count=1")
        assert status == 429, body
        assert int(headers["Retry-After"]) >= 1
        assert body["status"] == "429" and "60 SCIM requests per 60 seconds" in body["detail"]
    # Another account's budget is its own.
    _other, other_token = new_account("unthrottled")
    assert a.scim(other_token, "GET", "/Users?count=1")[0] == 200
    assert ProvisioningEvent.objects.filter(account=account, status=429).count() == 1


# ------------------------------------------------------------------ sessions, show-once, rotation


class Browser:
    """Cookies kept by hand: the servers run with DEBUG off, so their cookies are marked
    Secure, and this client speaks plain HTTP to them (TLS ends at the load balancer)."""

    def __init__(self):
        self.cookies = {}

    def request(self, server, method, path, form=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, resp_headers, data = server.request(method, path, body, headers)
        for raw in resp_headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return status, resp_headers, data.decode()


def admin_of(account):
    user = MembershipFactory(account=account, role=Membership.Role.ADMIN).user
    hasher = PBKDF2PasswordHasher()  # the servers' own hasher (tests run with a fast one)
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user


def log_in(browser, server, user):
    assert browser.request(server, "GET", "/accounts/login/")[0] == 200
    status, headers, body = browser.request(
        server, "POST", "/accounts/login/", {"username": user.email, "password": PASSWORD}
    )
    assert status == 302, body[:500]
    assert "sessionid" in browser.cookies


def test_an_admin_session_and_the_show_once_token_work_on_either_server(servers):
    a, b = servers
    account = AccountFactory(name="Sessions", slug="sessions")
    browser = Browser()
    log_in(browser, a, admin_of(account))
    # Logged in on A, so on B too: the session lives in the database.
    status, _h, page = browser.request(b, "GET", "/preferences/")
    assert status == 200 and "SCIM Host Provisioning" in page
    # Generate the token through B: shown once, in B's answer; neither server shows it again.
    status, _h, page = browser.request(b, "POST", "/preferences/scim/token/generate/", {})
    assert status == 200
    shown = TOKEN_RE.findall(page)
    assert len(set(shown)) == 1
    token = shown[0]
    assert TOKEN_RE.findall(browser.request(a, "GET", "/preferences/")[2]) == []
    assert TOKEN_RE.findall(browser.request(b, "GET", "/preferences/")[2]) == []
    for server in (a, b):
        assert server.scim(token, "GET", "/Users")[0] == 200

    # Rotation on A takes effect on B at once.
    assert browser.request(a, "GET", "/preferences/scim/token/rotate/")[0] == 200
    status, _h, page = browser.request(a, "POST", "/preferences/scim/token/rotate/", {})
    assert status == 200
    new = TOKEN_RE.findall(page)
    assert len(set(new)) == 1 and new[0] != token
    assert b.scim(token, "GET", "/Users")[0] == 401
    assert TOKEN_RE.findall(browser.request(b, "GET", "/preferences/")[2]) == []
    assert b.scim(new[0], "GET", "/Users")[0] == 200
    assert a.scim(token, "GET", "/Users")[0] == 401
    assert a.scim(new[0], "GET", "/Users")[0] == 200

    # Logging out on B ends the session on A as well.
    assert browser.request(b, "POST", "/accounts/logout/", {})[0] == 302
    status, headers, _ = browser.request(a, "GET", "/preferences/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_rotation_by_command_takes_effect_on_both_servers_at_once(servers):
    a, b = servers
    account, old = new_account("rotated")
    assert a.scim(old, "GET", "/Users")[0] == 200 and b.scim(old, "GET", "/Users")[0] == 200
    out = subprocess.run(
        [sys.executable, "manage.py", "rotate_scim_token", account.slug, "--format", "json"],
        cwd=settings.BASE_DIR,
        env=app_env(
            DATABASE_URL=database_url(), LOG_LEVEL="WARNING", SECRET_KEY="two-servers-" + "s" * 50
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    new = json.loads(out.stdout)["token"]
    for server in (a, b):
        assert server.scim(old, "GET", "/Users")[0] == 401
        assert server.scim(new, "GET", "/Users")[0] == 200


# ------------------------------------------------------------------ interleaved writes


def user_doc(name):
    return {"schemas": [USER], "userName": name, "active": True, "displayName": name}


def test_interleaved_scim_writes_from_both_servers_keep_one_state(servers):
    a, b = servers
    account, token = new_account("interleaved")
    fresh_window(needed_seconds=40)
    names = [f"user{i}@interleaved.example" for i in range(20)]

    def create(i):
        return (a if i % 2 else b).scim(token, "POST", "/Users", user_doc(names[i]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(create, range(len(names))))
    assert [c[0] for c in created] == [201] * len(names)
    ids = [c[2]["id"] for c in created]

    # The same userName sent to both servers at once (in another case): one 201, one 409.
    def race(pair):
        i, server = pair
        return server.scim(token, "POST", "/Users", user_doc(f"Twin{i}@Interleaved.example"))

    for i in range(3):
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(r[0] for r in pool.map(race, [(i, a), (i, b)]))
        assert statuses == [201, 409]

    status, _h, group = a.scim(token, "POST", "/Groups", {"schemas": [GROUP], "displayName": "G"})
    assert status == 201

    def add(i):
        op = {"op": "Add", "path": "members", "value": [{"value": ids[i]}]}
        doc = {"schemas": [PATCH], "Operations": [op]}
        return (b if i % 2 else a).scim(token, "PATCH", f"/Groups/{group['id']}", doc)[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(add, range(len(ids)))) == [204] * len(ids)

    # Deactivate two users, one through each server.
    off = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert a.scim(token, "PATCH", f"/Users/{ids[0]}", off)[0] == 200
    assert b.scim(token, "PATCH", f"/Users/{ids[1]}", off)[0] == 200

    # Both servers report the same state, and it is the database's.
    views = []
    for server in (a, b):
        _s, _h, users = server.scim(token, "GET", "/Users?count=100")
        _s, _h, members = server.scim(token, "GET", f"/Groups/{group['id']}")
        views.append(
            (
                users["totalResults"],
                sorted((u["id"], u["active"]) for u in users["Resources"]),
                sorted(m["value"] for m in members["members"]),
            )
        )
    assert views[0] == views[1]
    total, users, members = views[0]
    assert total == len(names) + 3 == Host.objects.filter(account=account).count()
    assert members == sorted(ids)
    assert [active for uid, active in users if uid in ids[:2]] == [False, False]
    group_row = HostGroup.objects.get(account=account)
    assert HostGroupMembership.objects.filter(group=group_row).count() == len(ids)
    assert Host.objects.filter(account=account, is_active=False).count() == 2
    # Every successful write left exactly one provisioning-log row.
    successes = ProvisioningEvent.objects.filter(
        account=account, outcome="success", resource_type__in=["User", "Group"]
    )
    assert successes.count() == len(names) + 3 + 1 + len(ids) + 2


# ------------------------------------------------------------------ kiosk devices


def test_a_kiosk_enabled_through_one_server_works_on_the_other_until_revoked(servers):
    from visitor_mgmt.kiosk.services import kiosk_device_create, kiosk_device_revoke

    a, b = servers
    account = AccountFactory(name="Lobby", slug="lobby")
    HostFactory(account=account, first_name="Grace", last_name="Hopper")
    device, key = kiosk_device_create(account=account, name="Front desk")
    tablet = Browser()
    assert tablet.request(a, "GET", "/kiosk/lobby/activate/")[0] == 200
    status, _h, body = tablet.request(a, "POST", "/kiosk/lobby/activate/", {"key": key})
    assert status == 302, body[:500]
    # The device cookie is signed with the shared SECRET_KEY; the device row is in the database.
    assert tablet.request(b, "GET", "/kiosk/lobby/")[0] == 200
    status, _h, body = tablet.request(b, "GET", "/kiosk/lobby/api/hosts/?q=grace")
    assert status == 200 and "Grace" in body
    kiosk_device_revoke(device=device)
    for server in (a, b):
        assert tablet.request(server, "GET", "/kiosk/lobby/")[0] == 403
