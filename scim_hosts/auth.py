"""Bearer-token authentication for /scim/v2/: the token decides the account.

``Authorization: Bearer <token>`` → ``scim_hosts.tokens.authenticate`` → exactly one
account, put on ``request.scim_account``. Every failure (no header, another scheme, a
malformed, unknown or rotated token, a disabled integration) gets the same 401 SCIM error
with ``WWW-Authenticate: Bearer``, so a caller learns nothing about which accounts exist.
A browser session never authenticates SCIM: only the header is read.

``ScimBearerTokenAuth`` is django-scim2's ``AUTH_CHECK_MIDDLEWARE`` (the library wraps its
views' ``dispatch`` with it). Our views call ``authenticate_request`` themselves, inside
their error handling. Unlike the library's middleware it never logs request bodies.
"""

from django_scim.middleware import SCIMAuthCheckMiddleware
from django_scim.settings import scim_settings

from scim_hosts.errors import error_response
from scim_hosts.events import record_rejection
from scim_hosts.tokens import authenticate

UNAUTHORIZED_DETAIL = "Authentication failed: send the account's SCIM token as a Bearer token."


def unauthorized_response():
    return error_response(
        401,
        UNAUTHORIZED_DETAIL,
        headers={"WWW-Authenticate": scim_settings.WWW_AUTHENTICATE_HEADER or "Bearer"},
    )


def bearer_token(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    if not token or " " in token:
        return None
    return token


def authenticate_request(request, resource_type=""):
    """None when the request carries a valid token (and sets ``request.scim_account``);
    otherwise the 401 response to send.

    A refused token that belongs to an account (provisioning disabled, a replaced or revoked
    token, the account's key with a wrong secret) is logged for that account so its admins
    can see why provisioning fails; the answer is the same 401 as for any other token.
    """
    request.scim_account = None
    request.scim_token = None
    token, rejection = authenticate(bearer_token(request))
    if rejection is not None:
        record_rejection(rejection, method=request.method, resource_type=resource_type, status=401)
    if token is None:
        return unauthorized_response()
    request.scim_token = token
    request.scim_account = token.account
    return None


class ScimBearerTokenAuth(SCIMAuthCheckMiddleware):
    """django-scim2's auth hook (setting ``AUTH_CHECK_MIDDLEWARE``), bearer-token based."""

    def process_request(self, request):
        # Configured because django-scim2 requires the setting; our views authenticate
        # themselves (ScimViewMixin.dispatch), so this runs only for the library's own views.
        return authenticate_request(request)

    def process_response(self, request, response):
        return response  # no request/response body logging
