"""Reads of hosts and host groups: scoped to one account, live records only."""

from django.db.models import Count, Q

from visitor_mgmt.models import Host, HostGroup, HostTally, Source

# Search looks at these host columns; every word typed must match one of them.
HOST_SEARCH_FIELDS = ("first_name", "last_name", "display_name", "email", "department")
# More words than this add nothing useful and only make the query longer.
MAX_SEARCH_TERMS = 5


def _search_q(fields, search):
    terms = (search or "").split()[:MAX_SEARCH_TERMS]
    q = Q()
    for term in terms:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        q &= any_field
    return q


def live_host_count(*, account):
    """How many live hosts ``account`` has: one row read, however many there are."""
    tally = HostTally.objects.filter(account=account).values_list("live_hosts", flat=True)
    return next(iter(tally), 0)  # one row by primary key, or none yet


def live_directory_host_count(*, account):
    """How many live hosts of ``account`` the directory provisioned: one row read."""
    tally = HostTally.objects.filter(account=account).values_list("directory_hosts", flat=True)
    return next(iter(tally), 0)


def host_list(*, account, search="", active=None, source=None):
    """Live hosts of ``account``, optionally searched and filtered.

    ``search``: words matched (case-insensitive, substring) against first, last and display
    name, e-mail and department; every word must match. ``active``: True/False/None (all).
    ``source``: one of ``Source`` values, or None/"" for all.
    """
    qs = Host.objects.live().filter(account=account)
    if active is not None:
        qs = qs.filter(is_active=active)
    if source:
        qs = qs.filter(source=source)
    if search:
        qs = qs.filter(_search_q(HOST_SEARCH_FIELDS, search))
    return qs


def host_get(*, account, public_id):
    """The live host ``public_id`` of ``account``; raises Host.DoesNotExist otherwise."""
    return Host.objects.live().get(account=account, public_id=public_id)


def host_by_public_id(*, account, public_id):
    """The host ``public_id`` of ``account``, deleted or not (visits keep theirs), or None."""
    return Host.objects.filter(account=account, public_id=public_id).first()


def host_groups_of(*, host):
    """The groups ``host`` belongs to (same account only)."""
    return HostGroup.objects.filter(account_id=host.account_id, memberships__host=host)


def host_group_list(*, account, search="", source=None):
    """Groups of ``account`` with ``member_count`` (live members) annotated, by name."""
    qs = (
        HostGroup.objects.filter(account=account)
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__host__deleted_at__isnull=True), distinct=True
            )
        )
        # Django leaves Meta.ordering out of GROUP BY queries: name the order, so that pages
        # are stable.
        .order_by(*HostGroup._meta.ordering)
    )
    if source:
        qs = qs.filter(source=source)
    if search:
        qs = qs.filter(_search_q(("name",), search))
    return qs


def host_group_get(*, account, public_id):
    """The group ``public_id`` of ``account``; raises HostGroup.DoesNotExist otherwise."""
    return HostGroup.objects.get(account=account, public_id=public_id)


def host_group_member_list(*, group, search=""):
    """Live hosts in ``group``."""
    qs = Host.objects.live().filter(account_id=group.account_id, group_memberships__group=group)
    if search:
        qs = qs.filter(_search_q(HOST_SEARCH_FIELDS, search))
    return qs


def host_group_candidate_list(*, group, search=""):
    """Live hosts of the group's account that are not yet members (for "Add member")."""
    return host_list(account=group.account_id, search=search).exclude(
        group_memberships__group=group
    )


def directory_managed_counts(*, account):
    """How many live hosts and groups of ``account`` the directory manages."""
    return {
        "hosts": Host.objects.live().filter(account=account, source=Source.DIRECTORY).count(),
        "groups": HostGroup.objects.filter(account=account, source=Source.DIRECTORY).count(),
    }


def unmanaged_host_counts(*, account):
    """(with e-mail, without e-mail) among the account's live hosts a directory does not
    manage: the first can be linked by a directory that provisions the same address."""
    hosts = Host.objects.live().filter(account=account).exclude(source=Source.DIRECTORY)
    counts = hosts.aggregate(
        with_email=Count("pk", filter=~Q(email="")),
        without_email=Count("pk", filter=Q(email="")),
    )
    return counts["with_email"], counts["without_email"]
