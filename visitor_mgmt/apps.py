from django.apps import AppConfig


class VisitorMgmtConfig(AppConfig):
    name = "visitor_mgmt"
    verbose_name = "Visitor Management"

    def ready(self):
        from visitor_mgmt.kiosk import preferences as kiosk_preferences
        from visitor_mgmt.preferences import register_preferences_section
        from visitor_mgmt.views.general import GENERAL_SECTION

        register_preferences_section(GENERAL_SECTION)
        register_preferences_section(kiosk_preferences.SECTION)
