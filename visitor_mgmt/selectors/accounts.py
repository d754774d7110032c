"""Reads of accounts."""

from visitor_mgmt.models import Account


def account_get_by_slug(*, slug):
    """The account with ``slug``, or None."""
    return Account.objects.filter(slug=slug).first()
