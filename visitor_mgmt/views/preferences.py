from django.shortcuts import render

from visitor_mgmt.permissions import account_admin_required
from visitor_mgmt.preferences import preferences_sections


@account_admin_required
def preferences(request):
    sections = [
        {"section": section, "context": section.get_context(request, request.account)}
        for section in preferences_sections()
    ]
    return render(request, "preferences/index.html", {"sections": sections})
