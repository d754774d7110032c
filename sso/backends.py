"""Authentication backends: password sign-in that respects "require single sign-on", and
the backend SSO sessions are recorded under."""

from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from sso import services
from sso.models import SsoEvent


class PasswordBackend(ModelBackend):
    """Django's e-mail + password sign-in, refused for the users of an account that requires
    single sign-on (its break-glass admins excepted).

    Checked only after the password matched, so the refusal tells nothing to somebody who
    does not know it. PermissionDenied stops Django from trying other backends.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        refusal = services.password_sign_in_refused(user)
        if refusal:
            services.record_event(
                account=user.membership.account,
                action=SsoEvent.Action.PASSWORD_REFUSED,
                email=user.get_username(),
                user=user,
                reason=refusal + " The user is not a break-glass admin.",
            )
            if request is not None and hasattr(request, "_messages"):
                messages.error(
                    request,
                    f"{refusal} Use “Sign in with single sign-on” with your work e-mail.",
                )
            raise PermissionDenied(refusal)
        return user


class SsoBackend(ModelBackend):
    """Never authenticates by itself: the SSO callback signs the user in with
    ``login(..., backend=...)`` after the provider vouched for them. Sessions made that way
    are served (and refused once the user is inactive) by ModelBackend's get_user."""

    def authenticate(self, request, **kwargs):
        return None
