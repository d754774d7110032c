"""Fixtures for the hardening tests: the SCIM ``api`` client of tests/scim, cache isolation."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

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
