from django.urls import path

from visitor_mgmt.views import home

app_name = "home"
urlpatterns = [
    path("visits/<int:visit_id>/sign-out/", home.visit_sign_out, name="visit_sign_out"),
    path("visits/<int:visit_id>/retry/", home.notification_retry, name="notification_retry"),
    path("notifications/retry/", home.notifications_retry_all, name="notifications_retry_all"),
    path("test-visit/", home.trial_visit, name="trial_visit"),
]
