from django.urls import path

from visitor_mgmt.views import people

app_name = "people"
urlpatterns = [
    path("", people.people_page, name="list"),
    path("invite/", people.person_invite, name="invite"),
    path("<int:membership_id>/", people.person_detail, name="detail"),
    path("<int:membership_id>/role/", people.person_role, name="role"),
    path("<int:membership_id>/deactivate/", people.person_deactivate, name="deactivate"),
    path("<int:membership_id>/reactivate/", people.person_reactivate, name="reactivate"),
    path("<int:membership_id>/resend/", people.person_resend, name="resend"),
]
