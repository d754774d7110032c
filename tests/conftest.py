import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection

from tests.factories import AccountFactory, HostFactory, MembershipFactory
from visitor_mgmt.models import Membership

PASSWORD = "correct-horse-battery"


def pytest_report_header(config):
    """Which database and driver this run uses (CI runs PostgreSQL with both drivers)."""
    from django.conf import settings

    return f"database: {connection.vendor} through {settings.DB_DRIVER}"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL; on SQLite they are skipped with a reason."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _scim_rate_limit_off(settings):
    """Tests send SCIM requests back to back, far faster than Entra does. The rate limit
    has its own tests (tests/hardening/test_limits.py), which turn it on."""
    settings.SCIM_RATE_LIMIT = 0


@pytest.fixture(autouse=True)
def _empty_local_cache():
    """Django's local-memory cache outlives each test's rolled-back database. The
    provisioning log keeps the id of this minute's aggregated refusal there, keyed by
    account id; SQLite hands the same ids out again after a rollback, so a later test's
    refusal was counted onto a stranger's row instead of being logged. Only the in-process
    cache is emptied: a Redis one may be shared with other runs (its tests use a prefix)."""
    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing with PBKDF2 dominates the runtime of tests that create users; the hasher is
    not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def account(db):
    return AccountFactory(name="Acme", slug="acme")


@pytest.fixture
def other_account(db):
    return AccountFactory(name="Globex", slug="globex")


@pytest.fixture
def admin_user(account):
    return MembershipFactory(account=account, role=Membership.Role.ADMIN).user


@pytest.fixture
def staff_user(account):
    return MembershipFactory(account=account, role=Membership.Role.STAFF).user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def host(account):
    return HostFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        display_name="Jane Doe",
        email="jane.doe@acme.example",
        alternate_email="jane.private@acme.example",
        mobile="+15550001111",
        alternate_mobile="+15550002222",
        department="Finance",
    )
