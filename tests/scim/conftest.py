"""Fixtures of every SCIM test: accounts, their tokens and their identity providers' clients.

The accounts are named after the directories they play: Acme and Globex (the root
conftest's ``account`` and ``other_account``) for protocol tests, Contoso and Fabrikam for
Microsoft Entra ID, Initech and Umbrella for the other providers.
"""

import pytest

from tests.factories import AccountFactory, ScimTokenFactory
from tests.scim.providers.entra.payloads import DEFAULT, FLAGGED
from tests.scim.support import (
    CONTOSO_TOKEN,
    FABRIKAM_TOKEN,
    INITECH_TOKEN,
    OTHER_TOKEN,
    TOKEN,
    UMBRELLA_TOKEN,
    ScimClient,
)


@pytest.fixture
def token(account):
    return ScimTokenFactory(account=account, raw_token=TOKEN)


@pytest.fixture
def api(client, account, token):
    """Acme's SCIM client (bearer token)."""
    return ScimClient(client, TOKEN, account=account)


@pytest.fixture
def other_token(other_account):
    return ScimTokenFactory(account=other_account, raw_token=OTHER_TOKEN)


@pytest.fixture
def other_api(client, other_account, other_token):
    """Globex's SCIM client (another account)."""
    return ScimClient(client, OTHER_TOKEN, account=other_account)


@pytest.fixture
def contoso(db):
    return AccountFactory(name="Contoso", slug="contoso")


@pytest.fixture
def fabrikam(db):
    return AccountFactory(name="Fabrikam", slug="fabrikam")


@pytest.fixture
def contoso_token(contoso):
    return ScimTokenFactory(account=contoso, raw_token=CONTOSO_TOKEN)


@pytest.fixture
def fabrikam_token(fabrikam):
    return ScimTokenFactory(account=fabrikam, raw_token=FABRIKAM_TOKEN)


@pytest.fixture
def scim(client, contoso, contoso_token):
    """Contoso's Entra job, default mode, no flag in the Tenant URL."""
    return ScimClient(client, CONTOSO_TOKEN, account=contoso)


@pytest.fixture
def scim_b(client, fabrikam, fabrikam_token):
    """Fabrikam's Entra job (another account)."""
    return ScimClient(client, FABRIKAM_TOKEN, account=fabrikam)


@pytest.fixture(params=[DEFAULT, FLAGGED], ids=lambda m: m.name)
def mode(request):
    return request.param


@pytest.fixture
def entra(client, contoso, contoso_token, mode):
    """Contoso's Entra job in the parametrised mode (flag appended to every URL)."""
    scim_client = ScimClient(client, CONTOSO_TOKEN, account=contoso, flag=mode.flag)
    scim_client.mode = mode
    return scim_client


@pytest.fixture
def initech(db):
    return AccountFactory(name="Initech", slug="initech")


@pytest.fixture
def initech_token(initech):
    return ScimTokenFactory(account=initech, raw_token=INITECH_TOKEN)


@pytest.fixture
def umbrella(db):
    return AccountFactory(name="Umbrella", slug="umbrella")


@pytest.fixture
def umbrella_token(umbrella):
    return ScimTokenFactory(account=umbrella, raw_token=UMBRELLA_TOKEN)
