"""Django's browser-state middleware, stepping aside for stateless API paths.

Some paths (settings.STATELESS_PATH_PREFIXES, e.g. the bearer-token provisioning API) never
read a session, a cookie, a logged-in user or a flash message — a session must never
authenticate them. Django's session, authentication and messages middleware would still set
all of that up on every request (messages even touch the session on the way out): about a
tenth of a cheap API request's CPU. These subclasses behave exactly like Django's for every
other path; settings.MIDDLEWARE names them in place of Django's (the admin's checks accept
subclasses). CSRF stays Django's own middleware (`check --deploy` looks for it by name).
"""

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware


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
