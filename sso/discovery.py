"""OpenID Connect discovery: the provider's endpoints from its issuer URL."""

import ipaddress
from urllib.parse import urlsplit

import requests
from django.conf import settings

REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
# Kept from the discovery document (the rest is of no use to the sign-in).
KEPT = (*REQUIRED, "id_token_signing_alg_values_supported", "end_session_endpoint")


class ProviderError(Exception):
    """The provider could not be used; the message says why, in words for an admin."""


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url, *, what="The issuer URL"):
    """HTTPS only; plain HTTP to a loopback address only when SSO_ALLOW_HTTP_LOOPBACK is on
    (development and tests run a provider on this machine)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if (
        parts.scheme == "http"
        and parts.hostname
        and settings.SSO_ALLOW_HTTP_LOOPBACK
        and _is_loopback(parts.hostname)
    ):
        return
    raise ProviderError(f"{what} must start with https:// ({url}).")


def normalise_issuer(issuer):
    return issuer.strip().rstrip("/")


def fetch_provider_metadata(issuer):
    """The provider's discovery document, checked; raises ProviderError."""
    issuer = normalise_issuer(issuer)
    check_url(issuer)
    url = issuer + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        raise ProviderError(
            f"The provider could not be reached at {url} ({exc.__class__.__name__})."
        ) from None
    if response.status_code != 200:
        raise ProviderError(
            f"{url} answered HTTP {response.status_code}, not a discovery document."
        )
    try:
        document = response.json()
    except ValueError:
        raise ProviderError(f"{url} did not answer with JSON.") from None
    if not isinstance(document, dict):
        raise ProviderError(f"{url} did not answer with a discovery document.")
    missing = [key for key in REQUIRED if not document.get(key)]
    if missing:
        raise ProviderError(f"The discovery document lacks {', '.join(missing)}.")
    # OpenID Connect Discovery §4.3: the issuer in the document must be the one asked for.
    if normalise_issuer(document["issuer"]) != issuer:
        raise ProviderError(
            f"The provider calls itself {document['issuer']}, not {issuer}: check the issuer URL."
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        check_url(document[key], what=f"The provider's {key}")
    return {key: document[key] for key in KEPT if key in document}
