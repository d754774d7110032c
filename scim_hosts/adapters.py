"""django-scim2 adapters: SCIM User ⇄ Host, SCIM Group ⇄ HostGroup.

They subclass django-scim2's ``SCIMUser`` / ``SCIMGroup`` and override what the library
does with Django's auth models: the SCIM ``id`` is ``public_id``; a resource's SCIM body is
its stored document (``directory_data``, see ``documents.py``) projected onto model fields
through ``mapping.py``; writes go through ``visitor_mgmt.services.hosts`` with
``via_directory=True``; PATCH goes through ``patch.py``; group members are written with the
bulk membership services and read with one query per page.

Every write leaves a ``Change`` on ``request.scim_change`` for the provisioning log.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.exceptions import SCIMException

from scim_hosts.documents import clean_group_document, clean_user_document
from scim_hosts.errors import InvalidPath, InvalidValue, NoTarget, Uniqueness
from scim_hosts.events import Change
from scim_hosts.locations import absolute, base_location, collection_path, scim_datetime
from scim_hosts.mapping import (
    EMAIL_FIELDS,
    document_from_group,
    document_from_host,
    group_fields_from_document,
    host_fields_from_document,
    scim_path_of,
)
from scim_hosts.patch import apply_operations, parse_operations
from scim_hosts.paths import PathError, find_key, or_equalities, parse_path
from scim_hosts.schema import (
    CORE_GROUP_URN,
    CORE_USER_URN,
    ENTERPRISE_URN,
    GROUP_SCHEMA,
    USER_SCHEMA,
)
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership, Source
from visitor_mgmt.services import hosts as host_services
from visitor_mgmt.services.text import normalise_host_values


def get_host_model():
    return Host


# ------------------------------------------------------------------ attribute selection


# Distinct paths one ``attributes`` or ``excludedAttributes`` list may name. Applying a
# selection costs paths x resources; the schemas have a few dozen paths in all, so more is
# never useful (20,000 paths stalled a worker for 30 s).
MAX_SELECTED_PATHS = 50
# Longer than any attribute path of the schemas (URN + name + sub-attribute).
MAX_PATH_LENGTH = 200


class AttributeSelection:
    """RFC 7644 §3.9 ``attributes`` / ``excludedAttributes`` applied to a resource dict."""

    def __init__(self, schema, attributes=None, excluded=None):
        self.schema = schema
        self.includes = self._parse(_distinct(attributes, "attributes"))
        self.excludes = (
            [] if self.includes else self._parse(_distinct(excluded, "excludedAttributes"))
        )

    @classmethod
    def from_params(cls, schema, attributes, excluded):
        return cls(schema, _split(attributes), _split(excluded))

    def _parse(self, names):
        paths = []
        for name in names or ():
            try:
                path = parse_path(name, self.schema)
            except PathError:
                continue  # RFC: unknown attribute names are ignored
            if path.filter is None:
                paths.append(path)
        return paths

    def wants(self, attr):
        if self.includes:
            return any(p.urn is None and p.attr.lower() == attr.lower() for p in self.includes)
        return not any(
            p.urn is None and p.attr and p.attr.lower() == attr.lower() and p.sub is None
            for p in self.excludes
        )

    def apply(self, resource):
        if self.includes:
            out = {"schemas": resource["schemas"], "id": resource["id"]}
            for path in self.includes:
                _copy_path(resource, out, path)
            return out
        if self.excludes:
            out = dict(resource)
            for path in self.excludes:
                _remove_path(out, path)
            return out
        return resource


def _distinct(names, param):
    """``names`` without repeats (paths are case-insensitive), at most MAX_SELECTED_PATHS.

    Over the cap is a 400 ``invalidValue`` (RFC 7644 §3.12: the value is not compatible
    with the operation) rather than a silent cut, so a client never gets a response shaped
    by a selection other than the one it asked for.
    """
    distinct = {}
    for name in names or ():
        distinct.setdefault(name.lower(), name)
        if len(distinct) > MAX_SELECTED_PATHS:
            raise InvalidValue(
                f'"{param}" names more than {MAX_SELECTED_PATHS} distinct attribute paths.'
            )
    # Names longer than any path of the schemas are unknown, hence ignored (RFC 7644 §3.9).
    return [name for name in distinct.values() if len(name) <= MAX_PATH_LENGTH]


def _split(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def _holder(resource, path, *, create=False):
    if path.urn is None:
        return resource
    key = find_key(resource, path.urn)
    if key is None:
        if not create:
            return None
        resource[path.urn] = {}
        key = path.urn
    return resource[key] if isinstance(resource[key], dict) else None


def _copy_path(source, target, path):
    holder = _holder(source, path)
    if holder is None:
        return
    if path.attr is None:  # a whole extension
        key = find_key(source, path.urn)
        target[key] = source[key]
        return
    key = find_key(holder, path.attr)
    if key is None:
        return
    value = holder[key]
    out_holder = _holder(target, path, create=True)
    if path.sub is None:
        out_holder[key] = value
    elif isinstance(value, dict):
        sub_key = find_key(value, path.sub)
        if sub_key is not None:
            out_holder.setdefault(key, {})[sub_key] = value[sub_key]
    elif isinstance(value, list):
        picked = []
        for element in value:
            sub_key = find_key(element, path.sub) if isinstance(element, dict) else None
            if sub_key is not None:
                picked.append({sub_key: element[sub_key]})
        if picked:
            out_holder[key] = picked


def _remove_path(resource, path):
    if path.urn is None and path.attr and path.attr.lower() in ("id", "schemas"):
        return
    if path.attr is None:
        key = find_key(resource, path.urn)
        if key is not None:
            resource.pop(key)
        return
    holder = _holder(resource, path)
    if holder is None:
        return
    if holder is not resource:  # never mutate the nested objects of the stored document
        holder = dict(holder)
        resource[find_key(resource, path.urn)] = holder
    key = find_key(holder, path.attr)
    if key is None:
        return
    if path.sub is None:
        holder.pop(key)
        return
    value = holder[key]
    if isinstance(value, dict):
        holder[key] = {k: v for k, v in value.items() if k.lower() != path.sub.lower()}
    elif isinstance(value, list):
        holder[key] = [
            {k: v for k, v in e.items() if k.lower() != path.sub.lower()}
            if isinstance(e, dict)
            else e
            for e in value
        ]


def selection_for(request, schema):
    selection = getattr(request, "scim_attributes", None)
    if selection is None or selection.schema is not schema:
        params = getattr(request, "GET", {})
        selection = AttributeSelection.from_params(
            schema, params.get("attributes"), params.get("excludedAttributes")
        )
    return selection


# ------------------------------------------------------------------ common


class ResourceAdapterMixin:
    id_field = "public_id"
    schema = None

    def __init__(self, obj, request=None):
        super().__init__(obj, request=request)
        self.new_doc = None

    @property
    def id(self):
        return str(self.obj.public_id)

    @property
    def path(self):
        return f"{collection_path(self.url_name)}/{self.id}"

    @property
    def location(self):
        return base_location(self._request) + self.path

    @property
    def account(self):
        return self.request.scim_account

    @property
    def meta(self):
        return {
            "resourceType": self.resource_type,
            "created": scim_datetime(self.obj.created_at),
            "lastModified": scim_datetime(self.obj.updated_at),
            "location": self.location,
        }

    def retarget(self, obj):
        """An adapter that writes this request's validated document to ``obj`` instead:
        the existing resource a POST links (see views.ScimResourceMixin.post)."""
        other = type(self)(obj, request=self.request)
        other.new_doc = self.new_doc
        return other

    def record(self, action, reason=""):
        self.request.scim_change = Change(
            action=action,
            resource_type=self.resource_type,
            resource_id=self.id,
            resource_name=self.display_name,
            reason=reason,
        )

    @classmethod
    def resource_type_dict(cls, request=None):
        schema_extensions = [
            {"schema": urn, "required": False} for urn in cls.schema.extension_urns
        ]
        d = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": cls.resource_type,
            "name": cls.resource_type,
            "endpoint": "/" + collection_path(cls.url_name).rsplit("/", 1)[-1],
            "description": cls.resource_type_description,
            "schema": cls.schema.core_urn,
        }
        if schema_extensions:
            d["schemaExtensions"] = schema_extensions
        d["meta"] = {
            "location": absolute("scim:resource-types", uuid=cls.resource_type),
            "resourceType": "ResourceType",
        }
        return d

    @classmethod
    def prefetch(cls, adapters):
        """Load what ``to_dict`` needs for a page of resources in O(1) queries."""


def _check_lengths(model, fields, label_of):
    for name, value in fields.items():
        max_length = getattr(model._meta.get_field(name), "max_length", None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            raise InvalidValue(f'"{label_of(name)}" is longer than {max_length} characters.')


LINKED_SOURCES = {Source.MANUAL: "manual", Source.CSV: "CSV"}


def linked_reason(noun, name, source):
    return f'Linked existing {noun} "{name}" (was {LINKED_SOURCES.get(source, source)})'


def _validation_detail(exc):
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


# ------------------------------------------------------------------ users


def _users_location():
    return base_location() + collection_path("scim:users")


def _manager_id(doc):
    """The manager id stored under the enterprise extension, or None."""
    extension = doc.get(ENTERPRISE_URN)
    manager = extension.get("manager") if isinstance(extension, dict) else None
    value = manager.get("value") if isinstance(manager, dict) else None
    return value if isinstance(value, str) and value else None


def _uuid_key(value):
    parsed = _uuid_or_none(value)
    return str(parsed) if parsed else None


def _manager_names(account, manager_ids):
    """{manager id (canonical UUID text): displayName} for the live hosts among the ids."""
    wanted = {parsed for i in manager_ids if (parsed := _uuid_or_none(i)) is not None}
    if not wanted:
        return {}
    rows = Host.objects.filter(
        account=account, deleted_at__isnull=True, public_id__in=wanted
    ).values_list("public_id", "display_name")
    return {str(public_id): name for public_id, name in rows}


class SCIMHost(ResourceAdapterMixin, SCIMUser):
    url_name = "scim:users"
    resource_type = "User"
    unique_attribute = "userName"
    resource_type_description = "A host: an employee visitors come to see"
    schema = USER_SCHEMA

    def __init__(self, obj, request=None):
        super().__init__(obj, request=request)
        self._manager_names = None  # {manager id: displayName}, set for a page by prefetch

    @property
    def display_name(self):
        return self.obj.username or self.obj.name

    def document(self):
        return self.obj.directory_data or document_from_host(self.obj)

    def to_dict(self):
        doc = self.document()
        schemas = [CORE_USER_URN] + [
            k for k, v in doc.items() if k.lower().startswith("urn:") and isinstance(v, dict)
        ]
        d = {"schemas": schemas, "id": self.id}
        d.update((k, v) for k, v in doc.items() if k != "active")
        if "active" in doc:  # removed by a PATCH, "active" is unassigned and not returned
            d["active"] = self.obj.is_active
        manager_id = _manager_id(doc)
        if manager_id is not None:
            d[ENTERPRISE_URN] = {**doc[ENTERPRISE_URN], "manager": self._manager(manager_id)}
        d["meta"] = self.meta
        return selection_for(self.request, self.schema).apply(d)

    def _manager(self, manager_id):
        """RFC 7643 §4.3: the manager's id, the URI of its User and, when that user exists
        here and has one, its displayName (read at GET time, so a rename shows at once)."""
        if self._manager_names is None:
            self._manager_names = _manager_names(self.account, [manager_id])
        reference = {"value": manager_id, "$ref": f"{_users_location()}/{manager_id}"}
        name = self._manager_names.get(_uuid_key(manager_id))
        if name:
            reference["displayName"] = name
        return reference

    @classmethod
    def prefetch(cls, adapters):
        """The displayNames of a page's managers, in one query (none without managers)."""
        ids = [i for a in adapters if (i := _manager_id(a.document())) is not None]
        names = _manager_names(adapters[0].account, ids) if ids else {}
        for adapter in adapters:
            adapter._manager_names = names

    # django-scim2 calls validate_dict, from_dict, save (POST, PUT).
    def validate_dict(self, d):
        self.new_doc = clean_user_document(d, USER_SCHEMA, default_active=True)

    def from_dict(self, d):
        if self.new_doc is None:
            self.validate_dict(d)

    def save(self):
        self._write(self.new_doc)

    def delete(self):
        host_services.host_delete(host=self.obj, via_directory=True)
        self.record("deleted")

    def handle_operations(self, operations):
        self.apply_patch({"Operations": operations})

    def apply_patch(self, body):
        operations = parse_operations(body, USER_SCHEMA, resource_id=self.id)
        new_doc = apply_operations(self.document(), operations)
        self._write(clean_user_document(new_doc, USER_SCHEMA))

    # -- writing ------------------------------------------------------------------------

    def _fields(self, doc):
        # The normal form the core stores and matches hosts in (look-alikes are one host);
        # the document itself keeps what Entra sent.
        fields = normalise_host_values(host_fields_from_document(doc))
        _check_lengths(Host, fields, scim_path_of)
        for name in EMAIL_FIELDS:
            if fields[name]:
                try:
                    EmailValidator()(fields[name])
                except ValidationError as exc:
                    raise InvalidValue(
                        f'"{scim_path_of(name)}" is not a valid e-mail address.'
                    ) from exc
        return fields

    def _write(self, doc):
        fields = self._fields(doc)
        creating = self.obj.pk is None
        before = None if creating else {name: getattr(self.obj, name) for name in fields}
        # userName uniqueness (per account, any letter case, live hosts) is the partial unique
        # index's to enforce: no SELECT beforehand, which would cost every create a query and
        # still lose to a parallel request. The view runs each write in one transaction, so
        # the IntegrityError rolls it all back (no savepoint needed) and becomes a 409.
        try:
            if creating:
                self.obj = host_services.host_create(
                    account=self.account, source=Source.DIRECTORY, directory_data=doc, **fields
                )
            else:
                changed = [n for n in fields if before[n] != fields[n]]
                linked_from = None if self.obj.is_directory_managed else self.obj.source
                if not changed and doc == self.obj.directory_data and not linked_from:
                    return  # the same state again: no write, no log entry
                if linked_from:
                    host_services.host_adopt_for_directory(host=self.obj)
                self.obj = host_services.host_update(
                    host=self.obj, via_directory=True, directory_data=doc, **fields
                )
        except IntegrityError as exc:
            raise Uniqueness(
                f'A user with userName "{fields["username"]}" already exists.'
            ) from exc
        except ValidationError as exc:
            raise InvalidValue(_validation_detail(exc)) from exc
        if creating:
            self.record("created")
            return
        changed = [n for n in fields if before[n] != fields[n]]
        if linked_from:
            self.record("linked", linked_reason("host", self.obj.name, linked_from))
            return
        if "is_active" in changed:
            action = "reactivated" if fields["is_active"] else "deactivated"
        else:
            action = "updated"
        names = [scim_path_of(n) for n in changed if n != "is_active"]
        self.record(action, ("Changed: " + ", ".join(names)) if names else "")


# ------------------------------------------------------------------ groups


# Distinct member ids one request may name (added, removed or set). Entra sends a few
# hundred at most; larger groups are written over several requests.
MAX_MEMBERS_PER_REQUEST = 1000


def _member_values(value, number):
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if item is None:
            continue
        member = item.get(find_key(item, "value") or "value") if isinstance(item, dict) else item
        if not isinstance(member, str):
            raise InvalidValue(f'Operation {number}: each member needs a string "value".')
        out.append(member)
    return out


def _uuid_or_none(value):
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
                self.add(_member_values(operation.value, operation.number))
            else:
                self.remove(ids)
        elif op == "add":
            self.add(_member_values(value, operation.number))
        elif op == "replace":
            self.set(_member_values(value, operation.number))
        elif value is None or value == []:
            self.set([])  # RFC 7644: remove "members" without a value removes them all
        else:
            self.remove(_member_values(value, operation.number))

    @property
    def empty(self):
        return self.replace is None and not self.adds and not self.removes


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
        selection = selection_for(self.request, self.schema)
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
            self._members = self._load_members([self.obj.pk])[self.obj.pk]
        return self._members

    @classmethod
    def _load_members(cls, group_pks):
        users = _users_location()
        rows = (
            HostGroupMembership.objects.filter(
                group_id__in=group_pks, host__deleted_at__isnull=True
            )
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

    @classmethod
    def prefetch(cls, adapters):
        if not adapters:
            return
        selection = selection_for(adapters[0].request, cls.schema)
        if not selection.wants("members"):
            return
        members = cls._load_members([a.obj.pk for a in adapters])
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
            self.new_members.set(_member_values(members, 1))

    def from_dict(self, d):
        if self.new_doc is None:
            self.validate_dict(d)

    def save(self):
        creating = self.obj.pk is None
        members = self.new_members
        if creating and members is not None and not members.replace:
            members = None  # a new group is empty already
        wrote, renamed_from = self._write(self.new_doc)
        counts = self._apply_members(members) if members is not None else None
        if creating:
            self.record("created", _member_note(counts))
        elif self.linked_from:
            self._record_link(counts)
        elif wrote or _member_note(counts):
            self._record_update(renamed_from, counts)

    def delete(self):
        host_services.host_group_delete(group=self.obj, via_directory=True)
        self.record("deleted")

    def handle_operations(self, operations):
        self.apply_patch({"Operations": operations})

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
        delta = MemberDelta(was_member=self._was_member)
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
        counts = self._apply_members(delta) if not delta.empty else None
        if self.linked_from:
            self._record_link(counts)
        elif wrote or _member_note(counts):
            self._record_update(renamed_from, counts)

    def _was_member(self, member_id):
        member_uuid = _uuid_or_none(member_id)
        return member_uuid is not None and (
            HostGroupMembership.objects.filter(
                group=self.obj, host__public_id=member_uuid, host__deleted_at__isnull=True
            ).exists()
        )

    def _record_link(self, counts):
        notes = [linked_reason("group", self.obj.name, self.linked_from), _member_note(counts)]
        self.record("linked", "; ".join(n for n in notes if n))

    def _record_update(self, renamed_from, counts):
        notes = [f'Renamed from "{renamed_from}"'] if renamed_from is not None else []
        member_note = _member_note(counts)
        if member_note:
            notes.append(member_note)
        added, removed, replaced = counts or (0, 0, None)
        if renamed_from is not None:
            action = "renamed"
        elif replaced is not None:
            action = "members-replaced"
        elif added and removed:
            action = "members-updated"
        elif added:
            action = "members-added"
        elif removed:
            action = "members-removed"
        else:
            action = "updated"
        self.record(action, "; ".join(notes))

    # -- writing ------------------------------------------------------------------------

    def _write(self, doc):
        """Create or update the group's own attributes: (wrote, old name if renamed)."""
        fields = group_fields_from_document(doc)
        _check_lengths(HostGroup, fields, lambda n: {"name": "displayName"}.get(n, "externalId"))
        name = fields["name"]
        creating = self.obj.pk is None
        # displayName uniqueness (per account, any letter case) is the unique index's to
        # enforce, as userName's: the IntegrityError below becomes the 409.
        old_name = None if creating else self.obj.name
        if not creating and (
            name == self.obj.name
            and fields["external_id"] == self.obj.external_id
            and doc == self.obj.directory_data
            and self.obj.source == Source.DIRECTORY
        ):
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
            raise InvalidValue(_validation_detail(exc)) from exc
        return True, (old_name if old_name is not None and name != old_name else None)

    def _apply_members(self, delta):
        """Write a MemberDelta with the bulk services: (added, removed, replaced or None)."""
        must_exist = set(delta.replace if delta.replace is not None else delta.adds)
        if len(must_exist | delta.removes) > MAX_MEMBERS_PER_REQUEST:
            raise InvalidValue(
                f'"members": at most {MAX_MEMBERS_PER_REQUEST} member ids per request.'
            )
        parsed = {}
        for value in must_exist | delta.removes:
            member_uuid = _uuid_or_none(value)
            if member_uuid is not None:
                parsed[value] = member_uuid
            elif value in must_exist:
                raise InvalidValue(f'"{value}" is not the id of a user of this service.')
        if delta.replace is not None:
            return self._replace_members(delta.replace, parsed)
        # Adds and removes go straight to the services by public id: one statement each,
        # tenant-scoped in SQL, whatever the size of the group.
        removed = added = 0
        if delta.removes:
            removed = host_services.host_group_members_remove(
                group=self.obj,
                host_public_ids=[parsed[v] for v in delta.removes if v in parsed],
                via_directory=True,
            )
        if delta.adds:
            wanted = {parsed[v] for v in delta.adds}
            added = host_services.host_group_members_add(
                group=self.obj, host_public_ids=wanted, via_directory=True
            )
            if added < len(wanted):
                # Some were members already, or are no hosts of this account: which? An
                # unknown id is a 400, and the request's transaction undoes this PATCH.
                self._check_members_exist(delta.adds, parsed)
        return added, removed, None

    def _check_members_exist(self, values, parsed):
        known = set(
            Host.objects.filter(
                account=self.account,
                deleted_at__isnull=True,
                public_id__in={parsed[v] for v in values},
            ).values_list("public_id", flat=True)
        )
        missing = sorted(v for v in values if parsed[v] not in known)
        if missing:
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            raise InvalidValue(f"Unknown member id(s) for this account: {shown}.")

    def _replace_members(self, values, parsed):
        found = {}
        if parsed:
            found = dict(
                Host.objects.filter(
                    account=self.account,
                    deleted_at__isnull=True,
                    public_id__in=set(parsed.values()),
                ).values_list("public_id", "id")
            )
        missing = sorted(v for v in values if parsed.get(v) not in found)
        if missing:
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            raise InvalidValue(f"Unknown member id(s) for this account: {shown}.")
        host_ids = {found[parsed[v]] for v in values}
        host_services.host_group_members_set(group=self.obj, host_ids=host_ids, via_directory=True)
        return 0, 0, len(host_ids)


def _member_note(counts):
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
