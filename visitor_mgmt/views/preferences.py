from django.shortcuts import render
from django.views.decorators.cache import never_cache

from visitor_mgmt.permissions import account_admin_required
from visitor_mgmt.preferences import preferences_sections


# never_cache: sections may show a secret exactly once (e.g. a new token); no copy may
# stay in a browser or proxy cache.
@never_cache
@account_admin_required
def preferences(request):
    sections = [
        {"section": section, "context": section.get_context(request, request.account)}
        for section in preferences_sections()
    ]
    return render(request, "preferences/index.html", {"sections": sections})
