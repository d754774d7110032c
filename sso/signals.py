"""Keeps track of who is signed in where, so deactivating a user ends their sessions."""

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models.signals import post_save

from sso import services

SSO_BACKEND = "sso.backends.SsoBackend"


def _logged_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        services.session_opened(
            user=user,
            session_key=session.session_key,
            via_sso=session.get(BACKEND_SESSION_KEY) == SSO_BACKEND,
        )


def _logged_out(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        services.session_closed(session_key=session.session_key)


def _user_saved(sender, instance, created, **kwargs):
    # Deactivated (from the admin, a service or the shell): their sessions end now, not
    # when each next request happens to be refused.
    if not created and not instance.is_active:
        transaction.on_commit(
            lambda: services.end_user_sessions(user=instance, reason="user deactivated")
        )


def connect():
    user_logged_in.connect(_logged_in, dispatch_uid="sso-session-opened")
    user_logged_out.connect(_logged_out, dispatch_uid="sso-session-closed")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="sso-user-deactivated")
