from django.urls import path

from visitor_mgmt.views import groups

app_name = "groups"
urlpatterns = [
    path("", groups.group_list, name="list"),
    path("new/", groups.group_create, name="create"),
    path("<uuid:public_id>/", groups.group_detail, name="detail"),
    path("<uuid:public_id>/edit/", groups.group_edit, name="edit"),
    path("<uuid:public_id>/delete/", groups.group_delete, name="delete"),
    path("<uuid:public_id>/members/add/", groups.group_member_add, name="member_add"),
    path("<uuid:public_id>/members/remove/", groups.group_member_remove, name="member_remove"),
]
