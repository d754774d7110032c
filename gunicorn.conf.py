"""gunicorn settings of one Visitor Management app server (production, `make bench`, and the
two-app-server test). Run: ``gunicorn -c gunicorn.conf.py``; command-line flags override.

An app server keeps nothing that others need (sessions and tokens live in PostgreSQL, rate
limit counters in Redis via CACHE_URL), so a load balancer may send any request to any of N
identical servers. See README "Production serving".
"""

import os

wsgi_app = "visitor_mgmt.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers, one per core: a request holds a worker from the first byte to the last, and
# every SCIM or page request is a few milliseconds of Python plus database round trips.
# Measured in bench/: threads (gthread) served a third fewer requests per second here.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
# A request taking longer than this is stuck (the database waits are bounded far below it).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# The load balancer keeps the access log; errors and worker restarts go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a TLS-terminating proxy: trust its X-Forwarded-* headers (Django reads
# X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER). Set to the proxy's address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
