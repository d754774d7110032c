"""What this service knows about SCIM attributes (RFC 7643), in one table.

The PATCH engine, the document cleaner, the filter and the /Schemas endpoint all read it, so
what /Schemas advertises is what the code does. Attribute names are case-insensitive in
SCIM; ``Attr.sub_attr`` and ``ResourceSchema.core_attr`` look them up that way and give back
the canonical spelling that documents are stored with.
"""

from dataclasses import dataclass

CORE_USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"


@dataclass(frozen=True)
class Attr:
    name: str
    type: str = "string"  # string, boolean, complex, reference, dateTime, binary
    multi: bool = False
    sub: tuple = ()
    mutability: str = "readWrite"
    returned: str = "default"
    case_exact: bool = False
    required: bool = False
    uniqueness: str = "none"
    description: str = ""
    canonical_values: tuple = ()
    reference_types: tuple = ()
    # Multi-valued attributes whose elements are told apart by "type" (RFC 7643 §2.4):
    # an "add" of an element whose type already exists updates that element.
    unique_type: bool = False

    def sub_attr(self, name):
        lowered = name.lower()
        for sub in self.sub:
            if sub.name.lower() == lowered:
                return sub
        return None

    @property
    def is_complex(self):
        return self.type == "complex"

    @property
    def read_only(self):
        return self.mutability == "readOnly"

    def to_scim(self):
        """The attribute definition as /Schemas returns it."""
        d = {
            "name": self.name,
            "type": self.type,
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
        }
        if self.type in ("string", "reference", "binary"):
            d["caseExact"] = self.case_exact
        if self.canonical_values:
            d["canonicalValues"] = list(self.canonical_values)
        if self.reference_types:
            d["referenceTypes"] = list(self.reference_types)
        if self.sub:
            d["subAttributes"] = [s.to_scim() for s in self.sub]
        d.update(mutability=self.mutability, returned=self.returned, uniqueness=self.uniqueness)
        return d


# Called only while this module is imported: mutmut cannot switch such code per mutant (the
# module is imported before its workers fork), so it is left out; what it builds is pinned
# whole by tests/scim/protocol/schemas.json (/Schemas).
# pragma: no mutate start
def _multi_subs(value_type="string", *, types=(), value_desc="The value.", ref=False):
    subs = [
        Attr("value", value_type, description=value_desc),
        Attr("display", description="A human-readable name, primarily used for display."),
        Attr(
            "type",
            description="A label indicating the attribute's function.",
            canonical_values=types,
        ),
        Attr("primary", "boolean", description="Whether this is the primary value."),
    ]
    if ref:
        subs.append(Attr("$ref", "reference", description="The URI of the value."))
    return tuple(subs)


def _string(name, description, **kw):
    return Attr(name, "string", description=description, **kw)


# pragma: no mutate end


# Common attributes (RFC 7643 §3.1): present on every resource, never writable.
COMMON_ATTRS = (
    Attr("id", mutability="readOnly", returned="always", case_exact=True, uniqueness="server"),
    Attr("meta", "complex", mutability="readOnly"),
    Attr("schemas", mutability="readOnly", multi=True),
)

USER_ATTRS = (
    _string(
        "userName",
        "Unique identifier for the user (Entra: userPrincipalName); unique per account, "
        "case-insensitive.",
        required=True,
        uniqueness="server",
    ),
    Attr(
        "name",
        "complex",
        description="The components of the user's name.",
        sub=(
            _string("formatted", "The full name, formatted for display."),
            _string("familyName", "The family name (host last name)."),
            _string("givenName", "The given name (host first name)."),
            _string("middleName", "The middle name(s)."),
            _string("honorificPrefix", "The honorific prefix(es)."),
            _string("honorificSuffix", "The honorific suffix(es)."),
        ),
    ),
    _string("displayName", "The name displayed to visitors at the kiosk."),
    _string("nickName", "The casual way to address the user."),
    Attr(
        "profileUrl",
        "reference",
        description="A URI of the user's online profile.",
        reference_types=("external",),
    ),
    _string("title", "The user's job title."),
    _string("userType", "The relationship between the organization and the user."),
    _string("preferredLanguage", "The user's preferred written or spoken language."),
    _string("locale", "The user's default location."),
    _string("timezone", "The user's time zone, in IANA format."),
    Attr(
        "active",
        "boolean",
        description='Whether the host is active; "True"/"False" strings are accepted.',
    ),
    Attr(
        "emails",
        "complex",
        multi=True,
        unique_type=True,
        description='E-mail addresses: "work" (or the primary) notifies the host, "other" too.',
        sub=_multi_subs(types=("work", "home", "other"), value_desc="An e-mail address."),
    ),
    Attr(
        "phoneNumbers",
        "complex",
        multi=True,
        unique_type=True,
        description='Phone numbers: "mobile" receives SMS; "work" is the alternate number.',
        sub=_multi_subs(
            types=("work", "home", "mobile", "fax", "pager", "other"),
            value_desc="A phone number, returned exactly as sent.",
        ),
    ),
    Attr(
        "ims",
        "complex",
        multi=True,
        unique_type=True,
        description="Instant messaging addresses.",
        sub=_multi_subs(),
    ),
    Attr(
        "photos",
        "complex",
        multi=True,
        unique_type=True,
        description="URLs of images of the user.",
        sub=_multi_subs("reference", types=("photo", "thumbnail")),
    ),
    Attr(
        "addresses",
        "complex",
        multi=True,
        unique_type=True,
        description="Physical mailing addresses (stored and returned).",
        sub=(
            _string("formatted", "The full mailing address."),
            _string("streetAddress", "The street address."),
            _string("locality", "The city or locality."),
            _string("region", "The state or region."),
            _string("postalCode", "The zip code or postal code."),
            _string("country", "The country name."),
            Attr(
                "type",
                description="The kind of address.",
                canonical_values=("work", "home", "other"),
            ),
            Attr("primary", "boolean", description="Whether this is the primary address."),
        ),
    ),
    Attr(
        "entitlements",
        "complex",
        multi=True,
        description="Entitlements (stored and returned).",
        sub=_multi_subs(),
    ),
    Attr(
        "roles",
        "complex",
        multi=True,
        description="App roles (stored and returned exactly as sent, never interpreted).",
        sub=_multi_subs(),
    ),
    Attr(
        "x509Certificates",
        "complex",
        multi=True,
        description="Certificates (stored and returned).",
        sub=_multi_subs("binary"),
    ),
    _string("externalId", "The directory's identifier for the user.", case_exact=True),
    # Read-only in RFC 7643; this service does not return group memberships on users.
    Attr("groups", "complex", multi=True, mutability="readOnly", returned="never"),
)

ENTERPRISE_ATTRS = (
    _string("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
    _string("costCenter", "The cost center."),
    _string("organization", "The organization (host organization)."),
    _string("division", "The division."),
    _string("department", "The department (host department)."),
    Attr(
        "manager",
        "complex",
        description='The user\'s manager, returned as {"value": "<id>"}.',
        sub=(
            Attr("value", description="The id of the manager's User resource.", case_exact=True),
            Attr(
                "$ref",
                "reference",
                description="The URI of the manager's User resource.",
                reference_types=("User",),
            ),
            Attr("displayName", mutability="readOnly", description="The manager's name."),
        ),
    ),
)

GROUP_ATTRS = (
    _string(
        "displayName",
        "The group name; unique per account, case-insensitive.",
        required=True,
        uniqueness="server",
    ),
    Attr(
        "members",
        "complex",
        multi=True,
        description="Hosts of this account, by the id this service gave them.",
        sub=(
            Attr(
                "value",
                mutability="immutable",
                case_exact=True,
                description="The id of a User resource of this service.",
            ),
            Attr(
                "$ref",
                "reference",
                mutability="immutable",
                reference_types=("User",),
                description="The URI of the member.",
            ),
            Attr("display", mutability="readOnly", description="The member's name."),
        ),
    ),
    _string("externalId", "The directory's identifier for the group.", case_exact=True),
)


class ResourceSchema:
    """A resource type: its core attributes and the extensions it accepts by name."""

    # Runs at import only (USER_SCHEMA, GROUP_SCHEMA): left out of mutation, as above.
    # pragma: no mutate start
    def __init__(self, *, name, core_urn, attrs, extensions=None):
        self.name = name
        self.core_urn = core_urn
        self.attrs = attrs
        self._core = {a.name.lower(): a for a in (*COMMON_ATTRS, *attrs)}
        # urn (lower case) -> (canonical urn, {attr lower: Attr})
        self._extensions = {
            urn.lower(): (urn, {a.name.lower(): a for a in ext_attrs})
            for urn, ext_attrs in (extensions or {}).items()
        }

    # pragma: no mutate end

    def core_attr(self, name):
        return self._core.get(name.lower())

    def extension(self, urn):
        """(canonical urn, attrs by lower name) for a known extension URN, else None."""
        return self._extensions.get(urn.lower())

    @property
    def extension_urns(self):
        return [urn for urn, _attrs in self._extensions.values()]

    def extension_attr(self, urn, name):
        """Attribute ``name`` of the known extension ``urn`` (callers look the URN up first)."""
        return self.extension(urn)[1].get(name.lower())

    def extension_owning(self, name):
        """The extension URN that alone defines attribute ``name`` (e.g. manager), if any."""
        if name.lower() in self._core:
            return None
        for urn, attrs in self._extensions.values():
            if name.lower() in attrs:
                return urn
        return None

    def is_core_urn(self, urn):
        return urn.lower() == self.core_urn.lower()


USER_SCHEMA = ResourceSchema(
    name="User",
    core_urn=CORE_USER_URN,
    attrs=USER_ATTRS,
    extensions={ENTERPRISE_URN: ENTERPRISE_ATTRS},
)
GROUP_SCHEMA = ResourceSchema(name="Group", core_urn=CORE_GROUP_URN, attrs=GROUP_ATTRS)


def schema_documents():
    """The three schemas /Schemas describes (without meta; the view adds locations)."""
    visible = lambda attrs: [a.to_scim() for a in attrs if a.returned != "never"]  # noqa: E731
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": CORE_USER_URN,
            "name": "User",
            "description": "A host: an employee visitors come to see.",
            "attributes": visible(USER_ATTRS),
        },
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": ENTERPRISE_URN,
            "name": "EnterpriseUser",
            "description": "Enterprise User extension (department and organization are used).",
            "attributes": visible(ENTERPRISE_ATTRS),
        },
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": CORE_GROUP_URN,
            "name": "Group",
            "description": "A host group.",
            "attributes": visible(GROUP_ATTRS),
        },
    ]
