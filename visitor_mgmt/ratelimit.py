"""Fixed-window counting in Django's cache (Redis in production): the one rate-limit counter
of the product, used by the kiosk's host search and by the SCIM connector.

A window is a cache key that the first hit creates with a time to live; each hit adds one
(``incr``, atomic in Redis and in the local-memory cache alike, so parallel requests and
several workers share one count). The caller decides the key (who is counted, and which
window), the time to live and what to do over the limit.

Why not django-ratelimit: it decorates views and keys on request attributes, while SCIM
counts per account after its own authentication, answers 429 with a ``Retry-After`` that
says when the window ends, and must let requests through when the cache fails; the counter
is a few lines, the policy around it is each caller's.
"""

import logging

from django.core.cache import cache as default_cache

logger = logging.getLogger(__name__)


def count_hit(key, *, timeout, cache=None, label="Rate limit"):
    """Count one hit in the window ``key``; the window's count so far, or None when the cache
    failed. None means "let it through": a limit protects the service, it must not take it
    down when the cache does. ``timeout``: seconds the window lives after its first hit."""
    cache = cache or default_cache
    try:
        try:
            return cache.incr(key)
        except ValueError:  # the window's first hit
            if cache.add(key, 1, timeout=timeout):
                return 1
            return cache.incr(key)  # another request opened it meanwhile
    except Exception:  # noqa: BLE001 - a cache outage must not become an outage
        logger.warning("%s: the cache is unavailable; request not counted.", label)
        return None


def within_limit(*, key, limit, window_seconds):
    """Count one attempt under ``key``: True while its window has seen at most ``limit``
    (or when the cache failed). For actions that send e-mail on request (invitations,
    password resets); the window starts at the first attempt."""
    count = count_hit(f"throttle:{key}", timeout=window_seconds, label="E-mail limit")
    return count is None or count <= limit
