"""The "SCIM Host Provisioning" section of the Preferences page."""

from scim_hosts.preferences.services import section_context
from visitor_mgmt.preferences import PreferencesSection, register_preferences_section


def register():
    register_preferences_section(
        PreferencesSection(
            key="scim",
            title="SCIM Host Provisioning",
            template="scim_hosts/preferences_section.html",
            get_context=section_context,
            order=50,
        )
    )
