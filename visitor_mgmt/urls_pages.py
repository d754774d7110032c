from django.contrib.auth import views as auth_views
from django.urls import include, path

from visitor_mgmt.views import common, general, preferences

urlpatterns = [
    path("", common.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    # Django's LogoutView accepts POST only: a link or an image cannot log anybody out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("preferences/time-zone/", general.time_zone_update, name="time_zone_update"),
    path("preferences/time-zone/detect/", general.time_zone_detect, name="time_zone_detect"),
    path("hosts/", include("visitor_mgmt.urls_hosts")),
    path("groups/", include("visitor_mgmt.urls_groups")),
]
