"""The one fixed-window counter (visitor_mgmt/ratelimit.py) the kiosk search and SCIM share."""

import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from tests.factories import AccountFactory
from visitor_mgmt.kiosk.services import kiosk_device_create, search_rate_limited
from visitor_mgmt.ratelimit import count_hit

# Nothing listens there: every cache operation fails.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_each_hit_of_a_window_counts_once_and_windows_are_apart():
    key = f"test-window-{uuid.uuid4().hex}"
    assert [count_hit(key, timeout=60) for _ in range(3)] == [1, 2, 3]
    assert count_hit(key + "-other", timeout=60) == 1


def test_a_window_ends_with_its_time_to_live():
    cache = caches["default"]
    key = f"test-window-{uuid.uuid4().hex}"
    assert count_hit(key, timeout=60, cache=cache) == 1
    cache.delete(key)  # what the expiry does
    assert count_hit(key, timeout=60, cache=cache) == 1


def test_a_broken_cache_counts_nothing_and_says_so(caplog):
    broken = RedisCache(DEAD_REDIS, {})
    assert count_hit("any", timeout=1, cache=broken, label="Test limit") is None
    assert "Test limit: the cache is unavailable" in caplog.text


@pytest.mark.django_db
def test_the_kiosk_search_is_let_through_when_the_cache_fails(settings, caplog):
    settings.KIOSK_SEARCH_RATE_LIMIT = 2
    device, _key = kiosk_device_create(account=AccountFactory(), name="Lobby")
    assert [search_rate_limited(device=device) for _ in range(3)] == [False, False, True]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }
    assert [search_rate_limited(device=device) for _ in range(3)] == [False, False, False]
    assert "Kiosk search: the cache is unavailable" in caplog.text
