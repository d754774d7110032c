from django.urls import path

from visitor_mgmt.api import views

app_name = "api"
urlpatterns = [
    path("hosts/", views.HostListApi.as_view(), name="host-list"),
    path("hosts/<uuid:public_id>/", views.HostDetailApi.as_view(), name="host-detail"),
    path("host-groups/", views.HostGroupListApi.as_view(), name="hostgroup-list"),
]
