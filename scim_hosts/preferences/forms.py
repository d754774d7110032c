"""Forms of the "SCIM Host Provisioning" preferences pages."""

from django import forms

from scim_hosts.models import ProvisioningEvent
from scim_hosts.preferences import services


class RotateTokenForm(forms.Form):
    grace = forms.ChoiceField(
        label="The current token",
        choices=[
            ("0", "Stops working now"),
            ("1h", "Keeps working for 1 hour"),
            ("24h", "Keeps working for 24 hours"),
        ],
        initial="0",
        required=False,  # no choice: the safe default, the old token stops now
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grace"].help_text = (
            "Keeping it working for a while lets you paste the new token into "
            f"{provider.name} without a failed sync cycle."
        )


class LogFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", "Any outcome"), *ProvisioningEvent.Outcome.choices],
    )
    resource_type = forms.ChoiceField(
        required=False,
        label="Resource type",
        choices=[("", "Any resource"), *services.RESOURCE_TYPE_CHOICES],
    )
