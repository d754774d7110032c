"""Group members over SCIM: the net effect of a request's member operations
(``MemberDelta``, the membership state machine), written with the core's bulk membership
services and read with one query per page."""

import uuid

from scim_hosts.adapters.common import users_location
from scim_hosts.protocol.errors import InvalidPath, InvalidValue, NoTarget
from scim_hosts.protocol.paths import or_equalities, value_of
from visitor_mgmt.models import Host, HostGroupMembership
from visitor_mgmt.services import hosts as host_services

# Distinct member ids one request may name (added, removed or set). Entra sends a few
# hundred at most; larger groups are written over several requests.
MAX_MEMBERS_PER_REQUEST = 1000


def member_values(value, number):
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if item is None:
            continue
        member = value_of(item, "value") if isinstance(item, dict) else item
        if not isinstance(member, str):
            raise InvalidValue(f'Operation {number}: each member needs a string "value".')
        out.append(member)
    return out


def uuid_or_none(value):
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None


class MemberDelta:
    """The net effect of a PATCH's member operations, applied in request order.

    ``was_member(id)``: whether the id was a member before the request (asked only by a
    ``replace`` of ``members[value eq "id"]``, which must match a member: RFC 7644 §3.5.2.3).
    """

    def __init__(self, was_member=None):
        self.replace = None  # a set of ids: the members after a "replace" (or remove-all)
        self.adds = {}  # id -> True, insertion ordered
        self.removes = set()
        self.was_member = was_member or (lambda member_id: False)

    def is_member(self, member_id):
        """Whether ``member_id`` is a member at this point of the request."""
        if self.replace is not None:
            return member_id in self.replace
        if member_id in self.adds:
            return True
        return member_id not in self.removes and self.was_member(member_id)

    def add(self, ids):
        for i in ids:
            if self.replace is not None:
                self.replace.add(i)
            else:
                self.adds[i] = True
                self.removes.discard(i)

    def remove(self, ids):
        for i in ids:
            if self.replace is not None:
                self.replace.discard(i)
            else:
                self.removes.add(i)
                self.adds.pop(i, None)

    def set(self, ids):
        self.replace = set(ids)
        self.adds.clear()
        self.removes.clear()

    def apply(self, operation):
        path, op, value = operation.path, operation.op, operation.value
        if path.sub is not None:
            raise InvalidPath(
                f"Operation {operation.number}: members can only be added or removed."
            )
        if path.filter is not None:
            ids = or_equalities(path.filter, path.filter_values, "value")
            if op == "add" or ids is None or not all(isinstance(i, str) for i in ids):
                raise InvalidPath(
                    f"Operation {operation.number}: use remove or replace with "
                    'members[value eq "<id>"].'
                )
            if op == "replace":
                # RFC 7644 §3.5.2.3: the matching members are replaced by the value; no
                # matching member is a 400 noTarget.
                matched = [i for i in ids if self.is_member(i)]
                if not matched:
                    raise NoTarget(f'Operation {operation.number}: nothing matches "{path.text}".')
                self.remove(matched)
                self.add(member_values(operation.value, operation.number))
            else:
                self.remove(ids)
        elif op == "add":
            self.add(member_values(value, operation.number))
        elif op == "replace":
            self.set(member_values(value, operation.number))
        elif value is None or value == []:
            self.set([])  # RFC 7644: remove "members" without a value removes them all
        else:
            self.remove(member_values(value, operation.number))

    @property
    def empty(self):
        return self.replace is None and not self.adds and not self.removes


def member_note(counts):
    if not counts:
        return ""
    added, removed, replaced = counts
    if replaced is not None:
        return f"Members replaced ({replaced})"
    notes = []
    if added:
        notes.append(f"{added} member{'s' if added != 1 else ''} added")
    if removed:
        notes.append(f"{removed} member{'s' if removed != 1 else ''} removed")
    return ", ".join(notes)


def update_change(renamed_from, counts):
    """(action, reason) of the provisioning-log row of a group update: a rename, and the
    (added, removed, replaced) ``counts`` of its members, if any."""
    notes = [f'Renamed from "{renamed_from}"'] if renamed_from is not None else []
    note = member_note(counts)
    if note:
        notes.append(note)
    action = "renamed" if renamed_from is not None else _update_action(counts)
    return action, "; ".join(notes)


def _update_action(counts):
    added, removed, replaced = counts or (0, 0, None)
    if replaced is not None:
        return "members-replaced"
    if added and removed:
        return "members-updated"
    if added:
        return "members-added"
    if removed:
        return "members-removed"
    return "updated"


def load_members(group_pks):
    """{group pk: its members as SCIM shows them}, in one query for all the groups."""
    users = users_location()
    rows = (
        HostGroupMembership.objects.filter(group_id__in=group_pks, host__deleted_at__isnull=True)
        .order_by("group_id", "id")
        .values_list(
            "group_id",
            "host__public_id",
            "host__display_name",
            "host__first_name",
            "host__last_name",
            "host__username",
        )
    )
    out = {pk: [] for pk in group_pks}
    for group_id, public_id, display, first, last, username in rows:
        name = display or " ".join(p for p in (first, last) if p) or username
        member = {"value": str(public_id), "$ref": f"{users}/{public_id}"}
        if name:
            member["display"] = name
        out[group_id].append(member)
    return out


def was_member(group, member_id):
    """Whether ``member_id`` names a live host that is a member of ``group`` now."""
    member_uuid = uuid_or_none(member_id)
    return member_uuid is not None and (
        HostGroupMembership.objects.filter(
            group=group, host__public_id=member_uuid, host__deleted_at__isnull=True
        ).exists()
    )


def write_members(group, delta):
    """Write a MemberDelta with the bulk services: (added, removed, replaced or None)."""
    must_exist = set(delta.replace if delta.replace is not None else delta.adds)
    if len(must_exist | delta.removes) > MAX_MEMBERS_PER_REQUEST:
        raise InvalidValue(f'"members": at most {MAX_MEMBERS_PER_REQUEST} member ids per request.')
    parsed = {}
    for value in must_exist | delta.removes:
        member_uuid = uuid_or_none(value)
        if member_uuid is not None:
            parsed[value] = member_uuid
        elif value in must_exist:
            raise InvalidValue(f'"{value}" is not the id of a user of this service.')
    if delta.replace is not None:
        return _replace_members(group, delta.replace, parsed)
    # Adds and removes go straight to the services by public id: one statement each,
    # tenant-scoped in SQL, whatever the size of the group.
    removed = added = 0
    if delta.removes:
        removed = host_services.host_group_members_remove(
            group=group,
            host_public_ids=[parsed[v] for v in delta.removes if v in parsed],
            via_directory=True,
        )
    if delta.adds:
        wanted = {parsed[v] for v in delta.adds}
        added = host_services.host_group_members_add(
            group=group, host_public_ids=wanted, via_directory=True
        )
        if added < len(wanted):
            # Some were members already, or are no hosts of this account: which? An
            # unknown id is a 400, and the request's transaction undoes this PATCH.
            _check_members_exist(group, delta.adds, parsed)
    return added, removed, None


def _check_members_exist(group, values, parsed):
    known = set(
        Host.objects.filter(
            account_id=group.account_id,
            deleted_at__isnull=True,
            public_id__in={parsed[v] for v in values},
        ).values_list("public_id", flat=True)
    )
    missing = sorted(v for v in values if parsed[v] not in known)
    if missing:
        shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise InvalidValue(f"Unknown member id(s) for this account: {shown}.")


def _replace_members(group, values, parsed):
    found = {}
    if parsed:
        found = dict(
            Host.objects.filter(
                account_id=group.account_id,
                deleted_at__isnull=True,
                public_id__in=set(parsed.values()),
            ).values_list("public_id", "id")
        )
    missing = sorted(v for v in values if parsed.get(v) not in found)
    if missing:
        shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise InvalidValue(f"Unknown member id(s) for this account: {shown}.")
    host_ids = {found[parsed[v]] for v in values}
    host_services.host_group_members_set(group=group, host_ids=host_ids, via_directory=True)
    return 0, 0, len(host_ids)
