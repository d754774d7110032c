"""Middleware of our own: security headers Django does not set, and a friendly answer when
the database is unreachable."""

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader

from visitor_mgmt.db_status import diagnose, log_unavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a Content-Security-Policy for pages.

    Pages use only our own scripts and styles; nothing inline runs.
    """

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.CSP)
        return response


class DatabaseUnavailableMiddleware:
    """A view that cannot use the database (down, restarting, connection lost, or settings
    it refuses: see visitor_mgmt/db_status.py) answers
    503 with ``Retry-After``: a plain page for people, JSON for the API. Never a stack
    trace, whatever ``DEBUG`` says. The page needs no database and no context processor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        unavailable = diagnose(exception)
        if unavailable is None:
            return None
        log_unavailable(unavailable, exception, f"{request.method} {request.path}")
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": "The service is temporarily unavailable. Try again later."}, status=503
            )
        else:
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
