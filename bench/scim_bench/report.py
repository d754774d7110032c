"""The tables the benchmark prints for phases 1-3."""

import os
import sys
from pathlib import Path

from .config import ROUNDS, SCALE, THREADS, WORKER_CLASS, WORKERS
from .server import driver, query


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
