"""Fixed-window counters in Django's cache, for actions that send e-mail on request.

With several app servers the cache must be shared (Redis, CACHE_URL) for the limits to be
exact; the local-memory default limits each process on its own, which still bounds abuse.
"""

from django.core.cache import cache


def throttle_hit(*, key, limit, window_seconds):
    """Count one attempt under ``key``; True while the window has seen at most ``limit``."""
    cache_key = f"throttle:{key}"
    # add() is atomic: only the first attempt of a window creates the counter.
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr(): a new window begins
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit
