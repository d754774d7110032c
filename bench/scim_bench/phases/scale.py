"""Phase 4, scale: the SCIM probe on an empty and on a full database, then pages and purge."""

import json
import os
import signal
import sys
import uuid
import warnings

from ..client import Http, Load
from ..config import BENCH_DB, ROOT, ROUNDS, n
from ..jobs import add_members_job, create_group, filter_user_job, healthz_job, post_user_job
from ..server import (
    admin_sql,
    bench_database_url,
    free_port,
    manage,
    query,
    start_server,
    vacuum_analyze,
)
from .scale_data import (
    BIG_SHARE,
    LOG_TABLE,
    PROBE_PATCHES,
    PROBE_REQUESTS,
    SCALE_ACCOUNTS,
    SCALE_HOSTS,
    SCALE_LOG_ROWS,
    load_scale_data,
)
from .scale_pages import page_measurements, purge_under_load


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
