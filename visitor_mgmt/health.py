"""Liveness and readiness probes for load balancers and orchestrators."""

from django.db import DatabaseError
from django.http import JsonResponse

from visitor_mgmt.db_status import UNREACHABLE, Unavailable, diagnose, log_unavailable
from visitor_mgmt.sql import ping


def healthz(request):
    """Liveness: the process answers. Never touches the database."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: the database answers a query. When it does not, ``database`` says whether
    it is unreachable or the settings are wrong (``misconfigured``), and ``reason`` what to
    look at (never a credential)."""
    try:
        ping()
    except DatabaseError as exc:
        unavailable = diagnose(exc) or Unavailable(UNREACHABLE, "the database failed a query")
        log_unavailable(unavailable, exc, "readyz")
        return JsonResponse(
            {"status": "unavailable", "database": unavailable.kind, "reason": unavailable.reason},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})
