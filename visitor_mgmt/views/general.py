"""The General section of Preferences: the account's time zone (admins only)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from visitor_mgmt.permissions import account_admin_required
from visitor_mgmt.preferences import PreferencesSection
from visitor_mgmt.time_zones import (
    account_time_zone_propose,
    account_time_zone_set,
    time_zone_names,
)


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Every date and time in this account is shown in this zone, with its name.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]


def general_section_context(request, account):
    return {"time_zone_form": TimeZoneForm(initial={"time_zone": account.time_zone or "UTC"})}


GENERAL_SECTION = PreferencesSection(
    key="general",
    title="General",
    template="preferences/general.html",
    get_context=general_section_context,
    order=0,
)


@require_POST
@account_admin_required
def time_zone_update(request):
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        account_time_zone_set(account=request.account, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, f"Times are now shown in {request.account.time_zone}.")
    else:
        messages.error(request, "Choose a time zone from the list, e.g. Europe/London.")
    return redirect("/preferences/#general")


@require_POST
@account_admin_required
def time_zone_detect(request):
    """The browser's zone, posted once by static/js/app.js while the account has none."""
    try:
        proposed = account_time_zone_propose(
            account=request.account, time_zone=request.POST.get("time_zone", "")[:64]
        )
    except ValidationError:
        return JsonResponse({"detail": "Unknown time zone."}, status=400)
    return JsonResponse({"time_zone": request.account.time_zone, "set": proposed})
