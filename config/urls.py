from django.contrib import admin
from django.urls import include, path

from visitor_mgmt import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("visitor_mgmt.api.urls")),
    # The directory connector is wired here by name only; the core never imports it.
    path("scim/v2/", include("scim_hosts.urls")),
    path("preferences/scim/", include("scim_hosts.preferences.urls")),
    # Single sign-on, wired by name only too.
    path("sso/", include("sso.urls")),
    path("preferences/sso/", include("sso.preferences_urls")),
    path("", include("visitor_mgmt.urls.kiosk")),
    path("", include("visitor_mgmt.urls.pages")),
]
