"""Per-account SCIM rate limit, counted in Django's cache (Redis in production).

``SCIM_RATE_LIMIT`` is the sustained rate in requests per second per account (0 turns the
limit off); ``SCIM_RATE_BURST`` is how many requests may arrive at once without a refusal.
Counting is a fixed window per account: the window is the smallest whole number of seconds
whose budget (rate × seconds) covers the burst, so

- defaults (200/s, burst 100): a 1 s window of 200 requests. Entra's documented pace
  (25–50 requests per second per tenant) and a burst of 100 parallel requests both fit with
  room to spare, so Entra is never slowed down; a runaway client is;
- ``SCIM_RATE_LIMIT=20``: a 5 s window of 100 requests, i.e. 20/s on average and still
  a burst of 100.

Each window has its own key (``scim-rate:<account>:<window>:<slot>``) that expires on its
own, so a counter can never outlive its window. The counting is the core's
(``visitor_mgmt.ratelimit.count_hit``, shared with the kiosk search): one ``incr`` a request,
atomic in Redis and in the local-memory cache alike. This module is SCIM's policy and glue.
Over the budget: 429 with ``Retry-After`` (seconds until the window ends). If the cache
itself fails, requests are let through: the limit protects the service, it must not take it
down.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings

from scim_hosts.access.tokens import note_outcome
from scim_hosts.protocol.errors import TooManyRequests
from scim_hosts.protocol.responses import response_for_scim_exception
from scim_hosts.provisioning_log import record_repeated_failure
from visitor_mgmt.ratelimit import count_hit

DEFAULT_RATE = 200
DEFAULT_BURST = 100
clock = time.time  # the wall clock; tests pin it to land requests in one window


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int = 0
    budget: int = 0
    retry_after: int = 0  # seconds; set when refused

    @property
    def first_refusal(self):
        """The first refused request of a window (the provisioning log records only it)."""
        return not self.allowed and self.count == self.budget + 1


ALLOWED = Decision(allowed=True)


def limits():
    """(window seconds, budget per window), or None when the limit is off."""
    rate = int(getattr(settings, "SCIM_RATE_LIMIT", DEFAULT_RATE) or 0)
    if rate <= 0:
        return None
    burst = max(0, int(getattr(settings, "SCIM_RATE_BURST", DEFAULT_BURST) or 0))
    window = max(1, math.ceil(burst / rate))
    return window, rate * window


def hit(account_id, *, cache=None, now=None):
    """Count one request of ``account_id``; the Decision says whether it may proceed."""
    configured = limits()
    if configured is None:
        return ALLOWED
    window, budget = configured
    now = clock() if now is None else now
    slot = int(now // window)
    key = f"scim-rate:{account_id}:{window}:{slot}"
    count = count_hit(key, timeout=window + 2, cache=cache, label="SCIM rate limit")
    if count is None:  # the cache failed: let it through
        return ALLOWED
    if count <= budget:
        return Decision(allowed=True, count=count, budget=budget)
    retry_after = max(1, math.ceil((slot + 1) * window - now))
    return Decision(allowed=False, count=count, budget=budget, retry_after=retry_after)


def refusal_detail(decision):
    window, budget = limits() or (1, decision.budget)
    per = "second" if window == 1 else f"{window} seconds"
    return (
        f"Too many requests: this account may send {budget} SCIM requests per {per}. "
        f"Retry after {decision.retry_after} s."
    )


def throttle(request, resource_type=""):
    """None, or the 429 SCIM error for a request of ``request.scim_account`` over its rate.

    Refusals are logged as one row a minute (``record_repeated_failure``) with their count:
    a client hammering the service must not turn every refused request into a new row.
    """
    decision = hit(request.scim_account.pk)
    if decision.allowed:
        return None
    detail = refusal_detail(decision)
    record_repeated_failure(
        account=request.scim_account,
        kind="rate-limited",
        method=request.method,
        resource_type=resource_type,
        action="rate-limited",
        status=429,
        reason=detail,
        token_hint=request.scim_token.used_hint,
    )
    note_outcome(request.scim_token, failed=True)
    return response_for_scim_exception(
        TooManyRequests(detail, headers={"Retry-After": str(decision.retry_after)})
    )
