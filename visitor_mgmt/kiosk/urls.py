app_name = "kiosk"
urlpatterns = []
