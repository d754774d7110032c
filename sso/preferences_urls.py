from django.urls import path

from sso import preferences_views as views

app_name = "sso_prefs"
urlpatterns = [
    path("provider/", views.provider, name="provider"),
    path("policy/", views.policy, name="policy"),
    path("test/", views.test_sign_in, name="test"),
    path("log/", views.log, name="log"),
]
