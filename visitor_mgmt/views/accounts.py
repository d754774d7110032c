"""Signing in and out around Django's own views: the /login/ shortcut, a logout page for
GET, password reset by e-mail (throttled), and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.views.generic import RedirectView

from visitor_mgmt.client_address import client_address
from visitor_mgmt.ratelimit import within_limit
from visitor_mgmt.services import people as people_services

HOUR = 3600
# Reset e-mails asked for from one network, and sent to one address, per hour. Over the
# first the form says so; over the second nothing is sent and the page looks the same
# (it must not tell whether the address has a user).
RESETS_PER_ADDRESS_PER_HOUR = 10
RESETS_PER_EMAIL_PER_HOUR = 3

# People type /login/; the login page lives at LOGIN_URL (query string kept: ?next=…).
login_shortcut = RedirectView.as_view(url=reverse_lazy("login"), query_string=True, permanent=False)


class LogoutView(auth_views.LogoutView):
    """POST logs out (Django's view); GET, e.g. a typed or bookmarked URL, shows a page with
    a "Log out" button instead of a blank 405: a link alone never logs anybody out."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, "registration/logout_confirm.html", {})


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if not within_limit(
            key=f"reset-ip:{client_address(self.request)}",
            limit=RESETS_PER_ADDRESS_PER_HOUR,
            window_seconds=HOUR,
        ):
            form.add_error(
                None, "Too many password resets were asked for from your network. Try again later."
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        email = form.cleaned_data["email"].strip().lower()
        if not within_limit(
            key=f"reset-email:{email}", limit=RESETS_PER_EMAIL_PER_HOUR, window_seconds=HOUR
        ):
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        people_services.password_reset_record(user=self.user)
        return response


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation's link: set a password once (Django's reset flow, our token)."""

    template_name = "people/invitation_accept.html"
    token_generator = people_services.invitation_token_generator

    def form_valid(self, form):
        people_services.invitation_accept(
            user=self.user, password=form.cleaned_data["new_password1"]
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request, "Your password is set. Log in with your e-mail and new password."
        )
        return redirect("login")
