"""The client's address, for login throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

Hand-written rather than django-ipware: the rule needed is one line of configuration
("N proxies in front"), and ipware's proxy counting expects the proxies' own addresses in
X-Forwarded-For (nginx does not add its own), answering None otherwise.
"""

from django.conf import settings


def client_address(request):
    """The peer's address; with TRUSTED_PROXY_COUNT proxies in front, the address the
    outermost proxy saw (each proxy appends the address it received the request from, so
    it is the N-th entry from the right; entries left of it are the client's to forge)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-count] if len(forwarded) >= count else remote
