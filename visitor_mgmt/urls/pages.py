from django.urls import include, path

from visitor_mgmt.views import general, home, preferences

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("visitor_mgmt.urls.accounts")),
    path("home/", include("visitor_mgmt.urls.home")),
    path("people/", include("visitor_mgmt.urls.people")),
    path("preferences/", preferences.preferences, name="preferences"),
    path("preferences/time-zone/", general.time_zone_update, name="time_zone_update"),
    path("preferences/time-zone/detect/", general.time_zone_detect, name="time_zone_detect"),
    path("hosts/", include("visitor_mgmt.urls.hosts")),
    path("groups/", include("visitor_mgmt.urls.groups")),
]
