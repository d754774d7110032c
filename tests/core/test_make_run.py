"""`make run PORT=…` serves on that port and names it in the Tenant URL, in Location
headers and in $refs (the README's first command, run as a user runs it)."""

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "DATABASE_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    env["PYTHON"] = sys.executable
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stdout.read().decode()[-3000:])
                time.sleep(0.5)
        else:
            pytest.fail(f"make run did not listen on {port}")
        yield port, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_make_run_names_its_own_port(served):
    port, env = served
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    login = browser.open(base + "/accounts/login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "username": "admin@demo.example",
            "password": "demo-admin-password",
        }
    ).encode()
    browser.open(
        urllib.request.Request(base + "/accounts/login/", data=form, headers={"Referer": base}),
        timeout=30,
    )
    preferences = browser.open(base + "/preferences/", timeout=30).read().decode()
    assert f'id="scim-tenant-url" value="{base}/scim/v2"' in preferences

    token = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "rotate_scim_token", "demo", "--format", "json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
        ).stdout
    )["token"]
    body = json.dumps(
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "p@x.io"}
    )
    request = urllib.request.Request(
        base + "/scim/v2/Users",
        data=body.encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
    )
    with browser.open(request, timeout=30) as response:
        assert response.status == 201
        assert response.headers["Location"].startswith(f"{base}/scim/v2/Users/")
        created = json.loads(response.read())
    assert created["meta"]["location"].startswith(f"{base}/scim/v2/Users/")
