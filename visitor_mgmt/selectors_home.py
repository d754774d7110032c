"""Reads of the home page: who is on site, today's visits, failed notifications, and how
far a new account is through its first steps. Each is scoped to one account."""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from visitor_mgmt.home import directory_connectors
from visitor_mgmt.models import Host, KioskDevice, Visit
from visitor_mgmt.services.visits import RETRY_MAX_AGE

TODAY_VISITS_SHOWN = 20
FAILED_SHOWN = 20


def _today_start():
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def visits_on_site(*, account):
    """Visitors signed in today and not signed out yet, earliest first."""
    return Visit.objects.filter(
        account=account, signed_out_at__isnull=True, signed_in_at__gte=_today_start()
    ).order_by("signed_in_at", "id")


def visits_today(*, account):
    """Today's visits (local day), newest first."""
    return Visit.objects.filter(account=account, signed_in_at__gte=_today_start()).order_by(
        "-signed_in_at", "-id"
    )


def failed_notifications(*, account, now=None):
    """Visits of the last day whose notification failed: they can still be retried."""
    now = now or timezone.now()
    return Visit.objects.filter(
        account=account,
        notification_status=Visit.Notification.FAILED,
        signed_in_at__gte=now - RETRY_MAX_AGE,
    ).order_by("-signed_in_at", "-id")


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
