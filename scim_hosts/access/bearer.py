"""Token authentication for /scim/v2/: the token decides the account.

``Authorization: Bearer <token>`` → ``scim_hosts.access.tokens.authenticate`` → exactly one
account, put on ``request.scim_account``. ``Authorization: Basic <base64(name:token)>`` is
the same token in another envelope: Okta's custom SCIM apps and PingOne offer only a user
name and password field in their Basic mode, so the token goes in the password and the
name is ignored (the token alone identifies the account, so no weaker secret is accepted).
Every failure (no header, another scheme, a malformed, unknown or rotated token, a
disabled integration) gets the same 401 SCIM error
with ``WWW-Authenticate: Bearer``, so a caller learns nothing about which accounts exist.
A browser session never authenticates SCIM: only the header is read.

Our views call ``authenticate_request`` themselves (``dispatch.ScimViewMixin``), inside
their error handling. ``ScimBearerTokenAuth`` is django-scim2's ``AUTH_CHECK_MIDDLEWARE``: the
library wraps only its own ``SCIMView.dispatch`` with it, which our views replace, so no routed
request runs it. It stays so that a library view wired by mistake still refuses calls without
a valid token (tests/scim/test_auth.py), and unlike the library's default it never logs
request bodies.
"""

import base64
import binascii

from django_scim.middleware import SCIMAuthCheckMiddleware
from django_scim.settings import scim_settings

from scim_hosts.access.tokens import authenticate
from scim_hosts.protocol.responses import error_response
from scim_hosts.provisioning_log import record_rejection

UNAUTHORIZED_DETAIL = "Authentication failed: send the account's SCIM token as a Bearer token."
# A Basic header longer than this cannot carry one of our tokens; it is not decoded.
MAX_BASIC_CREDENTIALS = 512


def unauthorized_response():
    return error_response(
        401,
        UNAUTHORIZED_DETAIL,
        headers={"WWW-Authenticate": scim_settings.WWW_AUTHENTICATE_HEADER or "Bearer"},
    )


def _basic_password(credentials):
    """The password of ``Basic`` credentials (RFC 7617), or None when they are malformed."""
    if len(credentials) > MAX_BASIC_CREDENTIALS:
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    _name, colon, password = decoded.partition(":")
    if not colon or not password or password != password.strip():
        return None
    return password


def bearer_token(request):
    """The token an ``Authorization`` header carries (Bearer, or Basic's password), or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if not token or " " in token:
        return None
    if scheme.lower() == "bearer":
        return token
    if scheme.lower() == "basic":
        return _basic_password(token)
    return None


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
        return authenticate_request(request)

    def process_response(self, request, response):
        return response  # no request/response body logging
