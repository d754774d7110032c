"""SCIM benchmark: gunicorn (2 workers, gunicorn.conf.py) + PostgreSQL, over loopback HTTP.

Run with ``make bench`` (see bench/README.md), which runs ``python -m bench.scim_bench`` from
the repository root. It creates a fresh PostgreSQL database, starts the app under gunicorn
exactly as production runs it, drives it with a bounded load client (a fixed number of
requests per phase, ``BENCH_THREADS`` threads; it stops by itself) and prints one table:

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
