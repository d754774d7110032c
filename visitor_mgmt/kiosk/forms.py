from django import forms

from visitor_mgmt.models import Visit

# Kiosks are shared: the browser must never offer one visitor's entries to the next.
NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"}


def _squash(value):
    return " ".join((value or "").split())


def _visitor_name(value):
    """The visitor's name with runs of spaces squashed; only spaces is no name."""
    name = _squash(value)
    if not name:
        raise forms.ValidationError("Please enter your name.")
    return name


class VisitorForm(forms.Form):
    visitor_name = forms.CharField(
        label="Your name",
        max_length=Visit._meta.get_field("visitor_name").max_length,
        error_messages={"required": "Please enter your name."},
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )
    visitor_email = forms.EmailField(
        label="E-mail (optional)",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    visitor_company = forms.CharField(
        label="Company (optional)",
        required=False,
        max_length=Visit._meta.get_field("visitor_company").max_length,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )

    def clean_visitor_name(self):
        return _visitor_name(self.cleaned_data["visitor_name"])

    def clean_visitor_company(self):
        return _squash(self.cleaned_data["visitor_company"])


class SignOutForm(forms.Form):
    visitor_name = forms.CharField(
        label="Your name, as you signed in",
        max_length=200,
        error_messages={"required": "Please enter your name."},
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )

    # Asked only when several open visits today have the typed name: the visitor tells
    # which is theirs, instead of the kiosk listing the visits (and their hosts).
    visiting = forms.CharField(
        label="Whom are you visiting?",
        help_text="The name of the person or team you came to see, or “Reception”.",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )

    def clean_visitor_name(self):
        return _visitor_name(self.cleaned_data["visitor_name"])


class KioskSettingsForm(forms.Form):
    short_names = forms.BooleanField(
        label="Show hosts to visitors by first name and last initial (“Jane D.”)",
        help_text="Applies to hosts with a first and a last name. Hosts with only a "
        "display name, such as a shared “Front Desk”, keep their full name.",
        required=False,
    )
    fallback_email = forms.EmailField(
        label="Reception e-mail",
        required=False,
        help_text="Told when a visitor cannot find the person they are visiting. "
        "Leave empty to hide the “Let reception know” choice.",
    )


class DeviceForm(forms.Form):
    name = forms.CharField(
        label="Device name",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Front desk iPad"}),
    )


class ActivateForm(forms.Form):
    key = forms.CharField(
        label="Device key",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
