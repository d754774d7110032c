"""Write rules for hosts and host groups.

Every write path (pages, CSV import, JSON API, Django admin, the directory connector) goes
through these functions. They own the transactions and the read-only rule: a
directory-managed record is changed only by the directory (``via_directory=True``).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from visitor_mgmt.models import HOST_PERSON_FIELDS, Host, HostGroup, HostGroupMembership, Source
from visitor_mgmt.services.text import normalise_email, normalise_host_values

PERSON_FIELDS = HOST_PERSON_FIELDS  # the name the form, CSV, admin and API import

# Fields a person (or a CSV file, or the directory) may set on a host.
HOST_FIELDS = (*PERSON_FIELDS, "is_active", "username", "external_id")

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
    # Every writer (pages, API, CSV, SCIM) stores names and addresses in one normal form,
    # so look-alikes are equal in the database (see services/text.py).
    cleaned = normalise_host_values(cleaned)
    check_lengths(Host, cleaned)
    return cleaned


HOST_NAME_REQUIRED = "A host needs a name: fill in a first name, last name or display name."
HOST_EMAIL_TAKEN = "Another host in this account already uses this e-mail address."


def host_email_in_use(*, account, email, exclude_pk=None):
    """Whether a live host of ``account`` (an Account or its id) has ``email``, ignoring case."""
    email = normalise_email(email)
    if not email:
        return False
    qs = Host.objects.live().filter(account=account, email__iexact=email)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def host_has_name(values):
    return any(
        str(values.get(k) or "").strip() for k in ("first_name", "last_name", "display_name")
    )


def _check_host_rules(*, account, values, check_email=True, exclude_pk=None):
    """Rules for hosts written by people (pages, CSV, API); the directory has its own.

    A host needs a name, and an e-mail identifies at most one live host of the account
    (the CSV import matches hosts by it).
    """
    errors = {}
    if not host_has_name(values):
        errors["first_name"] = HOST_NAME_REQUIRED
    if check_email and host_email_in_use(
        account=account, email=values.get("email"), exclude_pk=exclude_pk
    ):
        errors["email"] = HOST_EMAIL_TAKEN
    if errors:
        raise ValidationError(errors)


def host_create(*, account, source=Source.MANUAL, **values):
    """Create a host. People's hosts (manual, CSV) must pass the rules of ``_check_host_rules``."""
    cleaned = _clean_host_values(values)
    if source != Source.DIRECTORY:
        _check_host_rules(account=account, values=cleaned)
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
    if changed and not via_directory:
        after = {name: getattr(host, name) for name in HOST_FIELDS} | cleaned
        _check_host_rules(
            account=host.account_id,
            values=after,
            check_email="email" in changed,
            exclude_pk=host.pk,
        )
    for name in changed:
        setattr(host, name, cleaned[name])
    if changed:
        host.save(update_fields=[*changed, "updated_at"])
    return host


def host_deactivate(*, host, via_directory=False):
    """Inactive hosts stay listed for admins but are hidden at the kiosk and never notified."""
    return host_update(host=host, via_directory=via_directory, is_active=False)


def host_reactivate(*, host, via_directory=False):
    return host_update(host=host, via_directory=via_directory, is_active=True)


def host_delete(*, host, via_directory=False):
    """Tombstone the host: it disappears everywhere, its visit history stays.

    The directory identifiers stay on the tombstone for the record; the uniqueness rules
    only cover live hosts, so the same userName can be provisioned again.
    """
    ensure_editable(host, via_directory=via_directory)
    # One transaction; inside a caller's (a SCIM request) no savepoint: a failure rolls
    # the caller back as a whole, which is what it wants.
    with transaction.atomic(savepoint=False):
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


def host_group_name_in_use(*, account, name, exclude_pk=None):
    """Whether ``account`` has a group called ``name`` (case-insensitive, like the constraint)."""
    qs = HostGroup.objects.filter(account=account, name__iexact=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _group_name_taken(name):
    return ValidationError({"name": f'A group named "{name}" already exists.'})


def _check_group_name(*, account, name, exclude_pk=None):
    if host_group_name_in_use(account=account, name=name, exclude_pk=exclude_pk):
        raise _group_name_taken(name)


def _save_group_checked(group, **save_kwargs):
    """Save a people-written group; a name taken by a parallel request is a form error."""
    try:
        with transaction.atomic():
            group.save(**save_kwargs)
    except IntegrityError as exc:
        raise _group_name_taken(group.name) from exc


def host_group_create(*, account, source=Source.MANUAL, **values):
    cleaned = _clean_group_values(values)
    if "name" not in cleaned:
        raise ValidationError({"name": "A group needs a name."})
    group = HostGroup(account=account, source=source, **cleaned)
    if source == Source.DIRECTORY:
        group.save(force_insert=True)
        return group
    group.name = group.name.strip()
    _check_group_name(account=account, name=group.name)
    _save_group_checked(group, force_insert=True)
    return group


def host_group_update(*, group, via_directory=False, **values):
    ensure_editable(group, via_directory=via_directory)
    cleaned = _clean_group_values(values)
    if "name" in cleaned and not via_directory:
        cleaned["name"] = cleaned["name"].strip()
        if cleaned["name"] != group.name:
            _check_group_name(account=group.account_id, name=cleaned["name"], exclude_pk=group.pk)
    changed = [name for name, value in cleaned.items() if getattr(group, name) != value]
    for name in changed:
        setattr(group, name, cleaned[name])
    if changed and via_directory:
        group.save(update_fields=[*changed, "updated_at"])
    elif changed:
        _save_group_checked(group, update_fields=[*changed, "updated_at"])
    return group


def host_group_delete(*, group, via_directory=False):
    ensure_editable(group, via_directory=via_directory)
    group.delete()


def _clean_ids(host_ids):
    return sorted({int(i) for i in host_ids})


def _clean_public_ids(public_ids):
    field = Host._meta.get_field("public_id")
    return [
        field.get_db_prep_value(v, connection)
        for v in sorted({v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)) for v in public_ids})
    ]


# Ids per INSERT: well under every backend's limit on query parameters.
MEMBER_BATCH = 500


def _insert_members(group, ids, *, by="id"):
    """Add the live hosts of the group's account among ``ids`` that are not members yet.

    ``ids`` are host primary keys, or public ids (prepared for the database) with
    ``by="public_id"``. One ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per batch: the
    SELECT keeps only live hosts of the group's own account (tenant scoping in SQL), the
    unique constraint makes existing members and parallel requests adding the same member
    a no-op, and the row count says how many were new. The group's current members are
    never read, so the cost does not depend on the size of the group. Returns how many
    were added.
    """
    if not ids:
        return 0
    qn = connection.ops.quote_name
    membership, host = HostGroupMembership._meta, Host._meta

    def col(meta, name):  # the quoted column of a field: names come from the models
        return qn(meta.get_field(name).column)

    created_at = membership.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    added = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), MEMBER_BATCH):
            batch = ids[start : start + MEMBER_BATCH]
            # Quoted names from the models; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {qn(membership.db_table)}"  # noqa: S608
                f" ({col(membership, 'group')}, {col(membership, 'host')},"
                f" {col(membership, 'created_at')})"
                f" SELECT %s, h.{qn(host.pk.column)}, %s FROM {qn(host.db_table)} h"
                f" WHERE h.{col(host, 'account')} = %s AND h.{col(host, 'deleted_at')} IS NULL"
                f" AND h.{col(host, by)} IN ({', '.join(['%s'] * len(batch))})"
                f" ORDER BY h.{qn(host.pk.column)}"
                " ON CONFLICT DO NOTHING",
                [group.pk, created_at, group.account_id, *batch],
            )
            added += max(cursor.rowcount, 0)
    return added


def host_group_members_add(*, group, host_ids=(), host_public_ids=(), via_directory=False):
    """Add hosts, given by primary key or by public id, to a group; returns how many were new.

    Existing members are left alone; ids that are not live hosts of the group's account are
    ignored (a caller that must refuse them compares the count with what it asked for).
    """
    ensure_editable(group, via_directory=via_directory)
    batches = []
    if host_ids:
        batches.append((_clean_ids(host_ids), "id"))
    if host_public_ids:
        batches.append((_clean_public_ids(host_public_ids), "public_id"))
    if sum(len(ids) for ids, _ in batches) <= MEMBER_BATCH and len(batches) <= 1:
        # One statement (or none): atomic by itself.
        return sum(_insert_members(group, ids, by=by) for ids, by in batches)
    with transaction.atomic(savepoint=False):
        return sum(_insert_members(group, ids, by=by) for ids, by in batches)


def host_group_members_remove(*, group, host_ids=(), host_public_ids=(), via_directory=False):
    """Remove hosts, given by primary key or by public id, from a group; removing a
    non-member is a no-op. Returns how many left. One DELETE per kind of id."""
    ensure_editable(group, via_directory=via_directory)
    removed = 0
    ids = _clean_ids(host_ids)
    if ids:
        removed += HostGroupMembership.objects.filter(group=group, host_id__in=ids).delete()[0]
    public_ids = sorted(set(host_public_ids))
    if public_ids:
        hosts = Host.objects.filter(account_id=group.account_id, public_id__in=public_ids)
        removed += HostGroupMembership.objects.filter(
            group=group, host_id__in=hosts.values("id")
        ).delete()[0]
    return removed


def host_group_members_set(*, group, host_ids, via_directory=False):
    """Make the group's members exactly ``host_ids`` (those that are live hosts of its account).

    Returns how many members were added.
    """
    ensure_editable(group, via_directory=via_directory)
    ids = _clean_ids(host_ids)
    with transaction.atomic(savepoint=False):
        HostGroupMembership.objects.filter(group=group).exclude(host_id__in=ids).delete()
        return _insert_members(group, ids)


def host_adopt_for_directory(*, host):
    """The directory takes over a host it matched (e.g. by userName): from now on the host
    is directory-managed and read-only everywhere else. Called by the directory connector."""
    if host.source != Source.DIRECTORY:
        host.source = Source.DIRECTORY
        host.save(update_fields=["source", "updated_at"])
    return host


def host_group_adopt_for_directory(*, group):
    """Same as ``host_adopt_for_directory`` for a group the directory matched by name."""
    if group.source != Source.DIRECTORY:
        group.source = Source.DIRECTORY
        group.save(update_fields=["source", "updated_at"])
    return group


def directory_release(*, account):
    """The account leaves its directory: every directory-managed host and group becomes a
    manual one, editable again. Hosts keep their username, so a directory connected later
    finds (and links) them again. Returns (hosts, groups) released."""
    with transaction.atomic():
        hosts = Host.objects.filter(account=account, source=Source.DIRECTORY).update(
            source=Source.MANUAL, directory_data={}, updated_at=timezone.now()
        )
        groups = HostGroup.objects.filter(account=account, source=Source.DIRECTORY).update(
            source=Source.MANUAL, directory_data={}, updated_at=timezone.now()
        )
    return hosts, groups
