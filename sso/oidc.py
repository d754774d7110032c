"""The OpenID Connect authorization code flow, through Authlib's Django client.

Authlib does the protocol: PKCE (S256), state and nonce kept in the session, the code
exchange, and the ID token's signature (the provider's JWKS), issuer, audience, expiry and
nonce. Per-account configuration is ours, so a client is built for each request from the
account's SsoConnection instead of Authlib's settings-based registry.
"""

import logging
from datetime import timedelta

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    DecodeError,
    ExpiredTokenError,
    JoseError,
    MissingClaimError,
)

from sso.discovery import ProviderError, fetch_provider_metadata
from sso.models import SsoConnection
from sso.secret_box import SecretUnreadable, decrypt_secret

logger = logging.getLogger(__name__)

PENDING_KEY = "sso_pending"
MAX_PENDING = 5  # sign-ins started in one browser and not finished yet
SCOPE = "openid email profile"
# The discovery document is fetched again at a sign-in's start when older than this.
METADATA_MAX_AGE = timedelta(hours=1)


class FlowRefused(Exception):
    """The provider's answer cannot be trusted or used; ``reason`` says why, in words."""

    def __init__(self, reason, *, connection=None, pending=None):
        super().__init__(reason)
        self.reason = reason
        self.connection = connection
        self.pending = pending or {}


def redirect_uri():
    """What the admin pastes into the provider (one for every account)."""
    return settings.PUBLIC_BASE_URL + reverse("sso:callback")


def _client(connection):
    try:
        secret = decrypt_secret(connection.client_secret_encrypted)
    except SecretUnreadable as exc:
        raise FlowRefused(str(exc), connection=connection) from None
    return DjangoOAuth2App(
        DjangoIntegration("sso"),
        name="sso",
        client_id=connection.client_id,
        client_secret=secret,
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": settings.SSO_HTTP_TIMEOUT,
        },
        **connection.provider_metadata,
    )


def _refresh_metadata(connection):
    fetched = connection.metadata_fetched_at
    if fetched and timezone.now() - fetched < METADATA_MAX_AGE:
        return
    try:
        connection.provider_metadata = fetch_provider_metadata(connection.issuer)
    except ProviderError as exc:
        if not connection.provider_metadata:
            raise FlowRefused(str(exc), connection=connection) from None
        logger.warning("SSO discovery failed for account %s: %s", connection.account_id, exc)
        return
    connection.metadata_fetched_at = timezone.now()
    connection.save(update_fields=["provider_metadata", "metadata_fetched_at"])


def start(request, *, connection, purpose, next_url="", login_hint="", user=None):
    """The provider's authorization URL for a new sign-in; the flow's secrets stay in the
    session. ``purpose`` is "sign-in" or "test" (an admin trying the settings)."""
    _refresh_metadata(connection)
    client = _client(connection)
    extra = {"login_hint": login_hint} if login_hint else {}
    try:
        flow = client.create_authorization_url(redirect_uri(), **extra)
    except (OAuthError, requests.RequestException, RuntimeError) as exc:
        raise FlowRefused(f"The sign-in could not start: {exc}", connection=connection) from None
    client.save_authorize_data(request, redirect_uri=redirect_uri(), **flow)
    pending = dict(request.session.get(PENDING_KEY, {}))
    while len(pending) >= MAX_PENDING:
        pending.pop(next(iter(pending)))
    pending[flow["state"]] = {
        "account": connection.account_id,
        "purpose": purpose,
        "next": next_url,
        "user": user.pk if user is not None else None,
    }
    request.session[PENDING_KEY] = pending
    return flow["url"]


def _reason_for(exc):
    if isinstance(exc, MismatchingStateError):
        return "The sign-in's state was not recognised (already used, expired or forged)."
    if isinstance(exc, ExpiredTokenError):
        return "The ID token has expired."
    if isinstance(exc, (BadSignatureError, DecodeError)):
        return "The ID token's signature is not valid."
    if isinstance(exc, MissingClaimError):
        return f"The ID token lacks the “{exc.claim}” claim."
    if isinstance(exc, ClaimError):
        names = {
            "iss": "was issued by another provider (issuer)",
            "aud": "was issued for another application (audience)",
            "nonce": "does not answer this sign-in (nonce)",
            "azp": "was issued for another application (azp)",
        }
        return f"The ID token {names.get(exc.claim, f'has an invalid “{exc.claim}” claim')}."
    if isinstance(exc, JoseError):
        return f"The ID token could not be verified ({exc.error})."
    if isinstance(exc, OAuthError):
        detail = exc.description or exc.error
        return f"The provider refused: {exc.error}" + (
            f" ({detail})" if detail != exc.error else ""
        )
    if isinstance(exc, requests.RequestException):
        return f"The provider could not be reached ({exc.__class__.__name__})."
    return f"The provider's answer could not be used ({exc.__class__.__name__})."


def finish(request):
    """Check the provider's answer to a sign-in started here: (connection, pending, claims).

    Raises FlowRefused: unknown or replayed state, an error from the provider, a failed
    code exchange, a missing ID token, or one whose signature, issuer, audience, expiry or
    nonce is wrong.
    """
    state = request.GET.get("state", "")
    pending_all = dict(request.session.get(PENDING_KEY, {}))
    pending = pending_all.pop(state, None)
    request.session[PENDING_KEY] = pending_all
    error = request.GET.get("error")
    if error:
        # The provider's own answer (the person cancelled, is not assigned to the
        # application, ...), said before anything else: such answers often carry no state.
        description = request.GET.get("error_description", "")
        connection = None
        if pending is not None:
            connection = SsoConnection.objects.filter(account_id=pending["account"]).first()
        raise FlowRefused(
            f"The provider did not sign you in: {error}"
            + (f" ({description[:200]})" if description else "."),
            connection=connection,
            pending=pending,
        )
    if pending is None:
        # Authlib would refuse too (its state data is gone); say it in our words.
        raise FlowRefused(_reason_for(MismatchingStateError()))
    connection = (
        SsoConnection.objects.select_related("account")
        .filter(account_id=pending["account"])
        .first()
    )
    if connection is None or not connection.enabled:
        raise FlowRefused("Single sign-on was switched off for this account.", pending=pending)
    client = _client(connection)
    metadata = connection.provider_metadata
    claims_options = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": connection.client_id},
        "exp": {"essential": True},
    }
    try:
        token = client.authorize_access_token(
            request, claims_options=claims_options, leeway=settings.SSO_CLOCK_LEEWAY
        )
    except (OAuthError, JoseError, requests.RequestException, ValueError, KeyError) as exc:
        raise FlowRefused(_reason_for(exc), connection=connection, pending=pending) from None
    claims = token.get("userinfo")
    if not claims:
        raise FlowRefused("The provider sent no ID token.", connection=connection, pending=pending)
    return connection, pending, dict(claims)
