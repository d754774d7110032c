"""The benchmark's PostgreSQL database and its gunicorn server, and what /proc says about them."""

import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from .config import BENCH_DB, PY, ROOT, SERVER_URL, WORKER_CLASS, WORKERS


def bench_database_url(name=None):
    parts = urlsplit(SERVER_URL)
    return parts._replace(path="/" + (name or BENCH_DB)).geturl()


def driver():
    """The PostgreSQL driver module Django uses here: psycopg 3 when it is installed, else
    psycopg2 (both speak DB-API 2 with %s parameters and take a libpq URL)."""
    from django.db.backends.postgresql.base import Database

    return Database


def query(sql, params=None, *, url=None, database=None):
    """Run one statement in autocommit on the server (or the benchmark database); its rows
    (or None when it returns none)."""
    if url is None:
        url = SERVER_URL if database is None else bench_database_url(database)
    conn = driver().connect(url)
    try:
        conn.autocommit = True
        cursor = conn.cursor()
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def admin_sql(*statements, database=None):
    url = SERVER_URL if database is None else bench_database_url(database)
    conn = driver().connect(url)
    try:
        conn.autocommit = True
        cursor = conn.cursor()
        for statement in statements:
            cursor.execute(statement)
    finally:
        conn.close()


def recreate_database():
    admin_sql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)', f'CREATE DATABASE "{BENCH_DB}"')


def drop_database():
    admin_sql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def vacuum_analyze(database=None):
    """What autovacuum does in production after a bulk change: fresh planner statistics and
    a visibility map (index-only scans). Autovacuum may be off on a test server. The
    checkpoint writes the change out now rather than during a measurement."""
    admin_sql("VACUUM ANALYZE", "CHECKPOINT", database=database or BENCH_DB)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(port):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=bench_database_url(),
        DEBUG="false",
        SECRET_KEY="bench-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="false",
        # The rate limiter runs (its cost is measured) but never refuses: the benchmark
        # measures what one box can serve, far above one tenant's limit.
        SCIM_RATE_LIMIT="1000000",
        SCIM_RATE_BURST="1000000",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONWARNINGS="ignore",
    )
    env.pop("CACHE_URL", None)  # the default local-memory cache
    return env


def manage(env, *args):
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def start_server(env, port):
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),  # production's serving configuration
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
            *(["--worker-class", WORKER_CLASS] if WORKER_CLASS else []),
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def worker_pids(master_pid):
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True
    )
    return [int(p) for p in out.stdout.split()]


def peak_rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids):
    """User + system CPU time of processes (None when /proc cannot tell)."""
    total, seen = 0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            seen += 1
        except (OSError, IndexError, ValueError):
            continue  # gone (a backend that disconnected) or not visible
    return total / os.sysconf("SC_CLK_TCK") if seen else None


def machine_busy():
    """(busy, total) CPU time of the whole machine so far, from /proc/stat (or None)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def database_pids():
    """The PostgreSQL backends serving the benchmark database (local server only)."""
    try:
        rows = query(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [BENCH_DB],
        )
    except driver().Error:
        return []
    return [row[0] for row in rows]
