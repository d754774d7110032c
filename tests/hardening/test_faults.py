"""Faults: the database is unreachable, or dies in the middle of a request.

- Unreachable (a PostgreSQL port nobody listens on, or an SQLite file that cannot be
  opened): the app runs in a subprocess with that ``DATABASE_URL``, as in production
  (``DEBUG`` off) and in development (``DEBUG`` on). SCIM answers a 503 SCIM error with
  ``Retry-After``, pages a friendly 503 page, the JSON API a JSON 503, ``/readyz`` 503,
  ``/healthz`` 200; never a stack trace, never the token in a log line.
- Dies mid-request (PostgreSQL): a trigger makes the server terminate the request's own
  connection at its last write; the response is a 503 and nothing of the request is left.
- Restarts between requests (PostgreSQL): the next request reconnects and succeeds.
"""

import json
import subprocess
import sys
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import Client, RequestFactory

from scim_hosts.models import ProvisioningEvent
from tests.hardening.helpers import app_env
from tests.scim.support import CORE_USER, ERROR, PATCH_OP, TOKEN, ScimClient
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership

SCRIPT = r"""
import json, sys
import django
django.setup()
from django.test import Client

token = sys.argv[1]
client = Client(raise_request_exception=False)
scim = {"HTTP_AUTHORIZATION": "Bearer " + token, "secure": True}
out = {}

def record(name, resp):
    out[name] = {
        "status": resp.status_code,
        "headers": dict(resp.headers),
        "body": resp.content.decode("utf-8", "replace")[:3000],
    }

record("scim_list", client.get("/scim/v2/Users", **scim))
record("scim_create", client.post(
    "/scim/v2/Users", data=json.dumps({"userName": "down@acme.test"}),
    content_type="application/scim+json", **scim))
record("scim_patch", client.patch(
    "/scim/v2/Groups/8b4f6a1e-1f1e-4a55-9e1c-7d0e2f7e9a10",
    data=json.dumps({"Operations": [{"op": "add", "path": "members", "value": []}]}),
    content_type="application/scim+json", **scim))
record("readyz", client.get("/readyz", secure=True))
record("healthz", client.get("/healthz", secure=True))
record("login_page", client.get("/accounts/login/", secure=True))
record("login_post", client.post(
    "/accounts/login/", {"username": "a@acme.test", "password": "pw"}, secure=True))
record("kiosk", client.get("/kiosk/acme/", secure=True))
client.cookies["sessionid"] = "a" * 32  # a signed-in browser: the session is in the database
record("api", client.get("/api/v1/hosts/", secure=True))
record("hosts_page", client.get("/hosts/", secure=True))
record("preferences", client.get("/preferences/", secure=True))
print(json.dumps(out))
"""

UNREACHABLE = {
    "postgresql": "postgres://postgres@127.0.0.1:1/visitor_mgmt",  # nothing listens on port 1
    "sqlite": "sqlite:////nonexistent-directory/visitor_mgmt.sqlite3",
}


def run_app(database_url, *, debug, static_root):
    env = app_env(
        DATABASE_URL=database_url,
        DEBUG="true" if debug else "false",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="DEBUG",
        STATIC_ROOT=static_root,
    )
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, TOKEN],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


@pytest.fixture(scope="module", params=[(e, d) for e in UNREACHABLE for d in (False, True)])
def unreachable(request, static_root):
    engine, debug = request.param
    results, logs = run_app(UNREACHABLE[engine], debug=debug, static_root=static_root)
    return results, logs


def test_scim_answers_a_503_scim_error_with_retry_after(unreachable):
    results, _logs = unreachable
    for name in ("scim_list", "scim_create", "scim_patch"):
        resp = results[name]
        assert resp["status"] == 503, (name, resp)
        assert resp["headers"]["Content-Type"] == "application/scim+json"
        assert resp["headers"]["Retry-After"] == "30"
        body = json.loads(resp["body"])
        assert body["schemas"] == [ERROR] and body["status"] == "503"
        assert "temporarily unavailable" in body["detail"]


def test_pages_show_a_friendly_503_page(unreachable):
    results, _logs = unreachable
    for name in ("login_post", "kiosk", "hosts_page", "preferences"):
        resp = results[name]
        assert resp["status"] == 503, (name, resp["status"], resp["body"][:300])
        assert resp["headers"]["Content-Type"].startswith("text/html")
        assert resp["headers"]["Retry-After"] == "30"
        assert "Temporarily unavailable" in resp["body"]
        assert "Traceback" not in resp["body"] and "OperationalError" not in resp["body"]
        assert "Content-Security-Policy" in resp["headers"]
    # A page that needs no data still works.
    assert results["login_page"]["status"] == 200


def test_the_json_api_answers_json(unreachable):
    resp = unreachable[0]["api"]
    assert resp["status"] == 503
    assert json.loads(resp["body"]) == {
        "detail": "The service is temporarily unavailable. Try again later."
    }


def test_readiness_fails_and_liveness_holds(unreachable):
    results, _logs = unreachable
    assert results["readyz"]["status"] == 503
    assert json.loads(results["readyz"]["body"])["database"] == "unreachable"
    assert results["healthz"]["status"] == 200


def test_logs_say_why_and_never_hold_the_token(unreachable):
    _results, logs = unreachable
    assert "database unreachable" in logs.lower()
    assert TOKEN not in logs
    assert TOKEN[len("vmscim_") :][:20] not in logs


# ------------------------------------------------------------------ PostgreSQL: connection dies

KILL_FUNCTION = """
CREATE OR REPLACE FUNCTION hardening_terminate_self() RETURNS trigger AS $$
BEGIN
    PERFORM pg_terminate_backend(pg_backend_pid());
    PERFORM pg_sleep(10);  -- the termination lands here
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""


@contextmanager
def dies_at_commit_log():
    """The server terminates a request's connection when it writes the provisioning-log row
    of a success: the last write of every SCIM write, so everything else is already sent."""
    table = ProvisioningEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(KILL_FUNCTION)
        cursor.execute(
            f"CREATE TRIGGER hardening_die BEFORE INSERT ON {table} FOR EACH ROW "
            "WHEN (NEW.outcome = 'success') EXECUTE FUNCTION hardening_terminate_self()"
        )
    try:
        yield
    finally:
        connection.close()  # whatever state the killed request left behind
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS hardening_die ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS hardening_terminate_self()")


def snapshot(account):
    return {
        "hosts": list(Host.objects.filter(account=account).order_by("pk").values()),
        "groups": list(HostGroup.objects.filter(account=account).order_by("pk").values()),
        "members": sorted(
            HostGroupMembership.objects.filter(group__account=account).values_list(
                "group_id", "host_id"
            )
        ),
    }


def assert_503(resp):
    assert resp.status_code == 503, resp.content
    body = resp.json()
    assert body["schemas"] == [ERROR] and body["status"] == "503"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_whose_connection_dies_leaves_nothing_half_written(account, token):
    api = ScimClient(Client(), TOKEN)
    users = [api.create_user(f"m{i}@acme.test")["id"] for i in range(3)]
    group = api.create_group("Before")
    api.patch_ops(
        f"/Groups/{group['id']}", {"op": "add", "path": "members", "value": [{"value": users[0]}]}
    )
    before = snapshot(account)
    events = ProvisioningEvent.objects.filter(outcome="success").count()

    with dies_at_commit_log():
        # A group PATCH that renames, adds two members and removes one.
        resp = api.request(
            "PATCH",
            f"/Groups/{group['id']}",
            {
                "schemas": [PATCH_OP],
                "Operations": [
                    {"op": "replace", "path": "displayName", "value": "After"},
                    {"op": "add", "path": "members", "value": [{"value": u} for u in users[1:]]},
                    {"op": "remove", "path": f'members[value eq "{users[0]}"]'},
                ],
            },
        )
        assert_503(resp)
        # A user PATCH (columns and stored document) and a create.
        op = {"op": "replace", "path": "title", "value": "Changed"}
        assert_503(api.patch_ops(f"/Users/{users[1]}", op))
        assert_503(api.post("/Users", {"schemas": [CORE_USER], "userName": "new@acme.test"}))

    assert snapshot(account) == before
    assert ProvisioningEvent.objects.filter(outcome="success").count() == events
    # The failures were logged once the connection was back, and the service works again.
    assert ProvisioningEvent.objects.filter(outcome="failure", status=503).count() == 3
    op = {"op": "replace", "path": "title", "value": "T"}
    assert api.patch_ops(f"/Users/{users[1]}", op).status_code == 200
    assert api.user(users[1])["title"] == "T"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_restart_between_requests_is_not_noticed(account, token):
    """Persistent connections (CONN_MAX_AGE) are health-checked at the start of a request, so
    a connection the server dropped is replaced, not used: by Django (CONN_HEALTH_CHECKS) on
    pages and /readyz, by the token lookup itself on SCIM requests (it fails, the connection
    is replaced, the lookup runs again)."""
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert call_wsgi("/scim/v2/Users") == 200
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # what a server restart does to every connection
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    assert call_wsgi("/scim/v2/Users") == 200
    assert connection.connection.info.backend_pid != pid
    assert call_wsgi("/readyz") == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scim_requests_spend_no_round_trip_on_a_separate_health_check(account, token, monkeypatch):
    """The token lookup is the SCIM request's health check; Django's SELECT 1 still runs for
    everything else."""
    checks = []
    wrapper = type(connections["default"])
    real_is_usable = wrapper.is_usable

    def counting_is_usable(self):
        checks.append(1)
        return real_is_usable(self)

    monkeypatch.setattr(wrapper, "is_usable", counting_is_usable)
    assert call_wsgi("/scim/v2/Users") == 200  # opens the persistent connection
    assert call_wsgi("/scim/v2/Users") == 200
    assert call_wsgi("/scim/v2/ServiceProviderConfig") == 200
    assert checks == []
    assert call_wsgi("/readyz") == 200
    assert checks == [1]


def call_wsgi(path):
    """A GET through the WSGI entry point gunicorn calls, with its request signals."""
    environ = RequestFactory().get(path, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").environ
    status = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    response.close()  # request_finished: persistent connections stay open
    return int(status[0].split()[0])
