"""Discovery resources: /ServiceProviderConfig and /Schemas, describing what the code does.

Settings name these for django-scim2 (``SERVICE_PROVIDER_CONFIG_MODEL``, ``SCHEMAS_GETTER``).
/Schemas is generated from ``schema.py``, the same table the PATCH engine and filters use.
"""

from django_scim.settings import scim_settings

from scim_hosts.locations import absolute
from scim_hosts.protocol.schema import schema_documents

MAX_RESULTS = 1000  # the largest "count" a list request is served with


class ServiceProviderConfig:
    def __init__(self, request=None):
        self.request = request

    def to_dict(self):
        return {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": list(scim_settings.AUTHENTICATION_SCHEMES),
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": absolute("scim:service-provider-config"),
            },
        }


def schemas():
    return schema_documents()
