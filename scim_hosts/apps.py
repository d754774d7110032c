from django.apps import AppConfig


class ScimHostsConfig(AppConfig):
    name = "scim_hosts"
    verbose_name = "SCIM host provisioning"

    def ready(self):
        from scim_hosts import home
        from scim_hosts.preferences import section as preferences

        preferences.register()
        home.register()
