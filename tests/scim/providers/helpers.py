"""What the other providers' tests check on the product side (hosts, groups, the log)."""

from scim_hosts.models import ProvisioningEvent
from visitor_mgmt.models import Host, HostGroup, Source, Visit


def host_of(account, resource_id):
    """The Host behind a SCIM id (tombstones included)."""
    return Host.objects.get(account=account, public_id=resource_id)


def group_of(account, resource_id):
    return HostGroup.objects.get(account=account, public_id=resource_id)


def group_member_ids(account, resource_id):
    group = group_of(account, resource_id)
    return sorted(str(h.public_id) for h in group.members.all())


def assert_linked(account, host, visit, group):
    """The manual host became the directory's: same row, same visits and memberships,
    one host for that person, and the log says it was linked."""
    host.refresh_from_db()
    assert host.source == Source.DIRECTORY
    assert Host.objects.filter(account=account, deleted_at__isnull=True).count() == 1
    assert Visit.objects.get(pk=visit.pk).host_id == host.pk
    assert list(group.members.all()) == [host]
    (row,) = ProvisioningEvent.objects.filter(account=account, action="linked")
    assert row.resource_id == str(host.public_id)
    assert row.reason.startswith("Linked existing host")
    return host
