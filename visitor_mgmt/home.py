"""The home page's panel registry.

Apps contribute panels from their ``AppConfig.ready()`` (as they do Preferences sections,
visitor_mgmt/preferences.py) so the core page can show them without importing those apps.
A panel of a directory connector also answers the onboarding checklist's "connect the
identity provider" step: the core only knows that hosts can be directory-managed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

_panels = {}


@dataclass(frozen=True)
class HomePanel:
    key: str  # used as the HTML id of the panel
    title: str
    template: str
    # get_context(request, account) -> dict of extra template context for the panel.
    get_context: Callable = field(default=lambda request, account: {})
    order: int = 100
    admins_only: bool = False
    # For a directory connector: directory_connected(account) -> bool, and where an admin
    # connects it (shown in the onboarding checklist).
    directory_connected: Callable | None = None
    directory_setup_label: str = ""
    directory_setup_url: str = ""


def register_home_panel(panel):
    """Add (or replace, on reload) a panel of the home page."""
    _panels[panel.key] = panel


def home_panels(*, admin):
    panels = (p for p in _panels.values() if admin or not p.admins_only)
    return sorted(panels, key=lambda p: (p.order, p.title))


def directory_connectors():
    """The registered panels that can say whether a directory is connected."""
    return [p for p in home_panels(admin=True) if p.directory_connected is not None]
