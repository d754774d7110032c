"""The load client: raw HTTP/1.1 over loopback, a result per phase, a bounded thread pool."""

import json
import socket
import threading
import time

from .config import SCIM, THREADS
from .server import cpu_seconds, database_pids, machine_busy, worker_pids


class Http:
    """A minimal HTTP/1.1 client: one connection per request, as gunicorn's sync workers
    serve them (they close the connection after each response).

    Requests are encoded once, before a phase starts, so the client spends as little of the
    shared CPU as possible; responses are parsed just enough to check them.
    """

    def __init__(self, port, token):
        self.port = port
        self.token = token

    def encode(self, method, path, body=None, *, auth=True):
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if auth:
            head.append(f"Authorization: Bearer {self.token}")
        if body is not None:
            head.append(f"Content-Type: {SCIM}")
        head += [f"Content-Length: {len(data)}", "Connection: close", "", ""]
        return "\r\n".join(head).encode() + data

    def send(self, raw):
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(raw)
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if response_complete(data):
                    break  # hang up at once: the sync worker waits for it before the next
        return parse_response(data)

    def request(self, method, path, body=None):
        return self.send(self.encode(method, path, body))


def response_complete(data):
    """Whether ``data`` holds a whole response that says its length (Content-Length)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(data) - end - 4 >= int(value)
    return False


def parse_response(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1."):
        raise ValueError("not an HTTP response")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = dechunk(body)
    elif b"content-length" in headers and int(headers[b"content-length"]) != len(body):
        raise ValueError("truncated response body")
    return status, body


def dechunk(data):
    out, i = [], 0
    while True:
        end = data.index(b"\r\n", i)
        size = int(data[i:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        i = end + 2 + size + 2


class Result:
    def __init__(self, name):
        self.name = name
        self.vs_ceiling = None  # req/s / the /healthz of the same round (phase 1)
        self.latencies = []
        self.errors = 0
        self.statuses = {}
        self.elapsed = 0.0
        self.busy = None  # how busy the machine's CPUs were during the phase, in %
        self.app_cpu = None  # CPU seconds of the gunicorn workers during the phase
        self.db_cpu = None  # CPU seconds of the PostgreSQL backends during the phase
        self.lock = threading.Lock()

    def add(self, status, latency, ok):
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if not ok:
                self.errors += 1

    @property
    def requests(self):
        return len(self.latencies)

    @property
    def rps(self):
        return self.requests / self.elapsed if self.elapsed else 0.0

    def pct(self, p):
        if not self.latencies:
            return 0.0
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))] * 1000

    requests_per_job = 1

    @property
    def http_requests(self):
        return self.requests * self.requests_per_job

    def cpu_ms(self, seconds):
        """CPU milliseconds per HTTP request, or None."""
        if seconds is None or not self.requests:
            return None
        return seconds / self.http_requests * 1000


class Load:
    """Runs phases against one server and accounts for the CPU the server spent on them."""

    def __init__(self, client, server_pid):
        self.client = client
        self.server_pid = server_pid
        self.total_requests = 0  # HTTP requests sent, warm-up included

    def run(self, name, jobs, *, requests_per_job=1):
        """Run ``jobs`` (callables: client -> (status, ok)) on THREADS threads."""
        result = Result(name)
        jobs = list(jobs)
        it = iter(jobs)
        it_lock = threading.Lock()

        def worker():
            while True:
                with it_lock:
                    job = next(it, None)
                if job is None:
                    return
                start = time.perf_counter()
                try:
                    status, ok = job(self.client)
                except Exception:  # noqa: BLE001 - a failed exchange is an error, not a crash
                    status, ok = 0, False
                result.add(status, time.perf_counter() - start, ok)

        app_pids = worker_pids(self.server_pid)
        db_pids = database_pids()
        app0, db0 = cpu_seconds(app_pids), cpu_seconds(db_pids)
        busy0 = machine_busy()
        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result.elapsed = time.perf_counter() - t0
        app1, db1 = cpu_seconds(app_pids), cpu_seconds(db_pids)
        busy1 = machine_busy()
        if busy0 and busy1 and busy1[1] > busy0[1]:
            result.busy = (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]) * 100
        if app0 is not None and app1 is not None:
            result.app_cpu = app1 - app0
        if db0 is not None and db1 is not None and db_pids:
            result.db_cpu = db1 - db0
        result.requests_per_job = requests_per_job
        self.total_requests += result.http_requests
        return result
