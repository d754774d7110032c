"""Slow clients cannot hold the app: gunicorn with the shipped gunicorn.conf.py keeps
answering /healthz while connections that sent half a header and stopped stay open (issue
14: two such connections made /healthz wait 31 s with sync workers).

No timing is asserted: the probe must simply get its answer before a generous client
timeout, which a blocked server never gives."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

from tests.hardening.helpers import app_env

PROBE_TIMEOUT = 15  # seconds; a server held by slow clients never answers within it
WORKERS, THREADS = 2, 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz(port):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=PROBE_TIMEOUT) as response:
        return response.status


@pytest.fixture
def gunicorn_server(tmp_path):
    port = free_port()
    env = app_env(
        DEBUG="false",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS=str(THREADS),
        GUNICORN_CLIENT_TIMEOUT="2",  # short, so that the test need not wait 10 s
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            try:
                if healthz(port) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + proc.stderr.read1().decode())
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_shipped_configuration_uses_threaded_workers_with_read_deadlines():
    source = (settings.BASE_DIR / "gunicorn.conf.py").read_text()
    namespace = {}
    exec(compile(source, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102 - our own file
    assert namespace["worker_class"].__name__ == "DeadlineThreadWorker"
    assert namespace["CLIENT_READ_TIMEOUT"] == 10
    assert namespace["keepalive"] <= 10 and namespace["timeout"] <= 60


def stall(port, count):
    """``count`` connections that each send half a header and then nothing."""
    conns = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=30)
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        conns.append(conn)
    return conns


def test_two_half_header_connections_do_not_hold_the_service(gunicorn_server):
    """The attack as reported: two connections, then /healthz."""
    stalled = stall(gunicorn_server, 2)
    try:
        time.sleep(0.5)  # let the workers pick them up
        assert [healthz(gunicorn_server) for _ in range(3)] == [200] * 3
    finally:
        for conn in stalled:
            conn.close()


def test_more_stalled_connections_than_threads_are_cut_off(gunicorn_server):
    """More stalled connections than all workers' threads: each is closed at its read
    deadline, so the service answers again (it would hang for good without deadlines)."""
    stalled = stall(gunicorn_server, WORKERS * THREADS + 4)
    try:
        assert healthz(gunicorn_server) == 200
        for conn in stalled:
            # The server gave up on it: an error response or a closed connection.
            data = conn.recv(4096)
            assert data == b"" or data.startswith(b"HTTP/1.1 4")
    finally:
        for conn in stalled:
            conn.close()
