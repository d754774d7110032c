"""SCIM benchmark: gunicorn (2 workers, gunicorn.conf.py) + PostgreSQL, over loopback HTTP.

Run with ``make bench`` (see bench/README.md). It creates a fresh PostgreSQL database, starts
the app under gunicorn exactly as production runs it, drives it with a bounded load client
(a fixed number of requests per phase, ``BENCH_THREADS`` threads; it stops by itself) and
prints one table:

1. single operations against the same server's ``/healthz`` ceiling: POST /Users, a userName
   filter sent in another letter case, a group member Add PATCH;
2. an Entra initial-sync replay: per host a userName filter then a POST, per group a
   displayName filter then a POST, then the memberships in PATCHes of mixed sizes;
3. growth: p50 and SQL statements of a page of 100 hosts at 1,000 and 100,000 hosts, and of
   GET /Groups/{id}?excludedAttributes=members and a one-member Add PATCH on a 10-member and
   a 20,000-member group (in-process, Django test client, so no HTTP cost dilutes the ratio);
4. scale: the SCIM probe (POST, filter, member PATCH) on an empty database and again among
   1,000 tenants with 1,000,000 hosts and 10,000,000 provisioning-log rows (generated in SQL);
   Preferences and the provisioning-log page of the largest tenant against a small one; a
   90-day purge_provisioning_log while SCIM writes go on.

Environment:
  DATABASE_URL   PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres); the
                 benchmark creates and drops its own database ``vm_bench`` there.
  BENCH_THREADS  client threads (default 4)
  BENCH_SCALE    multiplies the request counts and data sizes (default 1.0; 0.1 for a smoke run)
  BENCH_PORT     the port gunicorn listens on (default: a free one)
  BENCH_ROUNDS   rounds of phase 1; the table shows each phase's median round (default 3)
  BENCH_PHASES   "http,growth,scale" (default) or some of them
  BENCH_KEEP_DB  set to keep the vm_bench database afterwards (to look at it)
  BENCH_DB       the benchmark database's name (default vm_bench)
"""

import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
SERVER_URL = os.environ.get("DATABASE_URL", "")
if not SERVER_URL.startswith("postgres"):
    SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# gunicorn.conf.py's worker class unless BENCH_WORKER_CLASS names another (e.g. "sync", to
# measure what the slow-client protection of the threaded deadline workers costs).
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "")
BENCH_DB = os.environ.get("BENCH_DB", "vm_bench")  # its own database, created and dropped
WORKERS = 2
SCIM = "application/scim+json"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# Members per PATCH in the replay: Entra's batch size is undocumented
# (docs/identity-providers/entra.md §3); a
# third party saw one member per PATCH, the gallery checks multi-member PATCHes.
MEMBER_BATCH_SIZES = [1, 1, 1, 5, 10, 20, 50]


def n(count):
    return max(1, int(count * SCALE))


# ------------------------------------------------------------------ database and server


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


# ------------------------------------------------------------------ the load client


class Http:
    """A minimal HTTP/1.1 client: one connection per request, as gunicorn's sync workers
    serve them (they close the connection after each response).

    Requests are encoded once, before a phase starts, so the client spends as little of the
    shared CPU as possible; responses are parsed just enough to check them.
    """

    def __init__(self, port, token):
        self.port = port
        self.token = token

    def encode(self, method, path, body=None, *, auth=True):
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if auth:
            head.append(f"Authorization: Bearer {self.token}")
        if body is not None:
            head.append(f"Content-Type: {SCIM}")
        head += [f"Content-Length: {len(data)}", "Connection: close", "", ""]
        return "\r\n".join(head).encode() + data

    def send(self, raw):
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(raw)
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if response_complete(data):
                    break  # hang up at once: the sync worker waits for it before the next
        return parse_response(data)

    def request(self, method, path, body=None):
        return self.send(self.encode(method, path, body))


def response_complete(data):
    """Whether ``data`` holds a whole response that says its length (Content-Length)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(data) - end - 4 >= int(value)
    return False


def parse_response(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1."):
        raise ValueError("not an HTTP response")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = dechunk(body)
    elif b"content-length" in headers and int(headers[b"content-length"]) != len(body):
        raise ValueError("truncated response body")
    return status, body


def dechunk(data):
    out, i = [], 0
    while True:
        end = data.index(b"\r\n", i)
        size = int(data[i:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        i = end + 2 + size + 2


class Result:
    def __init__(self, name):
        self.name = name
        self.vs_ceiling = None  # req/s / the /healthz of the same round (phase 1)
        self.latencies = []
        self.errors = 0
        self.statuses = {}
        self.elapsed = 0.0
        self.busy = None  # how busy the machine's CPUs were during the phase, in %
        self.app_cpu = None  # CPU seconds of the gunicorn workers during the phase
        self.db_cpu = None  # CPU seconds of the PostgreSQL backends during the phase
        self.lock = threading.Lock()

    def add(self, status, latency, ok):
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if not ok:
                self.errors += 1

    @property
    def requests(self):
        return len(self.latencies)

    @property
    def rps(self):
        return self.requests / self.elapsed if self.elapsed else 0.0

    def pct(self, p):
        if not self.latencies:
            return 0.0
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))] * 1000

    requests_per_job = 1

    @property
    def http_requests(self):
        return self.requests * self.requests_per_job

    def cpu_ms(self, seconds):
        """CPU milliseconds per HTTP request, or None."""
        if seconds is None or not self.requests:
            return None
        return seconds / self.http_requests * 1000


class Load:
    """Runs phases against one server and accounts for the CPU the server spent on them."""

    def __init__(self, client, server_pid):
        self.client = client
        self.server_pid = server_pid
        self.total_requests = 0  # HTTP requests sent, warm-up included

    def run(self, name, jobs, *, requests_per_job=1):
        """Run ``jobs`` (callables: client -> (status, ok)) on THREADS threads."""
        result = Result(name)
        jobs = list(jobs)
        it = iter(jobs)
        it_lock = threading.Lock()

        def worker():
            while True:
                with it_lock:
                    job = next(it, None)
                if job is None:
                    return
                start = time.perf_counter()
                try:
                    status, ok = job(self.client)
                except Exception:  # noqa: BLE001 - a failed exchange is an error, not a crash
                    status, ok = 0, False
                result.add(status, time.perf_counter() - start, ok)

        app_pids = worker_pids(self.server_pid)
        db_pids = database_pids()
        app0, db0 = cpu_seconds(app_pids), cpu_seconds(db_pids)
        busy0 = machine_busy()
        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result.elapsed = time.perf_counter() - t0
        app1, db1 = cpu_seconds(app_pids), cpu_seconds(db_pids)
        busy1 = machine_busy()
        if busy0 and busy1 and busy1[1] > busy0[1]:
            result.busy = (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]) * 100
        if app0 is not None and app1 is not None:
            result.app_cpu = app1 - app0
        if db0 is not None and db1 is not None and db_pids:
            result.db_cpu = db1 - db0
        result.requests_per_job = requests_per_job
        self.total_requests += result.http_requests
        return result


# ------------------------------------------------------------------ requests


def user_body(user_name):
    local = user_name.split("@")[0]
    return {
        "schemas": [USER_URN, ENTERPRISE_URN],
        "externalId": str(uuid.uuid4()),
        "userName": user_name,
        "active": True,
        "displayName": local,
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"givenName": "Bench", "familyName": local},
        "title": "Engineer",
        ENTERPRISE_URN: {"department": "Bench", "employeeNumber": local[-6:]},
    }


def filter_path(resource, expression, extra=""):
    q = quote(expression, safe="").replace("%20", "+")  # Entra's encoding
    return f"/scim/v2/{resource}?{extra}filter={q}"


def healthz_job(client):
    raw = client.encode("GET", "/healthz", auth=False)

    def job(c):
        status, _ = c.send(raw)
        return status, status == 200

    return job


def post_user_job(client, user_name, ids):
    raw = client.encode("POST", "/scim/v2/Users", user_body(user_name))

    def job(c):
        status, payload = c.send(raw)
        ok = status == 201
        if ok:
            ids[user_name] = json.loads(payload)["id"]
        return status, ok

    return job


def filter_user_job(client, user_name, expect_total):
    raw = client.encode("GET", filter_path("Users", f'userName eq "{user_name}"'))

    def job(c):
        status, payload = c.send(raw)
        return status, status == 200 and json.loads(payload)["totalResults"] == expect_total

    return job


def add_members_job(client, group_id, user_ids):
    body = {
        "schemas": [PATCH_URN],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": u} for u in user_ids]}],
    }
    raw = client.encode("PATCH", f"/scim/v2/Groups/{group_id}", body)

    def job(c):
        status, _ = c.send(raw)
        return status, status == 204

    return job


def sync_user_job(client, user_name, ids):
    """Entra's initial cycle for one user: query by the matching attribute, then create."""
    query, post = filter_user_job(client, user_name, 0), post_user_job(client, user_name, ids)

    def job(c):
        s1, ok1 = query(c)
        s2, ok2 = post(c)
        return (s2 if ok1 else s1), ok1 and ok2

    return job


def sync_group_job(client, name, ids):
    query = client.encode(
        "GET",
        filter_path("Groups", f'displayName eq "{name}"', "excludedAttributes=members&"),
    )
    post = client.encode("POST", "/scim/v2/Groups", {"schemas": [GROUP_URN], "displayName": name})

    def job(c):
        s1, payload = c.send(query)
        ok1 = s1 == 200 and json.loads(payload)["totalResults"] == 0
        s2, payload = c.send(post)
        ok2 = s2 == 201
        if ok2:
            ids[name] = json.loads(payload)["id"]
        return (s2 if ok1 else s1), ok1 and ok2

    return job


def create_group(client, name):
    status, payload = client.request(
        "POST", "/scim/v2/Groups", {"schemas": [GROUP_URN], "displayName": name}
    )
    if status != 201:
        raise SystemExit(f"could not create a group: {status} {payload[:300]!r}")
    return json.loads(payload)["id"]


# ------------------------------------------------------------------ phases over HTTP


def median_round(results, ceilings=None):
    """The round with the median req/s, or with ``ceilings`` (each round's /healthz) the
    median share of its own round's ceiling; its errors column counts every round's errors."""
    if ceilings is not None:
        for result, ceiling in zip(results, ceilings, strict=True):
            result.vs_ceiling = result.rps / ceiling.rps if ceiling.rps else 0.0
    key = (lambda r: r.vs_ceiling) if ceilings is not None else (lambda r: r.rps)
    median = sorted(results, key=key)[len(results) // 2]
    median.errors = sum(r.errors for r in results)
    return median


def http_phases(client, load):
    """Phases 1 and 2. Returns (rows, replay summary, ceiling)."""
    # Warm-up: both workers import the app, open their database connection and fill their
    # caches before anything is measured.
    warm = [healthz_job(client)] * 200
    warm += [filter_user_job(client, f"warm{i}@bench.example", 0) for i in range(100)]
    load.run("warm-up", warm)

    # Phase 1: single operations, in ROUNDS rounds, each after its own /healthz ceiling.
    # A round lasts a few seconds, so a burst of other work on the machine (a virtual
    # machine's neighbours) can halve one; the table shows each phase's median round.
    rounds = {"ceiling": [], "post": [], "filter": [], "patch": []}
    for round_no in range(ROUNDS):
        rounds["ceiling"].append(load.run("/healthz ceiling", [healthz_job(client)] * n(3000)))
        names = [f"user{i}.{uuid.uuid4().hex[:6]}@Bench.Example" for i in range(n(1000))]
        ids = {}
        rounds["post"].append(
            load.run("POST /Users", [post_user_job(client, u, ids) for u in names])
        )
        # Between phases, what autovacuum does in production once a table has grown (here
        # by 1,000 hosts): planner statistics. Without them PostgreSQL takes the new table
        # for a tiny one and may scan it instead of using the userName index.
        vacuum_analyze()
        rounds["filter"].append(
            load.run(
                "GET /Users filter userName eq (other case)",
                [filter_user_job(client, u.lower(), 1) for u in names],
            )
        )
        group_id = create_group(client, f"Phase 1 group {round_no}")
        id_list = list(ids.values())
        rounds["patch"].append(
            load.run(
                "PATCH /Groups add 1 member",
                [
                    add_members_job(client, group_id, [id_list[i % len(id_list)]])
                    for i in range(n(300))
                ],
            )
        )
        vacuum_analyze()
    # A phase is compared with the /healthz ceiling of its own round, measured seconds
    # before it: a neighbour's burst then slows both alike instead of only one of them.
    rows = [median_round(rounds["ceiling"])] + [
        median_round(rounds[name], rounds["ceiling"]) for name in ("post", "filter", "patch")
    ]

    # Phase 2: Entra initial-sync replay.
    users = [f"sync{i}@contoso.example" for i in range(n(10000))]
    sync_ids = {}
    group_names = [f"Sync Group {i}" for i in range(n(50))]
    sync_groups = {}
    t0 = time.perf_counter()
    r_users = load.run(
        "replay: users (filter + POST)",
        [sync_user_job(client, u, sync_ids) for u in users],
        requests_per_job=2,
    )
    r_groups = load.run(
        "replay: groups (filter + POST)",
        [sync_group_job(client, g, sync_groups) for g in group_names],
        requests_per_job=2,
    )
    uid = [sync_ids[u] for u in users if u in sync_ids]
    gid = [sync_groups[g] for g in group_names if g in sync_groups]
    memberships = []
    rng = random.Random(7)
    target = n(10000)
    per_group = max(1, target // max(1, len(gid)))
    i = 0
    while i < target and uid and gid:
        size = min(rng.choice(MEMBER_BATCH_SIZES), target - i)
        chunk = [uid[(i + k) % len(uid)] for k in range(size)]
        memberships.append(add_members_job(client, gid[(i // per_group) % len(gid)], chunk))
        i += size
    r_members = load.run("replay: membership PATCHes", memberships)
    replay_elapsed = time.perf_counter() - t0
    rows += [r_users, r_groups, r_members]

    rss = [peak_rss_mb(pid) for pid in worker_pids(load.server_pid)]
    ceiling_end = load.run("/healthz ceiling (again, at the end)", [healthz_job(client)] * n(3000))
    rows.append(ceiling_end)

    replay = {
        # Users and groups cost two HTTP requests each (the filter, then the POST).
        "requests": 2 * r_users.requests + 2 * r_groups.requests + r_members.requests,
        "errors": r_users.errors + r_groups.errors + r_members.errors,
        "elapsed": replay_elapsed,
        "memberships": i,
        "patches": len(memberships),
        "rss": rss,
    }
    return rows, replay, max(r.rps for r in [*rounds["ceiling"], ceiling_end])


# ------------------------------------------------------------------ growth (in-process)


def load_hosts(account_id, count, prefix):
    """``count`` directory hosts in one INSERT ... SELECT (realistic stored documents)."""
    admin_sql(
        f"""
        INSERT INTO visitor_mgmt_host (
            account_id, public_id, first_name, last_name, display_name, email,
            alternate_email, mobile, alternate_mobile, title, department, organization,
            is_active, source, username, external_id, directory_data, created_at, updated_at)
        SELECT {int(account_id)}, gen_random_uuid(), 'Given', 'Family ' || g,
            'Given Family ' || g, '{prefix}' || g || '@growth.example', '', '', '', 'Engineer',
            'Growth', '', true, 'directory', '{prefix}' || g || '@growth.example',
            gen_random_uuid()::text,
            jsonb_build_object(
                'userName', '{prefix}' || g || '@growth.example', 'active', true,
                'displayName', 'Given Family ' || g,
                'name', jsonb_build_object('givenName', 'Given', 'familyName', 'Family ' || g),
                'emails', jsonb_build_array(jsonb_build_object(
                    'type', 'work', 'primary', true,
                    'value', '{prefix}' || g || '@growth.example')),
                'title', 'Engineer',
                '{ENTERPRISE_URN}', jsonb_build_object('department', 'Growth')),
            now(), now()
        FROM generate_series(1, {int(count)}) AS g
        """,
        database=BENCH_DB,
    )


def growth_measurements(env):
    """p50 and SQL statements per request at two sizes, in-process (Django test client)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from scim_hosts.access.tokens import rotate_token
    from visitor_mgmt.models import Account, Host, HostGroup, HostGroupMembership, Source

    def client_for(account):
        _, raw = rotate_token(account=account)
        return DjangoClient(HTTP_AUTHORIZATION=f"Bearer {raw}", SERVER_NAME="127.0.0.1")

    def send(client, method, path, body):
        if body is None:
            return client.get(path)
        return client.generic(method, path, json.dumps(body()), content_type=SCIM)

    def measure(client, method, path, body=None, repeat=51):
        for _ in range(3):  # warm: caches, the token's last-used stamp
            send(client, method, path, body)
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            resp = send(client, method, path, body)
            times.append(time.perf_counter() - t)
            if resp.status_code not in (200, 204):
                raise SystemExit(f"{method} {path}: {resp.status_code} {resp.content[:300]!r}")
        with CaptureQueriesContext(connection) as ctx:
            send(client, method, path, body)
        sqls = [q["sql"] for q in ctx.captured_queries]
        statements = [s for s in sqls if s.split()[0].upper() not in TRANSACTION_CONTROL]
        return statistics.median(times) * 1000, len(statements), len(sqls) - len(statements)

    sizes = (n(1_000), n(100_000))
    accounts = {}
    for size in sizes:
        account = Account.objects.create(name=f"Growth {size}", slug=f"growth-{size}")
        load_hosts(account.pk, size, f"g{size}-")
        accounts[size] = account
    big = accounts[sizes[-1]]
    groups = {}
    member_counts = (10, n(20_000))
    for members in member_counts:
        group = HostGroup.objects.create(
            account=big, name=f"Growth group {members}", source=Source.DIRECTORY
        )
        host_ids = Host.objects.filter(account=big).order_by("id").values_list("id", flat=True)
        HostGroupMembership.objects.bulk_create(
            [HostGroupMembership(group=group, host_id=h) for h in host_ids[:members]],
            batch_size=5000,
        )
        groups[members] = group
    vacuum_analyze()

    rows = []
    for size in sizes:
        client = client_for(accounts[size])
        for label, start in (("first", 1), ("middle", size // 2)):
            p50, q, tx = measure(client, "GET", f"/scim/v2/Users?startIndex={start}&count=100")
            rows.append((f"page of 100 hosts ({label}) @ {size:,} hosts", p50, q, tx))
        # A filter on every value of a multi-valued attribute reads each host's stored
        # document (filter_elements.py); userName eq, next to it, is the indexed fast path.
        last = f"g{size}-{size}@growth.example"
        for label, expression in (
            ("userName eq", f'userName eq "{last.upper()}"'),
            ("emails.value eq", f'emails.value eq "{last.upper()}"'),
            ("emails[work].value co", f'emails[type eq "work"].value co "-{size}@"'),
        ):
            path = "/scim/v2/Users?filter=" + quote(expression)
            p50, q, tx = measure(client, "GET", path, repeat=11 if size > 10_000 else 51)
            rows.append((f"filter {label} @ {size:,} hosts", p50, q, tx))
    client = client_for(big)
    spare = iter(
        Host.objects.filter(account=big).order_by("-id").values_list("public_id", flat=True)[:1000]
    )
    for members in member_counts:
        group = groups[members]
        p50, q, tx = measure(
            client, "GET", f"/scim/v2/Groups/{group.public_id}?excludedAttributes=members"
        )
        rows.append((f"GET group, {members:,} members, excl. members", p50, q, tx))

        def body(spare=spare):
            member = str(next(spare))
            return {
                "schemas": [PATCH_URN],
                "Operations": [{"op": "Add", "path": "members", "value": [{"value": member}]}],
            }

        p50, q, tx = measure(client, "PATCH", f"/scim/v2/Groups/{group.public_id}", body=body)
        rows.append((f"add 1 member to a {members:,}-member group", p50, q, tx))
    connection.close()
    return rows


TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})


# ------------------------------------------------------------------ scale (a thousand tenants)

# The scale phase's data at BENCH_SCALE=1: a SaaS with a thousand customers.
SCALE_ACCOUNTS = 1_000
SCALE_HOSTS = 1_000_000
SCALE_LOG_ROWS = 10_000_000
SCALE_LOG_DAYS = 120  # log rows spread over this many days: a quarter are past 90 days
BIG_SHARE = 0.10  # the largest tenant: a tenth of all hosts and log rows
LOG_TABLE = "scim_hosts_provisioningevent"
PROBE_REQUESTS, PROBE_PATCHES = 500, 200


def scim_probe(load, client, label, tag, database):
    """POST, userName filter and member-PATCH p50 on the bench account (as phase 1). The
    request counts do not follow BENCH_SCALE (it sizes the data): a p50 needs a few hundred."""
    names = [f"{tag}{i}.{uuid.uuid4().hex[:6]}@Scale.Example" for i in range(PROBE_REQUESTS)]
    ids = {}
    post = load.run(f"POST /Users ({label})", [post_user_job(client, u, ids) for u in names])
    vacuum_analyze(database)  # as phase 1: planner statistics before the filters
    filt = load.run(
        f"GET filter userName eq ({label})", [filter_user_job(client, u.lower(), 1) for u in names]
    )
    group_id = create_group(client, f"Scale group {tag}")
    id_list = list(ids.values())
    patch = load.run(
        f"PATCH add 1 member ({label})",
        [
            add_members_job(client, group_id, [id_list[i % len(id_list)]])
            for i in range(PROBE_PATCHES)
        ],
    )
    return [post, filt, patch]


def probe_rounds(targets):
    """The SCIM probe in ROUNDS rounds against each target (label, load, client, database),
    the targets taking turns round by round: a neighbour's burst on a shared VM then slows
    both sides alike instead of one. Per target and operation: the round with the median
    p50 (its errors: all rounds')."""
    rounds = {label: [] for label, *_ in targets}
    for r in range(ROUNDS):
        for i, (label, load, client, database) in enumerate(targets):
            rounds[label].append(scim_probe(load, client, label, f"t{i}r{r}.", database))
    out = {}
    for label, results_by_round in rounds.items():
        medians = []
        for results in zip(*results_by_round, strict=True):
            ordered = sorted(results, key=lambda r: r.pct(50))
            median = ordered[len(ordered) // 2]
            median.errors = sum(r.errors for r in results)
            medians.append(median)
        out[label] = medians
    return out


def timed(label, fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    elapsed = time.perf_counter() - t0
    print(f"  scale data: {label} in {elapsed:.1f} s", flush=True)
    return out, elapsed


def load_scale_data():
    """Accounts, hosts and provisioning-log rows in a few INSERT ... SELECTs.

    The host table's tally triggers are switched off for the bulk insert and the tallies
    computed once afterwards (what migration 0003's backfill does); the log table's
    secondary indexes are dropped for the insert and built again afterwards, as a restore
    would. Returns (the largest tenant's id, seconds per step)."""
    accounts, hosts, log_rows = n(SCALE_ACCOUNTS), n(SCALE_HOSTS), n(SCALE_LOG_ROWS)
    steps = {}
    _, steps["accounts"] = timed(
        f"{accounts:,} accounts",
        admin_sql,
        f"""INSERT INTO visitor_mgmt_account (name, slug, created_at, kiosk_short_names,
                kiosk_fallback_email)
            SELECT 'Tenant ' || g, 'tenant-' || g, now(), false, ''
            FROM generate_series(1, {accounts}) AS g""",
        database=BENCH_DB,
    )
    tenant_ids = [
        r[0]
        for r in query(
            "SELECT id FROM visitor_mgmt_account WHERE slug LIKE 'tenant-%%' ORDER BY id",
            database=BENCH_DB,
        )
    ]
    big = tenant_ids[0]
    first, count = tenant_ids[1], len(tenant_ids) - 1  # the rest share what big does not take
    big_hosts = int(hosts * BIG_SHARE)

    def tenant(expr_g, total_big):
        return (
            f"CASE WHEN ({expr_g}) <= {total_big} THEN {big} "
            f"ELSE {first} + (({expr_g}) % {count}) END"
        )

    _, steps["hosts"] = timed(
        f"{hosts:,} hosts ({big_hosts:,} in the largest tenant)",
        admin_sql,
        "SET maintenance_work_mem = '512MB'",
        "ALTER TABLE visitor_mgmt_host DISABLE TRIGGER USER",
        f"""INSERT INTO visitor_mgmt_host (
                account_id, public_id, first_name, last_name, display_name, email,
                alternate_email, mobile, alternate_mobile, title, department, organization,
                is_active, source, username, external_id, directory_data, created_at, updated_at)
            SELECT {tenant("g", big_hosts)}, gen_random_uuid(), 'Given', 'Family ' || g,
                'Given Family ' || g, 's' || g || '@scale.example', '', '', '', 'Engineer',
                'Scale', '', true, 'directory', 's' || g || '@scale.example',
                gen_random_uuid()::text,
                jsonb_build_object(
                    'userName', 's' || g || '@scale.example', 'active', true,
                    'displayName', 'Given Family ' || g,
                    'name', jsonb_build_object('givenName', 'Given', 'familyName', 'Family ' || g),
                    'emails', jsonb_build_array(jsonb_build_object(
                        'type', 'work', 'primary', true, 'value', 's' || g || '@scale.example')),
                    'title', 'Engineer',
                    '{ENTERPRISE_URN}', jsonb_build_object('department', 'Scale')),
                now(), now()
            FROM generate_series(1, {hosts}) AS g""",
        "ALTER TABLE visitor_mgmt_host ENABLE TRIGGER USER",
        """INSERT INTO visitor_mgmt_hosttally (account_id, live_hosts, directory_hosts)
            SELECT account_id, count(*), count(*) FILTER (WHERE source = 'directory')
            FROM visitor_mgmt_host WHERE deleted_at IS NULL GROUP BY account_id
            ON CONFLICT (account_id) DO UPDATE SET live_hosts = EXCLUDED.live_hosts,
                directory_hosts = EXCLUDED.directory_hosts""",
        database=BENCH_DB,
    )
    index_defs = [
        r[0]
        for r in query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [LOG_TABLE, "%pkey"],
            database=BENCH_DB,
        )
    ]
    index_names = [
        r[0]
        for r in query(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [LOG_TABLE, "%pkey"],
            database=BENCH_DB,
        )
    ]
    big_rows = int(log_rows * BIG_SHARE)
    _, steps["log rows"] = timed(
        f"{log_rows:,} provisioning-log rows ({big_rows:,} in the largest tenant)",
        admin_sql,
        *[f'DROP INDEX "{name}"' for name in index_names],
        # Oldest first, as the log grows; one row in 20 a failure with its reason.
        f"""INSERT INTO {LOG_TABLE} (account_id, created_at, method, resource_type,
                resource_id, resource_name, action, outcome, status, reason, actor_id,
                scim_type, token_hint, repeat_count)
            SELECT {tenant(f"(g::bigint * 7919) % {log_rows} + 1", big_rows)},
                now() - interval '{SCALE_LOG_DAYS} days'
                    + (g::float8 / {log_rows}) * interval '{SCALE_LOG_DAYS} days',
                CASE WHEN g % 3 = 0 THEN 'PATCH' ELSE 'POST' END,
                CASE WHEN g % 1000 = 0 THEN 'Token' WHEN g % 10 = 0 THEN 'Group' ELSE 'User' END,
                md5(g::text)::uuid::text, 's' || g || '@scale.example',
                CASE WHEN g % 3 = 0 THEN 'update' ELSE 'create' END,
                CASE WHEN g % 20 = 0 THEN 'failure' ELSE 'success' END,
                CASE WHEN g % 20 = 0 THEN 409 WHEN g % 3 = 0 THEN 200 ELSE 201 END,
                CASE WHEN g % 20 = 0 THEN 'A user with this userName already exists.' ELSE '' END,
                NULL,
                CASE WHEN g % 20 = 0 THEN 'uniqueness' ELSE '' END, 'Ab12', 1
            FROM generate_series(1, {log_rows}) AS g""",
        database=BENCH_DB,
    )
    _, steps["log indexes"] = timed(
        f"{len(index_defs)} log indexes built",
        admin_sql,
        "SET maintenance_work_mem = '512MB'",
        *index_defs,
        database=BENCH_DB,
    )
    _, steps["vacuum analyze"] = timed("VACUUM ANALYZE", vacuum_analyze)
    return big, steps


def page_measurements(big_id, small_id):
    """Preferences (SCIM section) and the provisioning-log page, in-process, for the largest
    tenant and a small one: p50 of 21 runs and SQL statements."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from visitor_mgmt.models import Account, Membership

    def admin_client(account_id):
        account = Account.objects.get(pk=account_id)
        user = get_user_model().objects.create_user(
            username=f"admin-{account_id}@scale.example",
            email=f"admin-{account_id}@scale.example",
        )
        Membership.objects.create(user=user, account=account, role=Membership.Role.ADMIN)
        client = DjangoClient(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        return client

    def measure(pair, path, repeat=21):
        """p50 and SQL statements of GET ``path`` for each client of ``pair``; the clients
        take turns request by request, so a burst of other work slows both alike."""
        for client in pair:
            for _ in range(2):
                client.get(path)
        times = [[] for _ in pair]
        for _ in range(repeat):
            for i, client in enumerate(pair):
                t = time.perf_counter()
                resp = client.get(path)
                times[i].append(time.perf_counter() - t)
                if resp.status_code != 200:
                    raise SystemExit(f"GET {path}: {resp.status_code}")
        out = []
        for i, client in enumerate(pair):
            with CaptureQueriesContext(connection) as ctx:
                client.get(path)
            out.append((statistics.median(times[i]) * 1000, len(ctx.captured_queries)))
        return out

    from django.conf import settings
    from django.test.utils import override_settings

    clients = {"small": admin_client(small_id), "largest": admin_client(big_id)}
    rows = []
    # No collectstatic here: {% static %} resolves names without the production manifest.
    plain_static = override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    plain_static.enable()
    for label, path in (
        ("Preferences (SCIM section)", "/preferences/"),
        ("provisioning log, page 1", "/preferences/scim/log/"),
        ("provisioning log, failures, page 2", "/preferences/scim/log/?outcome=failure&page=2"),
        ("provisioning log, Token rows", "/preferences/scim/log/?resource_type=Token"),
        ("provisioning log, page 40", "/preferences/scim/log/?page=40"),
    ):
        small, large = measure((clients["small"], clients["largest"]), path)
        rows.append((label, small, large))
    plain_static.disable()
    return rows


def purge_under_load(env, client):
    """purge_provisioning_log (90 days) while one client keeps POSTing users: the purge's
    time, and what the concurrent SCIM writes saw (latency, the longest lock wait)."""
    latencies = {"before": [], "during": []}
    phase = ["before"]
    stop = threading.Event()
    waits = []

    def writer():
        i = 0
        while not stop.is_set():
            raw = client.encode("POST", "/scim/v2/Users", user_body(f"purge{i}@scale.example"))
            t = time.perf_counter()
            status, _ = client.send(raw)
            latencies[phase[0]].append(time.perf_counter() - t)
            if status != 201:
                latencies.setdefault("errors", []).append(status)
            i += 1

    def sampler():
        # Backends of the benchmark database waiting for a lock; how long so far.
        conn = driver().connect(bench_database_url())
        conn.autocommit = True
        cursor = conn.cursor()
        try:
            while not stop.is_set():
                cursor.execute(
                    "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start)), 0)"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE 'INSERT%%'"
                )
                waits.append(float(cursor.fetchone()[0]))
                time.sleep(0.005)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=sampler)]
    for t in threads:
        t.start()
    time.sleep(3)
    before_rows = query(f"SELECT count(*) FROM {LOG_TABLE}", database=BENCH_DB)[0][0]
    phase[0] = "during"
    t0 = time.perf_counter()
    out = manage(env, "purge_provisioning_log", "--days", "90")
    purge_s = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join()
    after_rows = query(f"SELECT count(*) FROM {LOG_TABLE}", database=BENCH_DB)[0][0]

    def stats(values):
        if not values:
            return 0.0, 0.0
        return statistics.median(values) * 1000, max(values) * 1000

    return {
        "output": out.strip(),
        "seconds": purge_s,
        "rows_before": before_rows,
        "rows_after": after_rows,
        "before": stats(latencies["before"]),
        "during": stats(latencies["during"]),
        "writes_during": len(latencies["during"]),
        "errors": len(latencies.get("errors", [])),
        "longest_lock_wait_ms": max(waits, default=0.0) * 1000,
    }


def start_bench_app(env, port, database):
    """Migrate ``database``, create the bench account and its token, start gunicorn on it."""
    env = dict(env, DATABASE_URL=bench_database_url(database))
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')
    manage(env, "migrate", "--noinput")
    manage(env, "create_account", "bench", "--name", "Bench Co")
    token = json.loads(manage(env, "rotate_scim_token", "bench", "--format", "json"))["token"]
    proc = start_server(env, port)
    client = Http(port, token)
    load = Load(client, proc.pid)
    warm = [healthz_job(client)] * 200
    warm += [filter_user_job(client, f"warm{i}@bench.example", 0) for i in range(100)]
    load.run("warm-up", warm)
    return proc, client, load


def scale_phase(env, port):
    """Phase 4: the SCIM probe on an empty database and on one holding a thousand tenants
    (two servers side by side, rounds taking turns), pages of the largest tenant against a
    small one, and a 90-day purge under SCIM writes."""
    empty_db = f"{BENCH_DB}_empty"
    procs = []
    try:
        proc, client, load = start_bench_app(env, port, BENCH_DB)
        procs.append(proc)
        big, steps = load_scale_data()
        empty_port = free_port()
        empty_proc, empty_client, empty_load = start_bench_app(env, empty_port, empty_db)
        procs.append(empty_proc)
        # Creating and migrating a database leaves WAL and dirty pages behind: written out
        # now, not during the first round's commits.
        vacuum_analyze(empty_db)
        vacuum_analyze()
        label_scaled = f"{n(SCALE_ACCOUNTS):,} tenants"
        probes = probe_rounds(
            [
                ("empty database", empty_load, empty_client, empty_db),
                (label_scaled, load, client, BENCH_DB),
            ]
        )
        # Every SCIM write adds one log row (reads add none unless they fail).
        writes = (PROBE_REQUESTS + PROBE_PATCHES + 1) * ROUNDS  # POSTs, PATCHes, group POST
        log_rows = query(f"SELECT count(*) FROM {LOG_TABLE}", database=empty_db)[0][0]
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        # A small tenant: 60 log rows of its own.
        small = query(
            "INSERT INTO visitor_mgmt_account (name, slug, created_at, kiosk_short_names,"
            " kiosk_fallback_email) VALUES ('Small Co', 'small', now(), false, '') RETURNING id",
            database=BENCH_DB,
        )[0][0]
        query(
            f"""INSERT INTO {LOG_TABLE} (account_id, created_at, method, resource_type,
                    resource_id, resource_name, action, outcome, status, reason, actor_id,
                    scim_type, token_hint, repeat_count)
                SELECT {small}, now() - g * interval '1 hour', 'POST',
                    CASE WHEN g % 10 = 0 THEN 'Token' ELSE 'User' END, '', 'u' || g,
                    'create', CASE WHEN g % 5 = 0 THEN 'failure' ELSE 'success' END, 201, '',
                    NULL, '', 'Ab12', 1
                FROM generate_series(1, 60) AS g""",
            database=BENCH_DB,
        )
        pages = page_measurements(big, small)
        # Bytes per log row, table and indexes, measured on the full table.
        total, size = query(
            f"SELECT count(*), pg_total_relation_size('{LOG_TABLE}') FROM {LOG_TABLE}",
            database=BENCH_DB,
        )[0]
        growth = (log_rows / writes, size / max(1, total), size)
        purge = purge_under_load(env, client)
    finally:
        for running in procs:
            running.send_signal(signal.SIGTERM)
            running.wait(timeout=30)
        if not os.environ.get("BENCH_KEEP_DB"):
            admin_sql(f'DROP DATABASE IF EXISTS "{empty_db}" WITH (FORCE)')
    return {
        "empty": probes["empty database"],
        "scaled": probes[label_scaled],
        "pages": pages,
        "purge": purge,
        "steps": steps,
        "log_growth": growth,
    }


def print_scale(result):
    print()
    print(
        f"scale: {n(SCALE_ACCOUNTS):,} accounts, {n(SCALE_HOSTS):,} hosts, "
        f"{n(SCALE_LOG_ROWS):,} provisioning-log rows (the largest tenant holds "
        f"{BIG_SHARE:.0%} of hosts and rows); loaded in "
        + ", ".join(f"{k} {v:.0f} s" for k, v in result["steps"].items())
    )
    header = (
        f"{'SCIM on the bench tenant':36} {'empty p50':>9} {'scaled p50':>10} {'ratio':>6} "
        f"{'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for e, s in zip(result["empty"], result["scaled"], strict=True):
        name = e.name.rsplit(" (", 1)[0]
        ratio = s.pct(50) / e.pct(50) if e.pct(50) else 0.0
        print(
            f"{name:36} {e.pct(50):>9.2f} {s.pct(50):>10.2f} {ratio:>5.2f}x "
            f"{e.errors + s.errors:>6}"
        )
    header = (
        f"{'pages (in-process)':36} {'small ms':>9} {'SQL':>4} {'largest ms':>10} {'SQL':>4} "
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for label, (sp50, sq), (lp50, lq) in result["pages"]:
        print(f"{label:36} {sp50:>9.2f} {sq:>4} {lp50:>10.2f} {lq:>4} {lp50 / sp50:>5.2f}x")
    p = result["purge"]
    print(
        f"purge_provisioning_log --days 90: {p['seconds']:.1f} s ({p['output']}); "
        f"concurrent SCIM POSTs: {p['writes_during']} during it, p50/max "
        f"{p['during'][0]:.1f}/{p['during'][1]:.1f} ms (before it {p['before'][0]:.1f}/"
        f"{p['before'][1]:.1f} ms), errors {p['errors']}; longest lock wait seen "
        f"{p['longest_lock_wait_ms']:.1f} ms"
    )
    rows_per, bytes_per, size = result["log_growth"]
    print(
        f"provisioning log growth: {rows_per:.2f} rows per SCIM write, {bytes_per:.0f} bytes "
        f"per row (table + indexes; {size / 2**20:,.0f} MB in all before the purge)"
    )


# ------------------------------------------------------------------ report


def machine():
    cpus = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    try:
        pg = query("SHOW server_version")[0][0]
    except Exception:  # noqa: BLE001
        pg = "?"
    return f"{cpus} CPU ({model}){mem}; PostgreSQL {pg}; Python {sys.version.split()[0]}"


def fmt_cpu(value):
    return f"{value:5.2f}" if value is not None else "    -"


def share(result, rps, ceiling):
    """req/s as a share of the ceiling: of its own round's (phase 1) or the run's highest."""
    if result.vs_ceiling is not None:
        return result.vs_ceiling
    return rps / ceiling if ceiling else 0.0


def print_report(rows, replay, ceiling, growth):
    print()
    print(
        f"SCIM benchmark: gunicorn {WORKERS} {WORKER_CLASS or 'gunicorn.conf.py'} workers, "
        "PostgreSQL on this box, "
        f"{THREADS} client threads, scale {SCALE}, driver {driver().__name__}"
    )
    print(machine())
    if rows:
        print()
        header = (
            f"{'phase':44} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'vs healthz':>10} {'app ms':>6} {'db ms':>6} {'CPU':>4}"
        )
        print(header)
        print("-" * len(header))
        for r in rows:
            rps = r.http_requests / r.elapsed if r.elapsed else 0.0
            print(
                f"{r.name:44} {r.http_requests:>8} {r.errors:>6} {rps:>8.1f} "
                f"{r.pct(50):>7.1f} {r.pct(95):>7.1f} "
                f"{share(r, rps, ceiling) * 100:>9.1f}% "
                f"{fmt_cpu(r.cpu_ms(r.app_cpu))} {fmt_cpu(r.cpu_ms(r.db_cpu))} "
                f"{f'{r.busy:3.0f}%' if r.busy is not None else '   -'}"
            )
    if replay is not None:
        total_rps = replay["requests"] / replay["elapsed"] if replay["elapsed"] else 0.0
        print(
            f"{'initial-sync replay, total':44} {replay['requests']:>8} {replay['errors']:>6} "
            f"{total_rps:>8.1f}   in {replay['elapsed']:.1f} s "
            f"({replay['memberships']:,} memberships in {replay['patches']:,} PATCHes)"
        )
        print(
            "peak RSS per gunicorn worker after the replay (MB): "
            + ", ".join(f"{v:.0f}" for v in replay["rss"])
        )
        print(
            "p50/p95: per HTTP exchange (a replay user or group row: filter + POST together); "
            "app/db ms: CPU per request of the gunicorn workers / PostgreSQL backends; "
            "CPU: how busy the machine was (all processes)."
        )
        print(
            f"phase 1 (/healthz ceiling, POST, filter, PATCH) ran {ROUNDS} rounds, each after its "
            "own /healthz; shown: the median round (errors: all rounds). vs healthz: POST, "
            "filter, PATCH against their round's /healthz, the rest against the run's highest."
        )
    if growth:
        print()
        print(f"{'growth (in-process, Django test client)':48} {'p50 ms':>8} {'SQL':>4} {'+tx':>4}")
        for name, p50, q, tx in growth:
            print(f"{name:48} {p50:>8.2f} {q:>4} {tx:>4}")
        print("SQL: statements per request; +tx: BEGIN/COMMIT around writes.")


def main():
    recreate_database()
    port = int(os.environ.get("BENCH_PORT") or free_port())
    env = server_env(port)
    manage(env, "migrate", "--noinput")
    manage(env, "create_account", "bench", "--name", "Bench Co")
    token = json.loads(manage(env, "rotate_scim_token", "bench", "--format", "json"))["token"]
    phases = os.environ.get("BENCH_PHASES", "http,growth,scale").split(",")
    rows, replay, ceiling, growth, client_cpu = [], None, 0.0, [], None
    if "http" in phases:
        proc = start_server(env, port)
        client = Http(port, token)
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        load = Load(client, proc.pid)
        try:
            rows, replay, ceiling = http_phases(client, load)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
        client_cpu = client_cpu / max(1, load.total_requests) * 1000
    if "growth" in phases:
        growth = growth_measurements(env)
    print_report(rows, replay, ceiling, growth)
    if client_cpu is not None:
        print(f"load client CPU: {client_cpu:.2f} ms per request")
    if "scale" in phases:
        if "growth" in phases:
            from django.db import connection

            connection.close()  # the scale phase starts on a new database
        print_scale(scale_phase(env, port))
    if not os.environ.get("BENCH_KEEP_DB"):
        drop_database()


if __name__ == "__main__":
    main()
