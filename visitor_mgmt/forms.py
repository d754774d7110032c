"""Page forms: they check the shape of input only; the rules live in services."""

from django import forms

from visitor_mgmt import host_values
from visitor_mgmt.models import HOST_FIELD_LABELS, HostGroup, Source
from visitor_mgmt.services.hosts import PERSON_FIELDS
from visitor_mgmt.services.text import normalise_email, normalise_text

# The host fields people edit on the host form, in display order.
HOST_FORM_FIELDS = PERSON_FIELDS


def _max_length(model, name):
    return model._meta.get_field(name).max_length


class NormalisedCharField(forms.CharField):
    """Text in the normal form hosts are stored and matched in (services/text.py), before
    any validation: a pasted zero-width space is removed, not an error."""

    def to_python(self, value):
        return normalise_text(super().to_python(value))


class NormalisedEmailField(forms.EmailField):
    default_validators = [host_values.validate_email]  # the rule every host writer applies

    def to_python(self, value):
        return normalise_email(super().to_python(value))


PHONE_ERROR = "Enter a phone number: digits with an optional leading +, e.g. +44 20 7946 0958."


def validate_phone_number(value):
    """Refuse text that cannot be a phone number ("abc"); an empty value is fine."""
    if value and not host_values.is_valid_phone(value):
        raise forms.ValidationError(PHONE_ERROR, code="invalid_phone")


class HostForm(forms.Form):
    """Create or edit a host by hand. A plain form (not a ModelForm) so that validating
    never touches the host itself: ``host_update`` decides what changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in HOST_FORM_FIELDS:
            field_class = NormalisedEmailField if name.endswith("email") else NormalisedCharField
            self.fields[name] = field_class(
                label=HOST_FIELD_LABELS[name],
                max_length=host_values.max_length(name),
                required=False,
            )
        self.fields["email"].help_text = "Visitors' arrivals are sent here."
        self.fields["mobile"].help_text = "Used for SMS notifications."
        for name in host_values.PHONE_FIELDS:
            self.fields[name].validators.append(validate_phone_number)
            self.fields[name].widget.input_type = "tel"

    @staticmethod
    def initial_for(host):
        return {name: getattr(host, name) for name in HOST_FORM_FIELDS}


ACTIVE_CHOICES = [("", "Active and inactive"), ("active", "Active"), ("inactive", "Inactive")]


class HostFilterForm(forms.Form):
    """The search box and filters above the host list (GET)."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    active = forms.ChoiceField(label="Status", choices=ACTIVE_CHOICES, required=False)
    source = forms.ChoiceField(
        label="Source", choices=[("", "All sources"), *Source.choices], required=False
    )

    def filters(self):
        """Keyword arguments for ``selectors.host_list``; bad values mean "no filter"."""
        if not self.is_valid():
            return {"search": "", "active": None, "source": None}
        active = self.cleaned_data["active"]
        return {
            "search": self.cleaned_data["q"],
            "active": {"active": True, "inactive": False}.get(active),
            "source": self.cleaned_data["source"] or None,
        }


class HostGroupForm(forms.Form):
    name = forms.CharField(label="Name", max_length=_max_length(HostGroup, "name"))


class MemberSearchForm(forms.Form):
    q = forms.CharField(label="Find hosts to add", required=False, max_length=200)


class HostImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with a header row, like the template.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    @classmethod
    def refused(cls, message):
        """The form with ``message`` as the file's only error: the upload was refused
        before it was read (see visitor_mgmt/uploads.py)."""
        form = cls(data={}, files={})
        form.full_clean()
        form.errors["file"] = form.error_class([message], renderer=form.renderer)
        return form


class VisitFilterForm(forms.Form):
    host = forms.CharField(label="Host or group", required=False, max_length=200)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    host_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("“From” must not be after “To”.")
        return cleaned
