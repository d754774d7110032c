def current_account(request):
    """The signed-in user's account and role, for the header and the gear menu."""
    user = getattr(request, "user", None)
    membership = getattr(user, "membership", None) if user and user.is_authenticated else None
    return {
        "current_account": membership.account if membership else None,
        "is_account_admin": bool(membership and membership.is_admin),
    }
