"""Django's browser-state middleware, skipped for the SCIM API.

/scim/v2/ is a bearer-token API: it never reads a session, a cookie, a logged-in user or a
flash message (a session must never authenticate SCIM). Yet the session, authentication and
messages middleware would set all of that up on each request, and messages even touch the
session on the way out (adding ``Vary: Cookie``): about a tenth of a cheap SCIM request's
CPU. These subclasses behave exactly like Django's for every other path (settings.MIDDLEWARE
names them in place of Django's; the admin's checks accept subclasses) and step aside for
/scim/. CSRF stays Django's own middleware (``check --deploy`` wants it by name); SCIM views
are CSRF-exempt, so it costs them next to nothing.
"""

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware

SCIM_PATH_PREFIX = "/scim/"


def is_scim(request):
    return request.path_info.startswith(getattr(settings, "SCIM_PATH_PREFIX", SCIM_PATH_PREFIX))


class SkippedForScim:
    def __call__(self, request):
        if is_scim(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(SkippedForScim, sessions_middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(SkippedForScim, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(SkippedForScim, messages_middleware.MessageMiddleware):
    pass
