"""The one mapping between SCIM resources and the product's hosts and host groups.

The SCIM adapters project a stored SCIM document onto Host/HostGroup fields with it, and
the "SCIM attribute mappings" reference page is rendered from it, so the two cannot drift.
"""

from dataclasses import dataclass

from scim_hosts.protocol.filter_syntax import parse_bool
from scim_hosts.protocol.patch import apply_value
from scim_hosts.protocol.paths import parse_path, select
from scim_hosts.protocol.schema import ENTERPRISE_URN, USER_SCHEMA

CORE_USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"


@dataclass(frozen=True)
class AttributeMapping:
    scim_path: str  # as Entra's attribute-mapping screen writes the target attribute
    entra_source: str  # Entra's default source attribute (or expression)
    field: str | None  # Host / HostGroup field it fills; None: stored and echoed, not used
    required: bool = False
    note: str = ""


USER_MAPPINGS = (
    AttributeMapping(
        "userName",
        "userPrincipalName",
        "username",
        required=True,
        note="Matching attribute; unique per account, case-insensitive.",
    ),
    AttributeMapping(
        "active",
        'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
        "is_active",
        note="Inactive hosts are hidden from the kiosk.",
    ),
    AttributeMapping("displayName", "displayName", "display_name"),
    AttributeMapping("name.givenName", "givenName", "first_name"),
    AttributeMapping("name.familyName", "surname", "last_name"),
    AttributeMapping(
        "name.formatted",
        'Join(" ", [givenName], [surname])',
        None,
        note="Stored and returned; the host's name comes from the parts.",
    ),
    AttributeMapping("title", "jobTitle", "title"),
    AttributeMapping(
        'emails[type eq "work"].value',
        "mail",
        "email",
        note="Falls back to the primary e-mail when no work e-mail is sent.",
    ),
    AttributeMapping(
        'emails[type eq "other"].value',
        "proxyAddresses (optional)",
        "alternate_email",
        note="Also notified on visitor arrival.",
    ),
    AttributeMapping(
        'phoneNumbers[type eq "mobile"].value',
        "mobile",
        "mobile",
        note="Used for SMS notifications.",
    ),
    AttributeMapping('phoneNumbers[type eq "work"].value', "telephoneNumber", "alternate_mobile"),
    AttributeMapping(f"{ENTERPRISE_URN}:department", "department", "department"),
    AttributeMapping(f"{ENTERPRISE_URN}:organization", "companyName (optional)", "organization"),
    AttributeMapping(
        "externalId", "mailNickname (or objectId)", "external_id", note="Stored and filterable."
    ),
    AttributeMapping(f"{ENTERPRISE_URN}:employeeNumber", "employeeId", None),
    AttributeMapping(
        f"{ENTERPRISE_URN}:manager",
        "manager",
        None,
        note="Reference to another host's id; stored and returned.",
    ),
    AttributeMapping("preferredLanguage", "preferredLanguage", None),
    AttributeMapping('phoneNumbers[type eq "fax"].value', "facsimileTelephoneNumber", None),
    AttributeMapping('addresses[type eq "work"].formatted', "physicalDeliveryOfficeName", None),
    AttributeMapping('addresses[type eq "work"].streetAddress', "streetAddress", None),
    AttributeMapping('addresses[type eq "work"].locality', "city", None),
    AttributeMapping('addresses[type eq "work"].region', "state", None),
    AttributeMapping('addresses[type eq "work"].postalCode', "postalCode", None),
    AttributeMapping('addresses[type eq "work"].country', "country", None),
    AttributeMapping("roles", "AppRoleAssignmentsComplex / SingleAppRoleAssignment", None),
)

GROUP_MAPPINGS = (
    AttributeMapping(
        "displayName",
        "displayName",
        "name",
        required=True,
        note="Matching attribute; unique per account, case-insensitive.",
    ),
    AttributeMapping("externalId", "objectId", "external_id"),
    AttributeMapping(
        "members",
        "members",
        "members",
        note="Hosts of this account, by the id this service returned for them.",
    ),
)

# Anything else Entra sends (custom extension attributes, nickName, locale, ...) is
# accepted, stored in the resource's document and returned as sent; it never fails a
# request.


# ---------------------------------------------------------------------------------------
# Projection: a stored SCIM document -> Host / HostGroup field values, and back.
# Both directions are driven by the tables above.


def _parsed_paths(mappings, schema):
    return [(m, parse_path(m.scim_path, schema)) for m in mappings if m.field]


_USER_PATHS = _parsed_paths(USER_MAPPINGS, USER_SCHEMA)


def scim_path_of(field):
    """The SCIM attribute a Host field is filled from (for error messages)."""
    for m in USER_MAPPINGS:
        if m.field == field:
            return m.scim_path
    return field


def _first_string(values):
    for value in values:
        if isinstance(value, str):
            return value
    return ""


def _primary_email(doc):
    emails = doc.get("emails")
    if not isinstance(emails, list):
        return ""
    for element in emails:
        if isinstance(element, dict) and parse_bool(element.get("primary")) is True:
            value = element.get("value")
            if isinstance(value, str):
                return value
    return ""


def host_fields_from_document(doc):
    """Host field values for a cleaned SCIM User document (every mapped field)."""
    fields = {}
    for mapping, path in _USER_PATHS:
        values = select(doc, path)
        if mapping.field == "is_active":
            parsed = parse_bool(values[0]) if values else None
            fields["is_active"] = True if parsed is None else parsed
        else:
            fields[mapping.field] = _first_string(values)
    if not fields.get("email"):
        fields["email"] = _primary_email(doc)
    return fields


def document_from_host(host):
    """A SCIM User document for a host the directory never wrote (manual or CSV)."""
    doc = {}
    for mapping, path in _USER_PATHS:
        value = getattr(host, mapping.field)
        if mapping.field == "is_active" or value in ("", None):
            continue
        apply_value(doc, path, value)
    if host.email:
        for element in doc.get("emails", []):
            if element.get("type") == "work":
                element["primary"] = True
    if not host.username and host.email:
        # A host without a username is known by its e-mail: what a directory's matching
        # query (userName eq "...") finds it by, and what a link then stores as username.
        doc["userName"] = host.email
    doc["active"] = host.is_active
    return doc


def group_fields_from_document(doc):
    return {
        "name": doc.get("displayName", ""),
        "external_id": doc.get("externalId", "") if isinstance(doc.get("externalId"), str) else "",
    }


def document_from_group(group):
    doc = {"displayName": group.name}
    if group.external_id:
        doc["externalId"] = group.external_id
    return doc
