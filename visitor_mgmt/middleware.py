"""The core's middleware, in the order settings.MIDDLEWARE runs it:

- Django's session, authentication and messages middleware, stepping aside for stateless
  API paths (SessionMiddleware, AuthenticationMiddleware, MessageMiddleware);
- security headers Django does not set (SecurityHeadersMiddleware);
- a friendly answer when the database is unreachable (DatabaseUnavailableMiddleware).
"""

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpResponse, JsonResponse
from django.template import loader

from visitor_mgmt.db_status import diagnose, log_unavailable

# Django's browser-state middleware, stepping aside for stateless API paths.
#
# Some paths (settings.STATELESS_PATH_PREFIXES, e.g. the bearer-token provisioning API) never
# read a session, a cookie, a logged-in user or a flash message — a session must never
# authenticate them. Django's session, authentication and messages middleware would still set
# all of that up on every request (messages even touch the session on the way out): about a
# tenth of a cheap API request's CPU. These subclasses behave exactly like Django's for every
# other path; settings.MIDDLEWARE names them in place of Django's (the admin's checks accept
# subclasses). CSRF stays Django's own middleware (`check --deploy` looks for it by name).


def is_stateless(request):
    return request.path_info.startswith(tuple(settings.STATELESS_PATH_PREFIXES))


class SkippedForStatelessPaths:
    def __call__(self, request):
        if is_stateless(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(SkippedForStatelessPaths, sessions_middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(SkippedForStatelessPaths, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(SkippedForStatelessPaths, messages_middleware.MessageMiddleware):
    pass


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


RETRY_AFTER_SECONDS = 30


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
