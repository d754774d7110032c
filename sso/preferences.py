"""The "Single sign-on" section of the Preferences page."""

from visitor_mgmt.preferences import PreferencesSection, register_preferences_section


def register():
    from sso.preferences_views import section_context  # views import forms and models

    register_preferences_section(
        PreferencesSection(
            key="sso",
            title="Single sign-on",
            template="sso/preferences_section.html",
            get_context=section_context,
            order=60,
        )
    )
