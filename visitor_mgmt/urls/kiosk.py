from django.urls import path

from visitor_mgmt.kiosk import api, preferences_views, views
from visitor_mgmt.views import visits

app_name = "kiosk"

kiosk = "kiosk/<slug:account_slug>/"

urlpatterns = [
    # Visitor-facing pages (need an enabled kiosk device of the account).
    path(kiosk, views.start, name="start"),
    path(kiosk + "host/", views.choose, name="choose"),
    path(kiosk + "sign-in/", views.sign_in, name="sign_in"),
    path(kiosk + "welcome/", views.welcome, name="welcome"),
    path(kiosk + "sign-out/", views.sign_out, name="sign_out"),
    path(kiosk + "activate/", views.activate, name="activate"),
    path(kiosk + "api/hosts/", api.KioskHostSearchView.as_view(), name="api_hosts"),
    # Preferences → Kiosk (account admins).
    path("preferences/kiosk/settings/", preferences_views.settings_update, name="settings"),
    path("preferences/kiosk/devices/", preferences_views.device_create, name="device_create"),
    path(
        "preferences/kiosk/devices/<int:device_id>/revoke/",
        preferences_views.device_revoke,
        name="device_revoke",
    ),
    # Visits (account members).
    path("visits/", visits.visit_list, name="visits"),
    path("visits/export.csv", visits.visit_export, name="visits_export"),
    path("visits/<int:visit_id>/sign-out/", visits.visit_sign_out_view, name="visit_sign_out"),
]
