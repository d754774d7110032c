"""SCIM benchmark: gunicorn (2 sync workers) + PostgreSQL, driven over loopback.

Run with `make bench`. It creates a fresh PostgreSQL database, starts the app under gunicorn,
and prints one table: for each phase the requests, errors, req/s, p50/p95 latency and the
ratio of req/s to the same server's /healthz ceiling measured in the same run. The load
client is bounded (a fixed number of requests per phase) and stops by itself.

Environment:
  DATABASE_URL   PostgreSQL server to use (default postgres://postgres@127.0.0.1:5432/postgres);
                 the benchmark creates and drops its own database `vm_bench` there.
  BENCH_THREADS  client threads (default 4)
  BENCH_SCALE    multiplies the request counts (default 1.0; 0.1 for a quick smoke run)
"""

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
if not SERVER_URL.startswith("postgres"):
    SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "vm_bench"
SCIM = "application/scim+json"


def n(count):
    return max(1, int(count * SCALE))


def bench_database_url():
    parts = urlsplit(SERVER_URL)
    return parts._replace(path="/" + BENCH_DB).geturl()


def recreate_database():
    import psycopg

    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


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
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="false",
        SCIM_RATE_LIMIT="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="visitor_mgmt.settings",
    )
    return env


def manage(env, *args):
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


class Result:
    def __init__(self, name):
        self.name = name
        self.latencies = []
        self.errors = 0
        self.statuses = {}
        self.elapsed = 0.0
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


class Client:
    """One HTTP/1.1 request per connection, like gunicorn's sync workers expect."""

    def __init__(self, port, token):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": SCIM}

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers=self.headers)
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, payload
        finally:
            conn.close()


def run_phase(name, jobs, client):
    """Run `jobs` (callables returning (status, ok)) on THREADS threads."""
    result = Result(name)
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
                status, ok = job(client)
            except Exception:  # a dropped connection is an error, not a crash of the bench
                status, ok = 0, False
            result.add(status, time.perf_counter() - start, ok)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - t0
    return result


def user_body(user_name):
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "externalId": str(uuid.uuid4()),
        "userName": user_name,
        "active": True,
        "displayName": user_name.split("@")[0],
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"givenName": "Bench", "familyName": user_name.split("@")[0]},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Bench"},
    }


def post_user(user_name, ids=None):
    def job(client):
        status, payload = client.request("POST", "/scim/v2/Users", user_body(user_name))
        if status == 201 and ids is not None:
            ids[user_name] = json.loads(payload)["id"]
        return status, status == 201

    return job


def filter_user(user_name, expect_total):
    def job(client):
        q = quote(f'userName eq "{user_name}"', safe="").replace("%20", "+")
        status, payload = client.request("GET", f"/scim/v2/Users?filter={q}")
        ok = status == 200 and json.loads(payload)["totalResults"] == expect_total
        return status, ok

    return job


def add_members(group_id, user_ids):
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": u} for u in user_ids]}],
    }

    def job(client):
        status, _ = client.request("PATCH", f"/scim/v2/Groups/{group_id}", body)
        return status, status in (200, 204)

    return job


def healthz(client):
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=30)
    try:
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.status == 200
    finally:
        conn.close()


def create_group(client, name):
    status, payload = client.request(
        "POST",
        "/scim/v2/Groups",
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name},
    )
    assert status == 201, (status, payload[:300])
    return json.loads(payload)["id"]


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


def start_server(env, port):
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "visitor_mgmt.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    time.sleep(0.5)
    return proc


def growth_measurements(env):
    """In-process: p50 and query count of the growth requests at two data sizes."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from scim_hosts.tokens import rotate_token
    from visitor_mgmt.models import Account, Host, HostGroup, HostGroupMembership, Source

    def measure(client, method, path, body=None, repeat=15):
        times, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                if body is None:
                    resp = getattr(client, method.lower())(path)
                else:
                    resp = client.generic(method, path, json.dumps(body()), content_type=SCIM)
                times.append(time.perf_counter() - t)
            assert resp.status_code in (200, 204), (path, resp.status_code, resp.content[:300])
            queries = len(ctx.captured_queries)
        return statistics.median(times) * 1000, queries

    rows = []
    for size in (1_000, 100_000):
        account = Account.objects.create(name=f"Growth {size}", slug=f"growth-{size}")
        _, raw = rotate_token(account=account)
        batch = 5_000
        for start in range(0, size, batch):
            Host.objects.bulk_create(
                [
                    Host(
                        account=account,
                        source=Source.DIRECTORY,
                        username=f"g{size}-{i}@bench.example",
                        first_name="G",
                        last_name=str(i),
                        email=f"g{size}-{i}@bench.example",
                        directory_data={"userName": f"g{size}-{i}@bench.example"},
                    )
                    for i in range(start, min(size, start + batch))
                ]
            )
        client = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {raw}", SERVER_NAME="127.0.0.1")
        mid = size // 2
        p50, q = measure(client, "GET", f"/scim/v2/Users?startIndex={mid}&count=100")
        rows.append((f"page of 100 users @ {size:,} hosts", p50, q))
    for members in (10, 20_000):
        account = Account.objects.get(slug="growth-100000")
        _, raw = rotate_token(account=account)
        client = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {raw}", SERVER_NAME="127.0.0.1")
        group = HostGroup.objects.create(
            account=account, name=f"G{members}", source=Source.DIRECTORY
        )
        host_ids = list(
            Host.objects.filter(account=account)
            .order_by("id")
            .values_list("id", flat=True)[: members + 200]
        )
        HostGroupMembership.objects.bulk_create(
            [HostGroupMembership(group=group, host_id=h) for h in host_ids[:members]]
        )
        spare = iter(
            Host.objects.filter(id__in=host_ids[members:]).values_list("public_id", flat=True)
        )
        p50, q = measure(
            client, "GET", f"/scim/v2/Groups/{group.public_id}?excludedAttributes=members"
        )
        rows.append((f"GET group ({members:,} members) excl. members", p50, q))

        def body(spare=spare):
            return {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "Add", "path": "members", "value": [{"value": str(next(spare))}]}
                ],
            }

        p50, q = measure(client, "PATCH", f"/scim/v2/Groups/{group.public_id}", body=body)
        rows.append((f"add 1 member to a {members:,}-member group", p50, q))
    connection.close()
    return rows


def main():
    recreate_database()
    port = free_port()
    env = server_env(port)
    manage(env, "migrate", "--noinput")
    manage(env, "create_account", "bench", "--name", "Bench Co")
    token = json.loads(manage(env, "rotate_scim_token", "bench", "--format", "json"))["token"]
    proc = start_server(env, port)
    client = Client(port, token)
    results = []
    rss_peak = {}
    try:
        # Phase 1: single-operation throughput against the /healthz ceiling.
        results.append(run_phase("/healthz ceiling", [healthz] * n(3000), client))
        names = [f"user{i}.{uuid.uuid4().hex[:6]}@Bench.Example" for i in range(n(1000))]
        ids = {}
        results.append(run_phase("POST /Users", [post_user(u, ids) for u in names], client))
        results.append(
            run_phase(
                "GET filter userName eq (other case)",
                [filter_user(u.lower(), 1) for u in names],
                client,
            )
        )
        group_id = create_group(client, "Phase1 group")
        id_list = list(ids.values())
        results.append(
            run_phase(
                "PATCH group Add member",
                [add_members(group_id, [id_list[i % len(id_list)]]) for i in range(n(300))],
                client,
            )
        )

        # Phase 2: Entra initial-sync replay (filter-then-POST per object, then memberships).
        users = [f"sync{i}@contoso.example" for i in range(n(10000))]
        sync_ids = {}

        def sync_user(u):
            def job(c):
                s1, ok1 = filter_user(u, 0)(c)
                s2, ok2 = post_user(u, sync_ids)(c)
                return s2, ok1 and ok2

            return job

        group_names = [f"Sync Group {i}" for i in range(n(50))]
        sync_groups = {}

        def group_job(name):
            def job(c):
                q = quote(f'displayName eq "{name}"', safe="").replace("%20", "+")
                s1, _ = c.request("GET", f"/scim/v2/Groups?excludedAttributes=members&filter={q}")
                status, payload = c.request(
                    "POST",
                    "/scim/v2/Groups",
                    {
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                        "displayName": name,
                    },
                )
                if status == 201:
                    sync_groups[name] = json.loads(payload)["id"]
                return status, s1 == 200 and status == 201

            return job

        t0 = time.perf_counter()
        r_users = run_phase("replay: users (filter+POST)", [sync_user(u) for u in users], client)
        r_groups = run_phase(
            "replay: groups (filter+POST)", [group_job(g) for g in group_names], client
        )
        memberships = []
        uid = list(sync_ids.values())
        gid = list(sync_groups.values())
        rng = random.Random(7)
        target = n(10000)
        i = 0
        while i < target and uid and gid:
            size = rng.choice([1, 1, 1, 5, 10, 20, 50])
            chunk = [uid[(i + k) % len(uid)] for k in range(min(size, target - i))]
            memberships.append(add_members(gid[(i // 200) % len(gid)], chunk))
            i += len(chunk)
        r_members = run_phase("replay: membership PATCHes", memberships, client)
        total_elapsed = time.perf_counter() - t0
        for pid in worker_pids(proc.pid):
            rss_peak[pid] = peak_rss_mb(pid)
        results += [r_users, r_groups, r_members]
        # Users and groups cost two HTTP requests each (matching filter, then POST).
        replay_requests = 2 * r_users.requests + 2 * r_groups.requests + r_members.requests
        replay_errors = r_users.errors + r_groups.errors + r_members.errors
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    ceiling = results[0].rps
    print()
    print(
        "SCIM benchmark — gunicorn 2 sync workers, PostgreSQL, "
        f"{THREADS} client threads, scale {SCALE}"
    )
    print(
        f"{'phase':40} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'vs healthz':>10}"
    )
    for r in results:
        print(
            f"{r.name:40} {r.requests:>9} {r.errors:>7} {r.rps:>9.1f} {r.pct(50):>8.1f} "
            f"{r.pct(95):>8.1f} {r.rps / ceiling * 100 if ceiling else 0:>9.1f}%"
        )
    print(
        f"{'initial-sync replay total':40} {replay_requests:>9} {replay_errors:>7} "
        f"{replay_requests / total_elapsed:>9.1f}   "
        f"({total_elapsed:.1f} s, HTTP requests incl. filters)"
    )
    print("peak RSS per worker (MB): " + ", ".join(f"{v:.0f}" for v in rss_peak.values()))
    print()
    print(f"{'growth (in-process, Django test client)':48} {'p50 ms':>8} {'queries':>8}")
    for name, p50, q in growth_measurements(env):
        print(f"{name:48} {p50:>8.2f} {q:>8}")


if __name__ == "__main__":
    main()
