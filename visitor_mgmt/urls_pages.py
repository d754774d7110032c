from django.contrib.auth import views as auth_views
from django.urls import path

from visitor_mgmt.views import preferences

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", preferences.preferences, name="preferences"),
]
