app_name = "scim_prefs"
urlpatterns = []
