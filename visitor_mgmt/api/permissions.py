"""Who may use the JSON API: members of an account read, its admins write."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from visitor_mgmt.permissions import account_of, is_account_admin


class IsAccountMember(BasePermission):
    """Signed in and linked to an account; sets ``request.account`` for the view."""

    message = "Your user is not linked to an account."

    def has_permission(self, request, view):
        account = account_of(request.user) if request.user.is_authenticated else None
        if account is None:
            return False
        request.account = account
        return True


class IsAccountAdminOrReadOnly(IsAccountMember):
    """Members may read; only the account's admins may write."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS or is_account_admin(request.user):
            return True
        self.message = "Only account admins can change hosts."
        return False
