"""Security: the SCIM token never reaches a log or a table in clear; every state change
needs a CSRF token; pages carry the security headers; ``check --deploy`` is clean.

The log tests capture every logger at DEBUG, SQL included (``django.db.backends`` with its
parameters), while real requests run: SCIM successes and every kind of error, every kind of
authentication failure, and token rotation by command and in the Preferences page.
"""

import io
import json
import logging
import re
import secrets
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from scim_hosts import ratelimit
from scim_hosts.access.tokens import hash_token
from scim_hosts.adapters import SCIMHost
from scim_hosts.models import ProvisioningEvent, ScimToken
from tests.factories import MembershipFactory, ScimTokenFactory
from tests.hardening.helpers import app_env
from tests.preferences.helpers import GENERATE_URL, PREFERENCES_URL, ROTATE_URL
from tests.scim.support import CORE_GROUP, CORE_USER, TOKEN, ScimClient, filter_qs
from visitor_mgmt.log_filters import REDACTED
from visitor_mgmt.models import Membership

TOKEN_RE = re.compile(r"vmscim_[A-Za-z0-9_\-]{16,}")
LOGGERS = ("django", "django.request", "django.db.backends", "django_scim", "scim_hosts")


@pytest.fixture
def all_logs(caplog):
    """Every record of every logger at DEBUG, SQL statements with their parameters too."""
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


def record_text(record):
    formatter = logging.Formatter()
    text = record.getMessage() + " " + repr(record.__dict__)
    if record.exc_info:
        text += formatter.formatException(record.exc_info)
    return text


def assert_not_logged(caplog, *raw_tokens, sql=True):
    texts = [record_text(r) for r in caplog.records]
    if sql:
        assert any(r.name == "django.db.backends" for r in caplog.records), "no SQL captured"
    for text in texts:
        for raw in raw_tokens:
            assert raw not in text
        assert not TOKEN_RE.search(text), text[:500]


# ------------------------------------------------------------------ logs


def test_scim_requests_and_errors_never_log_the_token(
    api, account, all_logs, settings, monkeypatch
):
    user = api.create_user("log@acme.test", name={"givenName": "L"})
    group = api.create_group("Logged")
    api.get(f"/Users/{user['id']}")
    api.get("/Users?" + filter_qs('userName eq "log@acme.test"'))
    api.post("/Users/.search", {"filter": 'userName sw "l"'})
    api.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "title", "value": "T"})
    api.put(f"/Users/{user['id']}", {"schemas": [CORE_USER], "userName": "log@acme.test"})
    api.patch_ops(f"/Groups/{group['id']}", {"op": "add", "path": "members", "value": [user]})
    # Errors: 400, 404, 405, 409, 413, 415, 501, 429 and an unexpected 500.
    statuses = [
        api.post("/Users", b"{not json").status_code,
        api.get(f"/Users/{uuid.uuid4()}").status_code,
        api.request("DELETE", "/Users").status_code,
        api.post("/Users", {"schemas": [CORE_USER], "userName": "LOG@acme.test"}).status_code,
        api.post("/Users", {"userName": "x", "pad": "p" * (2 * 1024 * 1024)}).status_code,
        api.post("/Groups", {"schemas": [CORE_GROUP]}, content_type="text/plain").status_code,
        api.post("/Bulk", {}).status_code,
    ]
    assert statuses == [400, 404, 405, 409, 413, 415, 501]
    monkeypatch.setattr(SCIMHost, "to_dict", lambda self: 1 / 0)
    assert api.get(f"/Users/{user['id']}").status_code == 500
    monkeypatch.undo()
    settings.SCIM_RATE_LIMIT, settings.SCIM_RATE_BURST = 1, 0
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_000.5)
    assert [api.get("/Users").status_code for _ in range(2)] == [200, 429]
    api.delete(f"/Users/{user['id']}")
    assert_not_logged(all_logs, TOKEN)
    assert "SCIM request failed" in all_logs.text  # the 500 was logged, with its traceback


@pytest.mark.parametrize(
    "header",
    [
        "Bearer vmscim_a-well-formed-token-that-is-not-the-accounts-0123456789",
        "Bearer vmscim_" + "o" * 300,
        "Basic " + TOKEN,
        "Token " + TOKEN,
        TOKEN,
        "Bearer " + TOKEN + " extra",
    ],
)
def test_failed_authentication_never_logs_the_presented_credential(api, all_logs, header):
    resp = api.get("/Users", token=None, HTTP_AUTHORIZATION=header)
    assert resp.status_code == 401
    presented = header.split()[1] if " " in header else header
    assert presented.encode() not in resp.content
    assert_not_logged(all_logs, presented, TOKEN, sql=False)
    assert "Unauthorized: /scim/v2/Users" in all_logs.text


def test_rotated_and_disabled_tokens_never_logged(api, account, all_logs):
    call_command("rotate_scim_token", account.slug, stdout=io.StringIO())  # TOKEN is now old
    assert api.get("/Users").status_code == 401
    out = io.StringIO()
    call_command("rotate_scim_token", account.slug, "--format", "json", stdout=out)
    current = json.loads(out.getvalue())["token"]
    ScimToken.objects.update(enabled=False)
    assert ScimClient(Client(), current).get("/Users").status_code == 401
    assert_not_logged(all_logs, TOKEN, current)


def test_a_token_sent_in_the_url_is_refused_and_not_logged_as_a_message(api, all_logs):
    # Never a way in; and the message lines carry the path only. (A client that puts its
    # secret in a URL leaks it to every proxy's access log; nothing here can undo that.)
    assert api.get(f"/Users?access_token={TOKEN}", token=None).status_code == 401
    assert all(TOKEN not in r.getMessage() for r in all_logs.records)


def test_rotation_by_command_logs_and_stores_no_token(account, all_logs):
    out = io.StringIO()
    call_command("rotate_scim_token", account.slug, "--format", "json", stdout=out)
    raw = json.loads(out.getvalue())["token"]
    assert ScimClient(Client(), raw).get("/Users").status_code == 200
    assert_not_logged(all_logs, raw)
    assert_not_at_rest(raw)


def assert_not_at_rest(raw):
    """Only the hash and the last four characters are stored."""
    row = ScimToken.objects.get()
    assert row.token_hash == hash_token(raw) and row.hint == raw[-4:]
    stored = repr(list(ScimToken.objects.values())) + repr(list(ProvisioningEvent.objects.values()))
    assert raw not in stored and raw[:-4] not in stored


def test_rotation_in_preferences_logs_and_keeps_no_token(account, admin_user, all_logs):
    client = Client()
    client.force_login(admin_user)
    page = client.post(GENERATE_URL, follow=True).content.decode()
    first = TOKEN_RE.findall(page)
    assert len(set(first)) == 1  # shown once, on the page after the POST
    page = client.post(ROTATE_URL, follow=True).content.decode()
    second = TOKEN_RE.findall(page)
    assert len(set(second)) == 1 and second[0] != first[0]
    assert not TOKEN_RE.findall(client.get(PREFERENCES_URL).content.decode())  # once only
    assert ScimClient(Client(), second[0]).get("/Users").status_code == 200
    assert ScimClient(Client(), first[0]).get("/Users").status_code == 401
    assert_not_logged(all_logs, first[0], second[0])
    assert_not_at_rest(second[0])
    # The session carried the token from the POST to the page that showed it; no longer.
    for session in Session.objects.all():
        assert second[0] not in json.dumps(session.get_decoded())


def test_the_log_handler_masks_credentials_in_any_message():
    """Defence in depth: even a line that dumps request headers shows no credential."""
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    stream = io.StringIO()
    old_stream = handler.setStream(stream)
    try:
        logger = logging.getLogger("tests.hardening.leaky")
        logger.warning("META: %s", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}", "PATH": "/"})
        logger.warning("Authorization: Basic dXNlcjpwYXNzd29yZA==")
        logger.warning("retrying with bearer %s", TOKEN)
        logger.warning("GET /scim/v2/Users?filter=x&access_token=%s HTTP/1.1", TOKEN)
        try:
            raise ValueError(f"Authorization: Bearer {TOKEN}")
        except ValueError:
            logger.exception("boom")
    finally:
        handler.setStream(old_stream)
    output = stream.getvalue()
    assert TOKEN not in output and "dXNlcjpwYXNzd29yZA" not in output
    assert output.count(REDACTED) >= 5
    assert "'PATH': '/'" in output  # the rest of the line is kept


# ------------------------------------------------------------------ CSRF and roles


def _urls(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _urls(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


CONVERTER_VALUES = {"slug": "acme", "int": "1", "uuid": str(uuid.uuid4()), "str": "x", "path": "x"}


def concrete(route):
    if route.startswith("^") or "(?P" in route:
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).lstrip("^").rstrip("$").replace("\\", "")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_VALUES[m.group(1) or "str"], route)
    return "/" + route


def test_every_state_change_outside_scim_needs_a_csrf_token(account, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    urls = sorted({concrete(r) for r in _urls(get_resolver())})
    checked = 0
    for url in urls:
        if url.startswith("/scim/v2/") or url in ("/healthz", "/readyz"):
            continue  # SCIM: bearer token, no cookies; probes: GET only
        resp = client.post(url, {"name": "x"})
        assert resp.status_code in (403, 404, 405), (url, resp.status_code)
        if resp.status_code == 403:
            assert b"CSRF" in resp.content or b"form" in resp.content.lower(), url
            checked += 1
    assert checked >= 20, urls
    assert ScimToken.objects.count() == 0


def test_scim_ignores_cookies_and_needs_no_csrf_token(account, admin_user):
    ScimTokenFactory(account=account, raw_token=TOKEN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    resp = client.post(
        "/scim/v2/Users",
        json.dumps({"userName": "c@acme.test"}),
        content_type="application/scim+json",
    )
    assert resp.status_code == 401  # a session is not a credential
    resp = ScimClient(client, TOKEN).post("/Users", {"userName": "c@acme.test"})
    assert resp.status_code == 201


def test_admin_only_actions_are_refused_to_staff_server_side(account):
    staff = MembershipFactory(account=account, role=Membership.Role.STAFF).user
    client = Client()
    client.force_login(staff)
    for url in (GENERATE_URL, ROTATE_URL, "/preferences/scim/enabled/"):
        assert client.post(url, {"enabled": "true"}).status_code == 403, url
    assert not ScimToken.objects.exists()
    assert client.get(PREFERENCES_URL).status_code == 403


# ------------------------------------------------------------------ headers and settings


def test_pages_carry_security_headers(client):
    resp = client.get("/accounts/login/")
    assert resp.status_code == 200
    csp = resp["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Referrer-Policy"] == "same-origin"
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["Cross-Origin-Opener-Policy"] == "same-origin"


def test_scim_responses_are_not_sniffed(api):
    resp = api.get("/Users")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Content-Type"] == "application/scim+json"


def production_env(static_root=None):
    """The README's production settings (and nothing else from this test process)."""
    env = app_env(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.com",
        PUBLIC_BASE_URL="https://example.com",
    )
    if static_root is not None:
        env["STATIC_ROOT"] = str(static_root)
    return env


def test_check_deploy_is_clean_with_production_settings():
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues (0 silenced)." in proc.stdout


HEADERS_SCRIPT = r"""
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST="example.com")
page = client.get("/accounts/login/", secure=True)
plain = client.get("/accounts/login/")
probe = client.get("/healthz")
cookie = page.cookies["csrftoken"]
print(json.dumps({
    "status": page.status_code,
    "headers": dict(page.headers),
    "csrf_cookie": {"secure": cookie["secure"], "samesite": cookie["samesite"]},
    "plain": [plain.status_code, plain.headers.get("Location")],
    "probe": probe.status_code,
    "settings": {
        name: getattr(settings, name)
        for name in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
                     "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "DEBUG")
    },
}))
"""


def test_production_pages_have_hsts_and_secure_cookies(static_root):
    proc = subprocess.run(
        [sys.executable, "-c", HEADERS_SCRIPT],
        env=production_env(static_root),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"] == 200
    headers = out["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert out["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    assert out["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
    }
    # Plain HTTP is redirected to HTTPS, except the load balancer's probes.
    assert out["plain"] == [301, "https://example.com/accounts/login/"]
    assert out["probe"] == 200
