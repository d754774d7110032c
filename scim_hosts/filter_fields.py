"""How each SCIM filter attribute becomes a Django Q object (``FilterField``), and the tables of
the User and Group attributes a filter may name.

The why of the strict, typed meaning is in ``filters.py``.

Each filter attribute has a kind that decides the lookups it accepts; anything else
(``gt`` on a boolean, ``co`` on an id, ...) is a 400 ``invalidFilter`` rather than a guess.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC

from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.db.models.lookups import (
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from scim_hosts.filter_elements import StoredValue
from scim_hosts.protocol.errors import InvalidFilter
from scim_hosts.protocol.filter_syntax import parse_bool
from scim_hosts.protocol.schema import ENTERPRISE_ATTRS, ENTERPRISE_URN, USER_SCHEMA
from scim_hosts.protocol.value_filters import Cmp
from visitor_mgmt.models import HostGroupMembership
from visitor_mgmt.services.text import normalise_for_column

MATCH_ALL = Q(pk__isnull=False)
MATCH_NONE = Q(pk__in=[])
# Hosts whose SCIM representation has "active": all but the directory's hosts whose
# "active" a PATCH removed (a host written by hand has no document, and shows its column).
WITHOUT_DOCUMENT = Q(directory_data={})
ASSIGNED_ACTIVE = WITHOUT_DOCUMENT | Q(directory_data__has_key="active")

TEXT_LOOKUPS = {
    True: {
        "eq": "iexact",
        "ne": "iexact",
        "co": "icontains",
        "sw": "istartswith",
        "ew": "iendswith",
    },
    False: {"eq": "exact", "ne": "exact", "co": "contains", "sw": "startswith", "ew": "endswith"},
}
ORDER_LOOKUPS = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
# The same orderings on UPPER() of both sides, for strings compared ignoring case.
UPPER_ORDER = {"gt": GreaterThan, "ge": GreaterThanOrEqual, "lt": LessThan, "le": LessThanOrEqual}


def _bad(detail):
    return InvalidFilter(detail)


@dataclass(frozen=True)
class FilterField:
    """How one SCIM attribute is filtered. ``columns``: OR-ed text columns."""

    kind: str  # text, bool, datetime, uuid, json, members
    columns: tuple = ()
    case_insensitive: bool = True

    def q(self, op, value, label):
        builder = getattr(self, f"_{self.kind}")
        return builder(op, value, label)

    def _text(self, op, value, label):
        if op == "pr":
            return _any(~Q(**{c: ""}) for c in self.columns)
        if value is None:
            if op in ("eq", "ne"):
                q = _all(Q(**{c: ""}) for c in self.columns)
                return q if op == "eq" else ~q
            raise _bad(f"Cannot compare {label} with null using {op!r}.")
        if isinstance(value, bool):
            raise _bad(f"{label} is a string; it cannot be compared with a boolean.")
        value = str(value)
        # Host columns hold the core's normal form (look-alikes are equal; see
        # visitor_mgmt/services/text.py), so the value is compared in it too.
        if op in ORDER_LOOKUPS:
            # RFC 7644 §3.4.2.2: a caseExact=false string orders ignoring case; the columns'
            # collations (binary on SQLite) would not.
            # A blank column is an absent attribute, which no comparison matches.
            if self.case_insensitive:
                return _any(
                    Q(UPPER_ORDER[op](Upper(c), Upper(Value(normalise_for_column(c, value)))))
                    & ~Q(**{c: ""})
                    for c in self.columns
                )
            return _any(
                Q(**{f"{c}__{ORDER_LOOKUPS[op]}": normalise_for_column(c, value)}) & ~Q(**{c: ""})
                for c in self.columns
            )
        lookup = TEXT_LOOKUPS[self.case_insensitive][op]
        q = _any(Q(**{f"{c}__{lookup}": normalise_for_column(c, value)}) for c in self.columns)
        return ~q if op == "ne" else q

    def _username(self, op, value, label):
        """userName: the host's username, or its e-mail while it has no username (a manual
        or CSV host shows its e-mail as userName, so a directory's matching query finds it:
        see ``HostFilterQuery.unique_match``)."""
        if op == "pr":
            return ~Q(username="") | ~Q(email="")
        if value is None:
            if op in ("eq", "ne"):
                q = Q(username="", email="")
                return q if op == "eq" else ~q
            raise _bad(f"Cannot compare {label} with null using {op!r}.")
        if isinstance(value, bool):
            raise _bad(f"{label} is a string; it cannot be compared with a boolean.")
        value = str(value)
        lookup = ORDER_LOOKUPS.get(op) or TEXT_LOOKUPS[True][op]
        by_email = Q(username="") & Q(**{f"email__{lookup}": value})
        if op in ORDER_LOOKUPS:
            by_email &= ~Q(email="")  # neither: no userName, which no ordering matches
        q = (~Q(username="") & Q(**{f"username__{lookup}": value})) | by_email
        return ~q if op == "ne" else q

    def _bool(self, op, value, label):
        if op == "pr":
            return ASSIGNED_ACTIVE
        parsed = parse_bool(value)
        if op not in ("eq", "ne") or parsed is None:
            raise _bad(f"{label} is a boolean: use eq/ne with true or false.")
        # An unassigned "active" (removed by a PATCH) equals neither true nor false, as GET
        # does not show it; the host itself counts as active.
        q = Q(**{self.columns[0]: parsed}) & ASSIGNED_ACTIVE
        return q if op == "eq" else ~q

    def _datetime(self, op, value, label):
        if op == "pr":
            return MATCH_ALL
        if op in ("co", "sw", "ew"):
            raise _bad(f"{label} is a date-time: {op!r} is not supported.")
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            raise _bad(f"{label} needs an ISO 8601 date-time, got {value!r}.")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)  # RFC 7643 §2.3.5: no offset is UTC
        column = self.columns[0]
        if op in ("eq", "ne"):
            q = Q(**{column: moment})
            return q if op == "eq" else ~q
        return Q(**{f"{column}__{ORDER_LOOKUPS[op]}": moment})

    def _uuid(self, op, value, label):
        if op == "pr":
            return MATCH_ALL
        if op not in ("eq", "ne"):
            raise _bad(f"{label} supports eq, ne and pr.")
        try:
            q = Q(**{self.columns[0]: uuid.UUID(str(value))})
        except (ValueError, TypeError, AttributeError):
            q = MATCH_NONE  # not an id this service issued: nothing has it
        return q if op == "eq" else ~q

    def _json(self, op, value, label):
        """A string kept in the stored document (the manager reference)."""
        column = self.columns[0]
        if op == "pr":
            return Q(**{f"{column}__isnull": False})
        if op not in ("eq", "ne") or not isinstance(value, str):
            raise _bad(f"{label} supports eq, ne and pr with a string.")
        q = Q(**{column: value})
        return q if op == "eq" else ~Q(q & Q(**{f"{column}__isnull": False}))

    def _stored(self, op, value, label):
        """A string only the stored document keeps (nickName, locale, costCenter, ...)."""
        if op != "pr" and value is None and op not in ("eq", "ne"):
            raise _bad(f"Cannot compare {label} with null using {op!r}.")
        if isinstance(value, bool):
            raise _bad(f"{label} is a string; it cannot be compared with a boolean.")
        cmp = Cmp("", "string", op, None if value is None else str(value))
        return Q(StoredValue(self.columns, cmp))

    def _resource_type(self, op, value, label):
        """meta.resourceType: the same for every resource of an endpoint."""
        if op == "pr":
            return MATCH_ALL
        if op not in ("eq", "ne") or not isinstance(value, str):
            raise _bad(f"{label} supports eq, ne and pr with a string.")
        return MATCH_ALL if (value == self.columns[0]) == (op == "eq") else MATCH_NONE

    def _members(self, op, value, label):
        memberships = HostGroupMembership.objects.filter(host__deleted_at__isnull=True)
        if op == "pr":
            return Q(pk__in=memberships.values("group_id"))
        if op not in ("eq", "ne"):
            raise _bad(f"{label} supports eq, ne and pr.")
        try:
            member = uuid.UUID(str(value))
        except (ValueError, TypeError, AttributeError):
            q = MATCH_NONE
        else:
            q = Q(pk__in=memberships.filter(host__public_id=member).values("group_id"))
        return q if op == "eq" else ~q


def _any(qs):
    qs = list(qs)
    out = qs[0]
    for q in qs[1:]:
        out |= q
    return out


def _all(qs):
    qs = list(qs)
    out = qs[0]
    for q in qs[1:]:
        out &= q
    return out


MANAGER_KEY = f"directory_data__{ENTERPRISE_URN}__manager__value"

# (attribute, sub-attribute or None) in lower case → field.
USER_FIELDS = {
    ("id", None): FilterField("uuid", ("public_id",)),
    ("username", None): FilterField("username"),
    ("externalid", None): FilterField("text", ("external_id",), case_insensitive=False),
    ("displayname", None): FilterField("text", ("display_name",)),
    ("title", None): FilterField("text", ("title",)),
    ("active", None): FilterField("bool", ("is_active",)),
    ("name", "givenname"): FilterField("text", ("first_name",)),
    ("name", "familyname"): FilterField("text", ("last_name",)),
    ("department", None): FilterField("text", ("department",)),
    ("organization", None): FilterField("text", ("organization",)),
    ("manager", None): FilterField("json", (MANAGER_KEY,)),
    ("manager", "value"): FilterField("json", (MANAGER_KEY,)),
    ("meta", "lastmodified"): FilterField("datetime", ("updated_at",)),
    ("meta", "created"): FilterField("datetime", ("created_at",)),
    ("meta", "resourcetype"): FilterField("resource_type", ("User",)),
}


# Built once at import: mutmut cannot switch such code per mutant (the module is
# imported before its workers fork), so it is left out; the filter tests pin the table.
def _stored_fields():  # pragma: no mutate block
    """Single-valued strings no column holds, filtered in the stored document."""
    out = {}
    for urn, attrs in ((None, USER_SCHEMA.attrs), (ENTERPRISE_URN, ENTERPRISE_ATTRS)):
        for attr in attrs:
            if attr.multi or attr.read_only or attr.name == "manager":  # manager: above
                continue
            prefix = (urn,) if urn else ()
            subs = attr.sub if attr.is_complex else (None,)
            for sub in subs:
                if sub is not None and (sub.multi or sub.is_complex or sub.read_only):
                    continue
                if (sub or attr).type not in ("string", "reference"):
                    continue
                key = (attr.name.lower(), sub.name.lower() if sub else None)
                if key not in USER_FIELDS and not (attr.is_complex and sub is None):
                    keys = (*prefix, attr.name, *((sub.name,) if sub else ()))
                    out[key] = FilterField("stored", keys)
    return out


USER_FIELDS.update(_stored_fields())
# Attributes that live under the enterprise extension.
ENTERPRISE_FILTER_ATTRS = frozenset(
    {"department", "organization", "manager"} | {a.name.lower() for a in ENTERPRISE_ATTRS}
)

# Multi-valued attributes filtered over every value GET returns (filter_elements.py).
USER_MULTI_VALUED = {
    a.name.lower(): a for a in USER_SCHEMA.attrs if a.multi and a.is_complex and not a.read_only
}

GROUP_FIELDS = {
    ("id", None): FilterField("uuid", ("public_id",)),
    ("displayname", None): FilterField("text", ("name",)),
    ("externalid", None): FilterField("text", ("external_id",), case_insensitive=False),
    ("members", None): FilterField("members"),
    ("members", "value"): FilterField("members"),
    ("meta", "lastmodified"): FilterField("datetime", ("updated_at",)),
    ("meta", "created"): FilterField("datetime", ("created_at",)),
    ("meta", "resourcetype"): FilterField("resource_type", ("Group",)),
}
