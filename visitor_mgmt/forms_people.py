"""Forms of the People page: they check the shape of input only; the rules live in
visitor_mgmt/services/people.py."""

from django import forms

from visitor_mgmt.models import Membership

ROLE_HELP = "Admins manage people, hosts and Preferences; staff see hosts and visits."


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="E-mail", max_length=150, error_messages={"invalid": "Enter a valid e-mail address."}
    )
    role = forms.ChoiceField(
        label="Role", choices=Membership.Role.choices, initial=Membership.Role.STAFF
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["role"].help_text = ROLE_HELP


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)
