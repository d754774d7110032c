"""The home page's checklist: how far a new account is through its first steps."""

from dataclasses import dataclass

from visitor_mgmt.home import directory_connectors
from visitor_mgmt.models import Host, KioskDevice, Visit


@dataclass(frozen=True)
class OnboardingStep:
    key: str
    title: str
    done: bool
    links: tuple = ()  # (label, url) pairs


def onboarding_steps(*, account):
    """The new account's checklist: hosts (from a directory or a file), a kiosk, a visit.

    Each step stays done once done (a revoked kiosk was still enabled once), so the
    checklist of a working account does not come back.
    """
    connectors = directory_connectors()
    has_hosts = Host.objects.live().filter(account=account).exists()
    connected = any(c.directory_connected(account) for c in connectors)
    host_links = tuple((c.directory_setup_label, c.directory_setup_url) for c in connectors)
    return [
        OnboardingStep(
            key="hosts",
            title="Connect your identity provider or import your hosts",
            done=has_hosts or connected,
            links=(*host_links, ("Import hosts from a CSV file", "/hosts/import/")),
        ),
        OnboardingStep(
            key="kiosk",
            title="Enable a kiosk on the front-desk tablet",
            done=KioskDevice.objects.filter(account=account).exists(),
            links=(("Enable a kiosk", "/preferences/#kiosk"),),
        ),
        OnboardingStep(
            key="visit",
            title="Send a test visit",
            done=Visit.objects.filter(account=account).exists(),
        ),
    ]
