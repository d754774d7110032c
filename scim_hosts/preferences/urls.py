"""Pages and actions of the "SCIM Host Provisioning" preferences (mounted at /preferences/scim/)."""

from django.urls import path

from scim_hosts.preferences import views

app_name = "scim_prefs"
urlpatterns = [
    path("token/generate/", views.token_generate, name="token-generate"),
    path("token/rotate/", views.token_rotate, name="token-rotate"),
    path("token/end-grace/", views.end_grace, name="end-grace"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("alerts/", views.set_alerts, name="set-alerts"),
    path("enabled/", views.set_enabled, name="set-enabled"),
    path("log/", views.log, name="log"),
    path("mappings/", views.mappings, name="mappings"),
    path("provider/", views.set_provider, name="set-provider"),
]
