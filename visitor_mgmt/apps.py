from django.apps import AppConfig


class VisitorMgmtConfig(AppConfig):
    name = "visitor_mgmt"
    verbose_name = "Visitor Management"

    def ready(self):
        from visitor_mgmt import preferences

        preferences.register_core_sections()
