"""SCIM User ⇄ Host: the adapter django-scim2 calls (``USER_ADAPTER``).

A host's SCIM body is its stored document (``directory_data``) projected onto Host fields
through ``mapping.py``; writes go through ``visitor_mgmt.services.hosts`` with
``via_directory=True``; PATCH goes through the protocol's engine (``protocol/patch.py``).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django_scim.adapters import SCIMUser

from scim_hosts.adapters.common import (
    ResourceAdapterMixin,
    linked_reason,
    users_location,
    validation_detail,
)
from scim_hosts.adapters.members import uuid_or_none
from scim_hosts.mapping import document_from_host, host_fields_from_document, scim_path_of
from scim_hosts.protocol.documents import clean_user_document
from scim_hosts.protocol.errors import InvalidValue, Uniqueness
from scim_hosts.protocol.patch import apply_operations, parse_operations
from scim_hosts.protocol.schema import CORE_USER_URN, ENTERPRISE_URN, USER_SCHEMA
from visitor_mgmt import host_values
from visitor_mgmt.models import Host, Source
from visitor_mgmt.services import hosts as host_services
from visitor_mgmt.services.text import normalise_host_values


def _manager_id(doc):
    """The manager id stored under the enterprise extension, or None."""
    extension = doc.get(ENTERPRISE_URN)
    manager = extension.get("manager") if isinstance(extension, dict) else None
    value = manager.get("value") if isinstance(manager, dict) else None
    return value if isinstance(value, str) and value else None


def _uuid_key(value):
    parsed = uuid_or_none(value)
    return str(parsed) if parsed else None


def _manager_names(account, manager_ids):
    """{manager id (canonical UUID text): displayName} for the live hosts among the ids."""
    wanted = {parsed for i in manager_ids if (parsed := uuid_or_none(i)) is not None}
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
        return self.request.scim_attributes.apply(d)  # read by dispatch before the view ran

    def _manager(self, manager_id):
        """RFC 7643 §4.3: the manager's id, the URI of its User and, when that user exists
        here and has one, its displayName (read at GET time, so a rename shows at once)."""
        if self._manager_names is None:
            self._manager_names = _manager_names(self.account, [manager_id])
        reference = {"value": manager_id, "$ref": f"{users_location()}/{manager_id}"}
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

    def apply_patch(self, body):
        operations = parse_operations(body, USER_SCHEMA, resource_id=self.id)
        new_doc = apply_operations(self.document(), operations)
        self._write(clean_user_document(new_doc, USER_SCHEMA))

    # -- writing ------------------------------------------------------------------------

    def _fields(self, doc):
        # The normal form the core stores and matches hosts in (look-alikes are one host);
        # the document itself keeps what Entra sent.
        fields = normalise_host_values(host_fields_from_document(doc))
        # The core's rules for host values (visitor_mgmt/host_values.py), in SCIM's words.
        too_long = host_values.too_long(fields)
        if too_long:
            name, _length, limit = too_long[0]
            raise InvalidValue(f'"{scim_path_of(name)}" is longer than {limit} characters.')
        invalid = host_values.invalid_emails(fields)
        if invalid:
            raise InvalidValue(f'"{scim_path_of(invalid[0])}" is not a valid e-mail address.')
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
            raise InvalidValue(validation_detail(exc)) from exc
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
