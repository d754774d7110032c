"""The one mapping between SCIM resources and the product's hosts and host groups.

The SCIM adapters project a stored SCIM document onto Host/HostGroup fields with it, and
the "SCIM attribute mappings" reference page is rendered from it, so the two cannot drift.
"""

from dataclasses import dataclass

ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
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
