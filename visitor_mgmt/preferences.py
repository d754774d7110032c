"""The Preferences page's section registry.

Apps contribute sections from their ``AppConfig.ready()`` so the core page can show them
without importing those apps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

_sections = {}


@dataclass(frozen=True)
class PreferencesSection:
    key: str  # used as the HTML id of the section
    title: str
    template: str
    # get_context(request, account) -> dict of extra template context for the section.
    get_context: Callable = field(default=lambda request, account: {})
    order: int = 100


def register_preferences_section(section):
    """Add (or replace, on reload) a section of the Preferences page."""
    _sections[section.key] = section


def preferences_sections():
    return sorted(_sections.values(), key=lambda s: (s.order, s.title))


def register_core_sections():
    from visitor_mgmt.views.general import general_section_context  # here: import cycle

    register_preferences_section(
        PreferencesSection(
            key="general",
            title="General",
            template="preferences/general.html",
            get_context=general_section_context,
            order=0,
        )
    )
    from visitor_mgmt.kiosk import preferences as kiosk_preferences  # here: import cycle

    kiosk_preferences.register()
