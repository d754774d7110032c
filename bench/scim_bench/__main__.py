"""``python -m bench.scim_bench`` (what ``make bench`` runs): every phase, then the tables."""

import json
import os
import resource
import signal

from .client import Http, Load
from .phases.growth import growth_measurements
from .phases.http import http_phases
from .phases.scale import print_scale, scale_phase
from .report import print_report
from .server import drop_database, free_port, manage, recreate_database, server_env, start_server


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
