"""Phase 4's data: a thousand tenants, their hosts and provisioning-log rows, in SQL."""

import time

from ..config import BENCH_DB, ENTERPRISE_URN, n
from ..server import admin_sql, query, vacuum_analyze

# The scale phase's data at BENCH_SCALE=1: a SaaS with a thousand customers.
SCALE_ACCOUNTS = 1_000
SCALE_HOSTS = 1_000_000
SCALE_LOG_ROWS = 10_000_000
SCALE_LOG_DAYS = 120  # log rows spread over this many days: a quarter are past 90 days
BIG_SHARE = 0.10  # the largest tenant: a tenth of all hosts and log rows
LOG_TABLE = "scim_hosts_provisioningevent"
PROBE_REQUESTS, PROBE_PATCHES = 500, 200


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
