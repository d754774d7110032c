"""Phases 1 and 2 over HTTP: single operations against /healthz, then an Entra replay."""

import random
import time
import uuid

from ..config import MEMBER_BATCH_SIZES, ROUNDS, n
from ..jobs import (
    add_members_job,
    create_group,
    filter_user_job,
    healthz_job,
    post_user_job,
    sync_group_job,
    sync_user_job,
)
from ..server import peak_rss_mb, vacuum_analyze, worker_pids


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
