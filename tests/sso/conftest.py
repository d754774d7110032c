import pytest

from tests.browser_support import chromium, new_page, plain_http_cookies  # noqa: F401
from tests.sso.provider import Provider

CLIENT_SECRET = "s3cret-of-acme-Zq8xv1"  # noqa: S105 - a test value
OTHER_SECRET = "s3cret-of-globex-Kw4pd9"  # noqa: S105


@pytest.fixture(scope="session")
def _providers():
    providers = [Provider(), Provider()]
    yield providers
    for provider in providers:
        provider.stop()


@pytest.fixture
def idp(_providers):
    """Acme's provider."""
    _providers[0].reset()
    return _providers[0]


@pytest.fixture
def other_idp(_providers):
    """Globex's provider, another issuer with its own keys."""
    _providers[1].reset()
    return _providers[1]


@pytest.fixture(autouse=True)
def _loopback_providers(settings):
    # The providers run on this machine over plain HTTP.
    settings.SSO_ALLOW_HTTP_LOOPBACK = True


@pytest.fixture
def acme_sso(account, idp):
    from sso.services import connection_configure

    return connection_configure(
        account=account,
        issuer=idp.url,
        client_id="acme-visitor-mgmt",
        client_secret=CLIENT_SECRET,
        domains=["acme.example"],
    )


@pytest.fixture
def globex_sso(other_account, other_idp):
    from sso.services import connection_configure

    return connection_configure(
        account=other_account,
        issuer=other_idp.url,
        client_id="globex-visitor-mgmt",
        client_secret=OTHER_SECRET,
        domains=["globex.example"],
    )
