"""Phase 4, in-process pages of the largest tenant, and the log purge under SCIM writes."""

import statistics
import threading
import time

from ..config import BENCH_DB
from ..jobs import user_body
from ..server import bench_database_url, driver, manage, query
from .scale_data import LOG_TABLE


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
