"""Write rules for hosts and host groups.

Every write path (pages, CSV import, JSON API, Django admin, the directory connector) goes
through these functions. They own the transactions and the read-only rule: a
directory-managed record is changed only by the directory (``via_directory=True``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from visitor_mgmt.models import Host, HostGroup, HostGroupMembership, Source

# Fields a person (or a CSV file, or the directory) may set on a host.
HOST_FIELDS = (
    "first_name",
    "last_name",
    "display_name",
    "email",
    "alternate_email",
    "mobile",
    "alternate_mobile",
    "title",
    "department",
    "organization",
    "is_active",
    "username",
    "external_id",
)

DIRECTORY_MANAGED_MESSAGE = (
    "{name} is managed by Microsoft Entra ID and is read-only here. "
    "Change it in the directory; the next sync updates it."
)


class DirectoryManagedError(Exception):
    """A write to a directory-managed record from anywhere but the directory."""

    def __init__(self, record):
        self.record = record
        super().__init__(DIRECTORY_MANAGED_MESSAGE.format(name=record))


def ensure_editable(record, *, via_directory=False):
    if record.is_directory_managed and not via_directory:
        raise DirectoryManagedError(record)


def check_lengths(model, values):
    """Reject strings longer than their column, naming the field (never a database error)."""
    errors = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        max_length = getattr(field, "max_length", None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            errors[name] = f"Ensure this value has at most {max_length} characters."
    if errors:
        raise ValidationError(errors)


def _clean_host_values(values):
    unknown = set(values) - set(HOST_FIELDS) - {"directory_data"}
    if unknown:
        raise ValueError(f"Unknown host fields: {sorted(unknown)}")
    cleaned = {k: ("" if v is None and k != "is_active" else v) for k, v in values.items()}
    check_lengths(Host, cleaned)
    return cleaned


def host_create(*, account, source=Source.MANUAL, **values):
    cleaned = _clean_host_values(values)
    host = Host(account=account, source=source, **cleaned)
    host.save(force_insert=True)
    return host


def host_update(*, host, via_directory=False, **values):
    """Apply ``values`` to ``host``; saves only the columns that changed."""
    ensure_editable(host, via_directory=via_directory)
    if host.is_deleted:
        raise ValidationError("A deleted host cannot be changed.")
    cleaned = _clean_host_values(values)
    changed = [name for name, value in cleaned.items() if getattr(host, name) != value]
    for name in changed:
        setattr(host, name, cleaned[name])
    if changed:
        host.save(update_fields=[*changed, "updated_at"])
    return host


def host_deactivate(*, host, via_directory=False):
    return host_update(host=host, via_directory=via_directory, is_active=False)


@transaction.atomic
def host_delete(*, host, via_directory=False):
    """Tombstone the host: it disappears everywhere, its visit history stays.

    The directory identifiers stay on the tombstone for the record; the uniqueness rules
    only cover live hosts, so the same userName can be provisioned again.
    """
    ensure_editable(host, via_directory=via_directory)
    HostGroupMembership.objects.filter(host=host).delete()
    host.deleted_at = timezone.now()
    host.is_active = False
    host.save(update_fields=["deleted_at", "is_active", "updated_at"])
    return host


def _clean_group_values(values):
    allowed = {"name", "external_id", "directory_data"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Unknown host group fields: {sorted(unknown)}")
    cleaned = {k: ("" if v is None else v) for k, v in values.items()}
    if "name" in cleaned and not str(cleaned["name"]).strip():
        raise ValidationError({"name": "A group needs a name."})
    check_lengths(HostGroup, cleaned)
    return cleaned


def host_group_create(*, account, source=Source.MANUAL, **values):
    cleaned = _clean_group_values(values)
    if "name" not in cleaned:
        raise ValidationError({"name": "A group needs a name."})
    group = HostGroup(account=account, source=source, **cleaned)
    group.save(force_insert=True)
    return group


def host_group_update(*, group, via_directory=False, **values):
    ensure_editable(group, via_directory=via_directory)
    cleaned = _clean_group_values(values)
    changed = [name for name, value in cleaned.items() if getattr(group, name) != value]
    for name in changed:
        setattr(group, name, cleaned[name])
    if changed:
        group.save(update_fields=[*changed, "updated_at"])
    return group


def host_group_delete(*, group, via_directory=False):
    ensure_editable(group, via_directory=via_directory)
    group.delete()


def _member_ids(group, host_ids):
    """The subset of ``host_ids`` that are live hosts of the group's account (one query)."""
    ids = {int(i) for i in host_ids}
    if not ids:
        return set()
    return set(
        Host.objects.live()
        .filter(account_id=group.account_id, id__in=ids)
        .values_list("id", flat=True)
    )


def host_group_members_add(*, group, host_ids, via_directory=False):
    """Add hosts to a group. Existing members are left alone; returns how many were new."""
    ensure_editable(group, via_directory=via_directory)
    ids = _member_ids(group, host_ids)
    if not ids:
        return 0
    with transaction.atomic():
        existing = set(
            HostGroupMembership.objects.filter(group=group, host_id__in=ids).values_list(
                "host_id", flat=True
            )
        )
        new = ids - existing
        # ignore_conflicts: a parallel request may add the same member between our read
        # and our insert; the unique constraint makes that a no-op instead of an error.
        HostGroupMembership.objects.bulk_create(
            [HostGroupMembership(group=group, host_id=i) for i in sorted(new)],
            ignore_conflicts=True,
        )
    return len(new)


def host_group_members_remove(*, group, host_ids, via_directory=False):
    """Remove hosts from a group; removing a non-member is a no-op. Returns how many left."""
    ensure_editable(group, via_directory=via_directory)
    ids = {int(i) for i in host_ids}
    if not ids:
        return 0
    deleted, _ = HostGroupMembership.objects.filter(group=group, host_id__in=ids).delete()
    return deleted


@transaction.atomic
def host_group_members_set(*, group, host_ids, via_directory=False):
    """Make the group's members exactly ``host_ids``."""
    ensure_editable(group, via_directory=via_directory)
    wanted = _member_ids(group, host_ids)
    HostGroupMembership.objects.filter(group=group).exclude(host_id__in=wanted).delete()
    host_group_members_add(group=group, host_ids=wanted, via_directory=via_directory)
