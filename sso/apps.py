from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self):
        from sso import preferences, signals

        preferences.register()
        signals.connect()
