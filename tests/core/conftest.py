import pytest

from tests.factories import DirectoryHostFactory, HostFactory, HostGroupFactory
from visitor_mgmt.models import Source


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing with PBKDF2 dominates these tests' runtime; the hasher is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def host(account):
    return HostFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        display_name="Jane Doe",
        email="jane.doe@acme.example",
        department="Finance",
    )


@pytest.fixture
def directory_host(account):
    return DirectoryHostFactory(
        account=account,
        first_name="Dora",
        last_name="Directory",
        display_name="Dora Directory",
        email="dora@acme.example",
        username="dora@acme.example",
    )


@pytest.fixture
def other_host(other_account):
    return HostFactory(account=other_account, email="someone@globex.example")


@pytest.fixture
def group(account):
    return HostGroupFactory(account=account, name="Reception")


@pytest.fixture
def directory_group(account):
    return HostGroupFactory(account=account, name="Entra Team", source=Source.DIRECTORY)


@pytest.fixture
def other_group(other_account):
    return HostGroupFactory(account=other_account, name="Globex Reception")
