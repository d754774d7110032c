import re

from django import forms
from django.contrib.auth import get_user_model

from visitor_mgmt.models import Membership


class SsoStartForm(forms.Form):
    email = forms.EmailField(
        label="Work e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ProviderForm(forms.Form):
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=500,
        assume_scheme="https",
        help_text="The provider's address; its /.well-known/openid-configuration is read "
        "from there. Entra ID: https://login.microsoftonline.com/<tenant ID>/v2.0",
    )
    client_id = forms.CharField(
        label="Client ID", max_length=255, help_text="Entra ID: Application (client) ID."
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=2000,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the saved one.",
    )
    domains = forms.CharField(
        label="E-mail domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: people whose work e-mail ends with one of these sign in "
        "through this provider. Only list domains your company owns.",
    )
    enabled = forms.BooleanField(label="Single sign-on is on", required=False, initial=True)

    def clean_domains(self):
        return [d for d in re.split(r"[\s,;]+", self.cleaned_data["domains"]) if d]


class PolicyForm(forms.Form):
    create_staff_on_first_sign_in = forms.BooleanField(
        label="Create staff users on first sign-in",
        required=False,
        help_text="People of the listed domains come in as staff without an invitation. "
        "Otherwise only existing users can sign in.",
    )
    require_sso = forms.BooleanField(
        label="Require single sign-on",
        required=False,
        help_text="Password sign-in is refused for everybody in this account except the "
        "break-glass admins below.",
    )
    break_glass_admins = forms.ModelMultipleChoiceField(
        label="Break-glass admins",
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They can always sign in with their password, e.g. when the provider is down.",
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["break_glass_admins"].queryset = (
            get_user_model()
            .objects.filter(
                membership__account=account,
                membership__role=Membership.Role.ADMIN,
                is_active=True,
            )
            .order_by("username")
        )
        self.fields["break_glass_admins"].label_from_instance = lambda u: u.get_username()
