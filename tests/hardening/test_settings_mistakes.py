"""Database settings mistakes are reported as what they are, on either PostgreSQL driver.

The app runs in a subprocess (``DEBUG`` off, as in production) against the test database's
own server with one thing wrong: a user that does not exist (wrong credentials: the local
server trusts every existing user, so a missing role is how credentials fail here), a
database that does not exist, or a connection option the driver refuses (what
``prepare_threshold`` did to every connection under psycopg2). SCIM answers the same 503
SCIM error with ``Retry-After`` as for an unreachable server, never a 500; ``/readyz`` says
``misconfigured`` and why; the log has one error line naming the mistake.
"""

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.hardening.helpers import app_env, postgres_url
from tests.hardening.test_faults import SCRIPT
from tests.scim.support import ERROR, TOKEN

pytestmark = pytest.mark.postgres


def server_url(**wrong):
    return postgres_url(connection, **wrong)


MISTAKES = {
    "wrong credentials": (
        lambda: server_url(user="vm_no_such_role"),
        "the database user does not exist",
    ),
    "missing database": (
        lambda: server_url(name="vm_no_such_database"),
        "the database does not exist",
    ),
    "option the driver refuses": (
        lambda: server_url(query="?vm_bogus_option=1"),
        "a connection option the database driver does not accept",
    ),
}


@pytest.fixture(scope="module", params=list(MISTAKES))
def mistake(request, static_root, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        url = MISTAKES[request.param][0]()
    env = app_env(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="testserver",
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
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    return request.param, results, proc.stderr


def test_scim_answers_503_not_500(mistake):
    _name, results, _logs = mistake
    for name in ("scim_list", "scim_create", "scim_patch"):
        resp = results[name]
        assert resp["status"] == 503, (name, resp)
        assert resp["headers"]["Content-Type"] == "application/scim+json"
        assert resp["headers"]["Retry-After"] == "30"
        body = json.loads(resp["body"])
        assert body["schemas"] == [ERROR] and body["status"] == "503"
        assert "temporarily unavailable" in body["detail"]


def test_pages_and_api_answer_503(mistake):
    _name, results, _logs = mistake
    for name in ("login_post", "kiosk", "hosts_page", "preferences", "api"):
        assert results[name]["status"] == 503, (name, results[name]["body"][:300])
    assert results["healthz"]["status"] == 200


def test_readyz_says_misconfigured_and_why(mistake):
    name, results, _logs = mistake
    resp = results["readyz"]
    assert resp["status"] == 503
    assert json.loads(resp["body"]) == {
        "status": "unavailable",
        "database": "misconfigured",
        "reason": MISTAKES[name][1],
    }


def test_logs_name_the_mistake_as_an_error(mistake):
    name, _results, logs = mistake
    lines = [line for line in logs.splitlines() if "Database misconfigured" in line]
    assert lines, logs
    assert all(MISTAKES[name][1] in line for line in lines)
    assert "Database unreachable" not in logs
    assert "Traceback" not in logs
    assert TOKEN not in logs
