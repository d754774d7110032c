"""Who may do what, checked on the server for every request."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from visitor_mgmt.time_zones import account_time_zone


def account_of(user):
    """The account the signed-in user works in, or None (e.g. a superuser with no account)."""
    membership = getattr(user, "membership", None)
    return membership.account if membership else None


def is_account_admin(user):
    membership = getattr(user, "membership", None)
    return bool(membership and membership.is_admin)


def account_member_required(view):
    """Signed in and linked to an account; sets request.account."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        account = account_of(request.user)
        if account is None:
            raise PermissionDenied("Your user is not linked to an account.")
        request.account = account
        with account_time_zone(account):
            return view(request, *args, **kwargs)

    return wrapper


def account_admin_required(view):
    """Like account_member_required, and the user must be an admin of that account."""

    @account_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_account_admin(request.user):
            raise PermissionDenied("Only account admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper
