"""gunicorn settings of one Visitor Management app server (production, `make bench`, and the
two-app-server test): `gunicorn -c gunicorn.conf.py` (gunicorn also reads this file by itself
from the working directory); command-line flags override. See README.md, "Production serving".

An app server keeps nothing that others need (sessions and tokens live in PostgreSQL, rate
limit counters in Redis via CACHE_URL), so a load balancer may send any request to any of N
identical servers.

Slow clients. With the default sync workers, a connection holds a whole worker until its
request has arrived: two connections that sent half a header and stopped held both
workers, and /healthz, for 31 s. Here:

- gthread workers: a connection takes a thread only once data arrives (gunicorn parks
  silent new connections in its poller), so a few slow clients leave threads free;
- every read of a request has a deadline (CLIENT_READ_TIMEOUT): a client that stops
  sending loses its connection and the thread is free again;
- limits on the request line and headers bound what a client can make the server read.

A client that drips a byte just before each deadline can still hold a thread for longer;
a buffering reverse proxy in front (nginx, see README) receives whole requests before
they reach gunicorn and removes that too. It is also where TLS ends.
"""

import os

from gunicorn.workers.gthread import ThreadWorker

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One worker per core (WEB_CONCURRENCY, as platforms set it), a few threads each: requests
# wait on PostgreSQL and SMTP more than on the CPU. (Sync workers served more requests per
# second in bench/, but two stalled clients held them all: see "Slow clients" above.)
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request running longer than this is killed with its worker (the SCIM body and
# selection limits keep real requests far below it).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# The load balancer keeps the access log; errors and worker restarts go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a TLS-terminating proxy: trust its X-Forwarded-* headers (Django reads
# X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER). Set to the proxy's address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Seconds an idle kept-alive connection may keep its socket.
keepalive = 5
# Request line and header limits (gunicorn's defaults, stated here): larger is a 400.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Seconds a client may stay silent while its request is read (or its response written).
CLIENT_READ_TIMEOUT = float(os.environ.get("GUNICORN_CLIENT_TIMEOUT", "10"))


class DeadlineThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with a deadline on every socket read and write.

    gthread makes a connection's socket blocking without a timeout before parsing it;
    this sets the timeout right after, so a stalled client raises socket.timeout in its
    thread (gunicorn then closes the connection) instead of holding the thread forever.
    """

    def handle(self, conn):
        init = conn.init

        def init_with_deadline():
            init()
            conn.sock.settimeout(CLIENT_READ_TIMEOUT)

        conn.init = init_with_deadline
        return super().handle(conn)


worker_class = DeadlineThreadWorker
