import pytest

from tests.factories import DirectoryHostFactory, HostFactory, HostGroupFactory
from visitor_mgmt.models import Source


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
