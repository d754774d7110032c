"""What the User and Group adapters share: the SCIM id, meta, location, the
ResourceType document, and the provisioning-log ``Change`` each write leaves behind."""

from scim_hosts.locations import absolute, base_location, collection_path, scim_datetime
from scim_hosts.protocol.errors import InvalidValue
from scim_hosts.provisioning_log import Change
from visitor_mgmt.models import Source


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


def check_lengths(model, fields, label_of):
    for name, value in fields.items():
        max_length = getattr(model._meta.get_field(name), "max_length", None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            raise InvalidValue(f'"{label_of(name)}" is longer than {max_length} characters.')


LINKED_SOURCES = {Source.MANUAL: "manual", Source.CSV: "CSV"}


def linked_reason(noun, name, source):
    return f'Linked existing {noun} "{name}" (was {LINKED_SOURCES.get(source, source)})'


def validation_detail(exc):
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def users_location():
    return base_location() + collection_path("scim:users")
