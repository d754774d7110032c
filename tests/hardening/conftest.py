"""Fixtures for the hardening tests: the SCIM ``api`` client of tests/scim, cache isolation."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from tests.hardening.helpers import app_env
from tests.scim.conftest import api, other_api, other_token, token  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; no test may inherit another's. (Tests that
    count in Redis use a key prefix of their own; its keys expire within seconds.)"""
    caches["default"].clear()
    yield
    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        cache.clear()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected as in production (manifest and compressed copies), for tests
    that run the app with DEBUG off in a subprocess."""
    root = tmp_path_factory.mktemp("static")
    env = app_env(DEBUG="false", SECRET_KEY="k" * 60, STATIC_ROOT=root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        timeout=120,
    )
    return root
