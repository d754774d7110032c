"""SCIM Group ⇄ HostGroup: the adapter django-scim2 calls (``GROUP_ADAPTER``).

The group's own attributes are its stored document; members are ``members.py``'s.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django_scim.adapters import SCIMGroup
from django_scim.exceptions import SCIMException

from scim_hosts.adapters import members as membership
from scim_hosts.adapters.common import (
    ResourceAdapterMixin,
    check_lengths,
    linked_reason,
    validation_detail,
)
from scim_hosts.adapters.members import MemberDelta, member_note, member_values
from scim_hosts.mapping import document_from_group, group_fields_from_document
from scim_hosts.protocol.documents import clean_group_document
from scim_hosts.protocol.errors import InvalidValue, Uniqueness
from scim_hosts.protocol.patch import apply_operations, parse_operations
from scim_hosts.protocol.schema import CORE_GROUP_URN, GROUP_SCHEMA
from visitor_mgmt.models import HostGroup, Source
from visitor_mgmt.services import hosts as host_services


class SCIMHostGroup(ResourceAdapterMixin, SCIMGroup):
    url_name = "scim:groups"
    resource_type = "Group"
    unique_attribute = "displayName"
    resource_type_description = "A host group"
    schema = GROUP_SCHEMA

    def __init__(self, obj, request=None):
        super().__init__(obj, request=request)
        self._members = None
        self.new_members = None
        self.linked_from = None  # the source of a manual group this request linked

    @property
    def display_name(self):
        return self.obj.name

    def document(self):
        return self.obj.directory_data or document_from_group(self.obj)

    def to_dict(self):
        selection = self.request.scim_attributes
        d = {"schemas": [CORE_GROUP_URN], "id": self.id}
        d.update(self.document())
        d["displayName"] = self.obj.name
        if selection.wants("members"):
            d["members"] = self.members
        d["meta"] = self.meta
        return selection.apply(d)

    @property
    def members(self):
        if self._members is None:
            self._members = membership.load_members([self.obj.pk])[self.obj.pk]
        return self._members

    @classmethod
    def prefetch(cls, adapters):
        if not adapters:
            return
        selection = adapters[0].request.scim_attributes
        if not selection.wants("members"):
            return
        members = membership.load_members([a.obj.pk for a in adapters])
        for adapter in adapters:
            adapter._members = members[adapter.obj.pk]

    def retarget(self, obj):
        other = super().retarget(obj)
        other.new_members = self.new_members
        return other

    # django-scim2 calls validate_dict, from_dict, save (POST, PUT).
    def validate_dict(self, d):
        self.new_doc, members = clean_group_document(d, GROUP_SCHEMA)
        self.new_members = None
        if members is not None:
            self.new_members = MemberDelta()
            self.new_members.set(member_values(members, 1))

    def from_dict(self, d):
        if self.new_doc is None:
            self.validate_dict(d)

    def save(self):
        creating = self.obj.pk is None
        members = self.new_members
        if creating and members is not None and not members.replace:
            members = None  # a new group is empty already
        wrote, renamed_from = self._write(self.new_doc)
        counts = membership.write_members(self.obj, members) if members is not None else None
        if creating:
            self.record("created", member_note(counts))
        else:
            self._record_write(wrote, renamed_from, counts)

    def delete(self):
        host_services.host_group_delete(group=self.obj, via_directory=True)
        self.record("deleted")

    @staticmethod
    def member_operations(body):
        """The operations of a valid PatchOp body that changes nothing but members, else
        None. (Parsed without the resource's id: only operations on "id" need it.)"""
        try:
            operations = parse_operations(body, GROUP_SCHEMA, resource_id="")
        except SCIMException:
            return None
        if operations and all(o.path.urn is None and o.path.attr == "members" for o in operations):
            return operations
        return None

    def apply_patch(self, body):
        self.apply_operations(parse_operations(body, GROUP_SCHEMA, resource_id=self.id))

    def apply_operations(self, operations):
        delta = MemberDelta(was_member=partial(membership.was_member, self.obj))
        doc_ops = []
        for operation in operations:
            if operation.path.urn is None and operation.path.attr == "members":
                delta.apply(operation)
            else:
                doc_ops.append(operation)
        wrote, renamed_from = False, None
        if doc_ops:
            new_doc = apply_operations(self.document(), doc_ops)
            new_doc, _members = clean_group_document(new_doc, GROUP_SCHEMA)
            wrote, renamed_from = self._write(new_doc)
        elif not self.obj.is_directory_managed:
            wrote, renamed_from = self._write(self.document())  # members only: still a link
        counts = membership.write_members(self.obj, delta) if not delta.empty else None
        self._record_write(wrote, renamed_from, counts)

    def _record_write(self, wrote, renamed_from, counts):
        """Log what a write to an existing group did (nothing logged when it did nothing)."""
        if self.linked_from:
            notes = [linked_reason("group", self.obj.name, self.linked_from), member_note(counts)]
            self.record("linked", "; ".join(n for n in notes if n))
        elif wrote or member_note(counts):
            self.record(*membership.update_change(renamed_from, counts))

    # -- writing ------------------------------------------------------------------------

    def _write(self, doc):
        """Create or update the group's own attributes: (wrote, old name if renamed)."""
        fields = _group_fields(doc)
        name = fields["name"]
        creating = self.obj.pk is None
        # displayName uniqueness (per account, any letter case) is the unique index's to
        # enforce, as userName's: the IntegrityError below becomes the 409.
        old_name = None if creating else self.obj.name
        if not creating and _unchanged(self.obj, fields, doc):
            return False, None  # the same state again: no write
        try:
            if creating:
                self.obj = host_services.host_group_create(
                    account=self.account, source=Source.DIRECTORY, directory_data=doc, **fields
                )
            else:
                if self.obj.source != Source.DIRECTORY:
                    self.linked_from = self.obj.source
                    host_services.host_group_adopt_for_directory(group=self.obj)
                self.obj = host_services.host_group_update(
                    group=self.obj, via_directory=True, directory_data=doc, **fields
                )
        except IntegrityError as exc:
            raise Uniqueness(f'A group with displayName "{name}" already exists.') from exc
        except ValidationError as exc:
            raise InvalidValue(validation_detail(exc)) from exc
        return True, (old_name if old_name is not None and name != old_name else None)


def _group_fields(doc):
    fields = group_fields_from_document(doc)
    check_lengths(HostGroup, fields, lambda n: {"name": "displayName"}.get(n, "externalId"))
    return fields


def _unchanged(group, fields, doc):
    """Whether writing ``fields`` and ``doc`` would leave the directory's group as it is."""
    return (
        fields["name"] == group.name
        and fields["external_id"] == group.external_id
        and doc == group.directory_data
        and group.source == Source.DIRECTORY
    )
