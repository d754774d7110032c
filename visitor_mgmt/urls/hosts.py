from django.urls import path

from visitor_mgmt.views import hosts

app_name = "hosts"
urlpatterns = [
    path("", hosts.host_list, name="list"),
    path("new/", hosts.host_create, name="create"),
    path("import/", hosts.host_import, name="import"),
    path("import/template.csv", hosts.host_import_template, name="import_template"),
    path("<uuid:public_id>/", hosts.host_detail, name="detail"),
    path("<uuid:public_id>/edit/", hosts.host_edit, name="edit"),
    path("<uuid:public_id>/deactivate/", hosts.host_deactivate, name="deactivate"),
    path("<uuid:public_id>/reactivate/", hosts.host_reactivate, name="reactivate"),
    path("<uuid:public_id>/delete/", hosts.host_delete, name="delete"),
]
