"""Signing in and out, password reset by e-mail and invitations: Django's names (login,
logout, password_reset, ...) without a namespace, as Django's own templates expect."""

from django.contrib.auth import views as auth_views
from django.urls import path

from visitor_mgmt.views import accounts

urlpatterns = [
    path("login/", accounts.login_shortcut),
    path("logout/", accounts.LogoutView.as_view()),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    # Django's LogoutView logs out on POST only: a link or an image cannot log anybody out.
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        accounts.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
]
