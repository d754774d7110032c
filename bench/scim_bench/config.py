"""The benchmark's settings (environment variables) and the SCIM names its requests use."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (bench/scim_bench/config.py)
PY = sys.executable
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
SERVER_URL = os.environ.get("DATABASE_URL", "")
if not SERVER_URL.startswith("postgres"):
    SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# gunicorn.conf.py's worker class unless BENCH_WORKER_CLASS names another (e.g. "sync", to
# measure what the slow-client protection of the threaded deadline workers costs).
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "")
BENCH_DB = os.environ.get("BENCH_DB", "vm_bench")  # its own database, created and dropped
WORKERS = 2
SCIM = "application/scim+json"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# Members per PATCH in the replay: Entra's batch size is undocumented
# (docs/identity-providers/entra.md §1.10.5, §5); a third party saw one member per PATCH,
# the gallery checks multi-member PATCHes.
MEMBER_BATCH_SIZES = [1, 1, 1, 5, 10, 20, 50]


def n(count):
    return max(1, int(count * SCALE))
