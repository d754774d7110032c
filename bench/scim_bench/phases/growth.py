"""Phase 3, growth (in-process): the same requests at two sizes of account and group."""

import json
import os
import statistics
import sys
import time
import warnings
from urllib.parse import quote

from ..config import BENCH_DB, ENTERPRISE_URN, PATCH_URN, ROOT, SCIM, n
from ..server import admin_sql, vacuum_analyze


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
