import json
import os
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection

from tests.browser_support import pytest_terminal_summary, screenshot_folder  # noqa: F401
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

    if UNDER_MUTMUT:
        _leave_out_of_mutation_run(config, items)
        _killers_first_then_quickest(items)
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# mutmut (`make mutation`) names the mutant under test here, in its own process and in the
# workers it forks; a plain pytest run never sets it.
UNDER_MUTMUT = "MUTANT_UNDER_TEST" in os.environ

# Tests that take seconds each and that mutmut would rerun for every surviving mutant of
# every function they reach: the scim2-tester conformance run (a third party's whole suite),
# the Hypothesis fuzzers (random inputs: a kill that depends on luck is no measurement), two
# long Entra scenarios, and the paging and big-group tests that create hundreds of rows
# (paging and membership are not protocol code). They run in every normal test run; the
# mutation run leaves them out (by name, so that moving test files does not change it).
SLOW_FOR_MUTATION = {
    "test_scim2_tester_finds_nothing_but_the_excused",
    "test_random_user_patches_never_5xx",
    "test_random_group_patches_never_5xx",
    "test_random_attribute_selections_are_200",
    "test_random_bodies_never_5xx",
    "test_random_user_posts_never_5xx",
    "test_random_filters_are_200_or_400",
    "test_initial_sync_links_every_existing_host_and_duplicates_none",
    "test_15_sustained_entra_rate_no_429_or_5xx",
    "test_count_is_capped_at_1000",
    "test_default_count_is_100_and_max_is_1000",
    "test_default_page_is_100",
    "test_paging_params",
    "test_many_members_in_one_op",
    "test_150_members_in_one_operation",
    "test_import_pages_by_one_hundred_in_a_stable_order",
}


def _leave_out_of_mutation_run(config, items):
    slow = [item for item in items if item.originalname in SLOW_FOR_MUTATION]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.originalname not in SLOW_FOR_MUTATION]


# mutmut's timings of each test in the unmutated run (the call alone), keyed by node id.
_MUTATION_TEST_DURATIONS = {}
# Per mutated function, the tests that killed its earlier mutants (one node id a line).
KILLERS = Path("mutmut-killers")


def _mutated_function():
    """ "pkg.mod.x_func" while mutmut's worker tests "pkg.mod.x_func__mutmut_7", else None
    (its stats and clean runs name no mutant)."""
    return os.environ.get("MUTANT_UNDER_TEST", "").rpartition("__mutmut_")[0] or None


def _killers_first_then_quickest(items):
    """Run a mutant's tests in the order most likely to fail soonest.

    mutmut stops a mutant's run at the first failing test (-x) but hands pytest the tests
    that reach the mutated function as a set, in no useful order: a mutant one unit test
    kills in a millisecond often ran hundreds of HTTP tests first. So: first the tests
    that killed earlier mutants of the same function (mutmut checks a function's mutants
    one after another, and they are alike), then the quickest first, as mutmut 2 did and
    mutation tools such as PIT do. The timings are read once, from the stats file mutmut
    writes before it forks its workers; the current directory is its mutants/.
    """
    if not _MUTATION_TEST_DURATIONS:
        try:
            stats = json.loads(Path("mutmut-stats.json").read_text())
            _MUTATION_TEST_DURATIONS.update(stats["duration_by_test"])
        except (OSError, ValueError, KeyError):
            return
    function = _mutated_function()
    killers = []
    if function is not None and (KILLERS / function).exists():
        # Latest first: the last kill is the likeliest for the next, similar mutant.
        killers = list(dict.fromkeys(reversed((KILLERS / function).read_text().splitlines())))
    rank = {nodeid: position for position, nodeid in enumerate(killers)}
    items.sort(
        key=lambda item: (
            rank.get(item.nodeid, len(rank)),
            _MUTATION_TEST_DURATIONS.get(item.nodeid, float("inf")),
        )
    )


if UNDER_MUTMUT:

    def pytest_runtest_logreport(report):
        """Note the test that killed this mutant, for the next of its function."""
        function = _mutated_function()
        if report.failed and function is not None:
            KILLERS.mkdir(exist_ok=True)
            with open(KILLERS / function, "a") as killers:
                killers.write(report.nodeid + "\n")

    @pytest.fixture(scope="session")
    def django_db_setup(request, django_test_environment, django_db_blocker):
        """One migrated in-memory SQLite database for the whole mutation run.

        mutmut runs pytest several times in its main process (stats, clean run), then forks
        a worker per mutant that runs pytest once more. Migrating a fresh database each time
        costs seconds per mutant; instead the first session migrates it and none tears it
        down (Django ignores closing an in-memory SQLite connection), so every forked worker
        starts with its own copy of it in memory, as Django's parallel test runner does.
        """
        from django.test.utils import setup_databases

        if connection.vendor != "sqlite":
            raise pytest.UsageError("the mutation run is on SQLite: unset DATABASE_URL")
        if not _MUTATION_DATABASE["ready"]:
            with django_db_blocker.unblock():
                setup_databases(verbosity=0, interactive=False, aliases={"default"})
            _MUTATION_DATABASE["ready"] = True
        yield

    _MUTATION_DATABASE = {"ready": False}


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
