"""Kiosk reads: what a visitor may see, and the account's devices for Preferences.

Visitors see hosts only through :func:`kiosk_host_search` and :func:`kiosk_host_entry`,
which return a short, public view (id, name as the privacy setting allows, department)
and never contact details.
"""

from django.db.models import Exists, OuterRef, Q

from visitor_mgmt.models import Host, HostGroup, HostGroupMembership, KioskDevice

# Search needs this many characters so the kiosk never lists the whole staff.
MIN_QUERY_LENGTH = 2
MAX_RESULTS = 8
MAX_GROUPS = 12
MAX_QUERY_LENGTH = 100


# --- what visitors see ---------------------------------------------------------------


def kiosk_display_name(host, *, short_names):
    """The host's name as a visitor sees it: full, or "Jane D." when short names are on.

    Only a person is shortened: a host with both a first and a last name. A shared desk or
    mailbox ("Front Desk", only a display name) keeps its name; splitting its words would
    turn it into "Front D.".
    """
    first, last = host.first_name.strip(), host.last_name.strip()
    if short_names and first and last:
        return f"{first.split()[0]} {last[0].upper()}."
    return host.name or "Unnamed host"


def kiosk_hosts(account):
    """Hosts a visitor may pick: live, active, of this account."""
    return Host.objects.live().filter(account=account, is_active=True)


def _normalise_query(query):
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def kiosk_host_search(*, account, query, limit=MAX_RESULTS):
    """Active, live hosts of ``account`` matching every word of ``query``.

    A word matches a first, last or display name anywhere: what the visitor is shown, and
    nothing hidden. (Matching the e-mail's start let a visitor rebuild addresses one
    letter at a time.) Returns public entries (see :func:`kiosk_host_entry`); one query.
    """
    query = _normalise_query(query)
    if len(query) < MIN_QUERY_LENGTH:
        return []
    condition = Q()
    for word in query.split():
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(display_name__icontains=word)
        )
    hosts = (
        kiosk_hosts(account)
        .filter(condition)
        .only("public_id", "first_name", "last_name", "display_name", "department")
        .order_by("first_name", "last_name", "id")[:limit]
    )
    return [kiosk_host_entry(h, short_names=account.kiosk_short_names) for h in hosts]


def kiosk_host_entry(host, *, short_names):
    return {
        "public_id": str(host.public_id),
        "name": kiosk_display_name(host, short_names=short_names),
        "department": host.department,
    }


def kiosk_groups(*, account, query="", limit=MAX_GROUPS):
    """Host groups a visitor may pick: those with at least one active, live member."""
    query = _normalise_query(query)
    active_member = HostGroupMembership.objects.filter(
        group=OuterRef("pk"), host__is_active=True, host__deleted_at__isnull=True
    )
    groups = HostGroup.objects.filter(account=account).filter(Exists(active_member))
    if len(query) >= MIN_QUERY_LENGTH:
        groups = groups.filter(name__icontains=query)
    return [
        {"public_id": str(g.public_id), "name": g.name}
        for g in groups.only("public_id", "name").order_by("name", "id")[:limit]
    ]


def kiosk_host_get(*, account, public_id):
    """The host ``public_id`` a visitor may pick (see :func:`kiosk_hosts`), or None."""
    return kiosk_hosts(account).filter(public_id=public_id).first()


def kiosk_group_get(*, account, public_id):
    """The group ``public_id`` of ``account``, or None."""
    return HostGroup.objects.filter(account=account, public_id=public_id).first()


# --- devices, for account admins ------------------------------------------------------


def kiosk_device_list(*, account):
    """The account's devices, enabled ones first, newest first, with who enabled them."""
    return account.kiosk_devices.select_related("created_by").order_by("revoked_at", "-created_at")


def kiosk_device_get(*, account, device_id):
    """The device ``device_id`` of ``account``; raises KioskDevice.DoesNotExist otherwise."""
    return KioskDevice.objects.get(account=account, pk=device_id)
