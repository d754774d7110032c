"""The Preferences page's section registry.

Apps contribute sections from their ``AppConfig.ready()`` so the core page can show them
without importing those apps. This module imports nothing of the product: section modules
(e.g. visitor_mgmt/kiosk/preferences.py) import it, and ``ready()`` registers them.
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
