"""SCIM filters → Django Q objects over an account-scoped queryset (all in SQL).

Built on scim2-filter-parser's Django Q transpiler (``transpilers.django_q_object``), with
the visitor methods that decide meaning overridden, because the stock transpiler

- compares every string case-insensitively (``externalId`` and ``id`` are caseExact),
- silently drops terms whose attribute it does not know (``a eq 1 and unknown eq 2``
  would widen to ``a eq 1``; here any unknown attribute is a 400 ``invalidFilter``),
- maps ``pr`` to ``IS NOT NULL`` (our text columns are never null, they are blank),
- cannot express value filters (``emails[type eq "work"].value``), the enterprise
  ``manager`` reference (kept in the stored document, queried by JSON key on PostgreSQL and
  SQLite alike) or group ``members``.

Multi-valued attributes (``emails``, ``phoneNumbers``, ...) match when any value GET returns
matches, and single-valued strings no column holds (``nickName``, ``name.middleName``,
``costCenter``, ...) are compared in the stored document: ``filter_elements.py``. What is
not stored as sent (the manager's computed ``$ref``, custom extensions) stays a 400.

Each filter attribute has a kind that decides the lookups it accepts; anything else
(``gt`` on a boolean, ``co`` on an id, ...) is a 400 ``invalidFilter`` rather than a guess.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC
from functools import cache

from django.db import connection
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
from django_scim.filters import FilterQuery
from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from scim_hosts.filter_elements import Cmp, ElementFilter, StoredValue
from scim_hosts.protocol.errors import InvalidFilter, LinkConflict
from scim_hosts.protocol.filter_syntax import (
    MAX_FILTER_LENGTH,
    FilterSyntaxError,
    comp_value,
    parse,
    parse_bool,
)
from scim_hosts.protocol.schema import (
    CORE_GROUP_URN,
    CORE_USER_URN,
    ENTERPRISE_ATTRS,
    ENTERPRISE_URN,
    USER_SCHEMA,
)
from scim_hosts.sql import RowReader, fetch, quote, select_list
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership
from visitor_mgmt.selectors import live_host_count
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
    # Add "column <> ''" to equality lookups: it changes nothing (the value is not blank)
    # but lets PostgreSQL use a partial index whose condition has it (userName's).
    nonblank_guard: bool = False

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
        if op == "eq" and value and self.nonblank_guard:
            q &= _all(~Q(**{c: ""}) for c in self.columns)
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
        q = (~Q(username="") & Q(**{f"username__{lookup}": value})) | (
            Q(username="") & Q(**{f"email__{lookup}": value})
        )
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

# (attribute, sub-attribute, type in a [type eq "..."] value filter) in lower case → field.
USER_FIELDS = {
    ("id", None, None): FilterField("uuid", ("public_id",)),
    ("username", None, None): FilterField("username"),
    ("externalid", None, None): FilterField("text", ("external_id",), case_insensitive=False),
    ("displayname", None, None): FilterField("text", ("display_name",)),
    ("title", None, None): FilterField("text", ("title",)),
    ("active", None, None): FilterField("bool", ("is_active",)),
    ("name", "givenname", None): FilterField("text", ("first_name",)),
    ("name", "familyname", None): FilterField("text", ("last_name",)),
    ("department", None, None): FilterField("text", ("department",)),
    ("organization", None, None): FilterField("text", ("organization",)),
    ("manager", None, None): FilterField("json", (MANAGER_KEY,)),
    ("manager", "value", None): FilterField("json", (MANAGER_KEY,)),
    ("meta", "lastmodified", None): FilterField("datetime", ("updated_at",)),
    ("meta", "created", None): FilterField("datetime", ("created_at",)),
    ("meta", "resourcetype", None): FilterField("resource_type", ("User",)),
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
                key = (attr.name.lower(), sub.name.lower() if sub else None, None)
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
    ("id", None, None): FilterField("uuid", ("public_id",)),
    ("displayname", None, None): FilterField("text", ("name",)),
    ("externalid", None, None): FilterField("text", ("external_id",), case_insensitive=False),
    ("members", None, None): FilterField("members"),
    ("members", "value", None): FilterField("members"),
    ("meta", "lastmodified", None): FilterField("datetime", ("updated_at",)),
    ("meta", "created", None): FilterField("datetime", ("created_at",)),
    ("meta", "resourcetype", None): FilterField("resource_type", ("Group",)),
}


class ScimQTranspiler(Transpiler):
    """scim2-filter-parser's Q transpiler with strict, typed, account-agnostic meaning."""

    def __init__(
        self,
        fields,
        values,
        *,
        core_urn,
        extension_urn=None,
        extension_attrs=(),
        multi_valued=None,
    ):
        super().__init__({})
        self.fields = fields
        self.multi_valued = multi_valued or {}
        self.values = values
        self.core_urn = core_urn.lower()
        self.extension_urn = extension_urn.lower() if extension_urn else None
        self.extension_attrs = extension_attrs

    # -- resolution ------------------------------------------------------------------

    def field_for(self, attr, sub, uri, type_filter=None):
        attr_l = attr.lower()
        sub_l = sub.lower() if sub else None
        label = ".".join(p for p in (attr, sub) if p)
        if uri:
            uri_l = uri.lower()
            if uri_l == self.core_urn:
                uri = None
            elif uri_l != self.extension_urn or attr_l not in self.extension_attrs:
                raise _bad(f"Filtering on {uri}:{label} is not supported.")
        field = self.fields.get((attr_l, sub_l, type_filter))
        if field is None:
            where = f'{attr}[type eq "{type_filter}"].{sub}' if type_filter else label
            raise _bad(f"Filtering on {where!r} is not supported.")
        return field, label

    def value(self, node):
        return comp_value(node, self.values)

    def elements(self, attr_path):
        """The ElementFilter of a multi-valued attribute (emails, ...), else None."""
        name = attr_path.attr_name
        if not isinstance(name, str) or name.lower() not in self.multi_valued:
            return None
        if attr_path.uri and attr_path.uri.lower() != self.core_urn:
            return None  # field_for names the unsupported URN
        return ElementFilter(self.multi_valued[name.lower()], self.value)

    # -- visitors --------------------------------------------------------------------

    def visit_Filter(self, node):
        elements = self.elements(node.namespace) if node.namespace is not None else None
        if elements is not None:
            if node.namespace.sub_attr is not None:
                raise _bad("Unsupported value filter.")
            query = elements.matching(node.expr)
        elif node.namespace is not None:
            query = self.value_path(node.namespace, node.expr)
        else:
            query = self.visit(node.expr)
        if query is None:
            raise _bad("Unsupported filter expression.")
        return ~query if node.negated else query

    def visit_LogExpr(self, node):
        left, right = self.visit(node.expr1), self.visit(node.expr2)
        if left is None or right is None:
            raise _bad("Unsupported filter expression.")
        return left & right if node.op.upper() == "AND" else left | right

    def visit_AttrExpr(self, node):
        op = node.value.lower()
        attr_path = node.attr_path
        if isinstance(attr_path.attr_name, scim_ast.Filter):
            # emails[type eq "work"].value eq "x": the parser moved ".value" onto the namespace.
            value_filter = attr_path.attr_name
            namespace = value_filter.namespace
            sub = namespace.sub_attr.value if namespace.sub_attr else None
            elements = self.elements(namespace)
            if elements is not None:
                return elements.term(sub, op, node.comp_value, value_filter.expr)
            type_filter = self.type_of(value_filter.expr)
            field, label = self.field_for(namespace.attr_name, sub, namespace.uri, type_filter)
            return field.q(op, self.value(node.comp_value), label)
        sub = attr_path.sub_attr.value if attr_path.sub_attr else None
        elements = self.elements(attr_path)
        if elements is not None:
            return elements.term(sub, op, node.comp_value)
        field, label = self.field_for(attr_path.attr_name, sub, attr_path.uri)
        return field.q(op, self.value(node.comp_value), label)

    def type_of(self, expr):
        """ "work" for a value filter that is exactly ``type eq "work"``."""
        while isinstance(expr, scim_ast.Filter) and not expr.negated and expr.namespace is None:
            expr = expr.expr
        if (
            isinstance(expr, scim_ast.AttrExpr)
            and expr.value.lower() == "eq"
            and isinstance(expr.attr_path.attr_name, str)
            and expr.attr_path.attr_name.lower() == "type"
            and expr.attr_path.sub_attr is None
            and isinstance(self.value(expr.comp_value), str)
        ):
            return self.value(expr.comp_value).lower()
        raise _bad('Value filters support only [type eq "..."] here.')

    def value_path(self, namespace, expr):
        """``emails[type eq "work" and value eq "x"]`` or ``members[value eq "id"]``."""
        terms = self.conjunction(expr)
        if terms is None:
            return self.namespaced(namespace, expr)
        type_terms = [t for t in terms if t.attr_path.attr_name.lower() == "type"]
        other = [t for t in terms if t.attr_path.attr_name.lower() != "type"]
        if len(type_terms) > 1 or not other:
            raise _bad("Unsupported value filter.")
        type_filter = self.type_of(type_terms[0]) if type_terms else None
        queries = []
        for term in other:
            field, label = self.field_for(
                namespace.attr_name, term.attr_path.attr_name, namespace.uri, type_filter
            )
            queries.append(field.q(term.value.lower(), self.value(term.comp_value), label))
        return _all(queries)

    def namespaced(self, namespace, expr):
        """A value filter with or/not and no type term: each leaf on the parent attribute."""
        if isinstance(expr, scim_ast.Filter):
            q = self.namespaced(namespace, expr.expr)
            return ~q if expr.negated else q
        if isinstance(expr, scim_ast.LogExpr):
            left = self.namespaced(namespace, expr.expr1)
            right = self.namespaced(namespace, expr.expr2)
            return left & right if expr.op.upper() == "AND" else left | right
        if isinstance(expr, scim_ast.AttrExpr) and isinstance(expr.attr_path.attr_name, str):
            name = expr.attr_path.attr_name
            if name.lower() == "type":
                raise _bad("Unsupported value filter.")
            field, label = self.field_for(namespace.attr_name, name, namespace.uri)
            return field.q(expr.value.lower(), self.value(expr.comp_value), label)
        raise _bad("Unsupported value filter.")

    def conjunction(self, expr):
        """The AttrExpr leaves of a pure ``and`` chain, or None."""
        if isinstance(expr, scim_ast.Filter):
            if expr.negated or expr.namespace is not None:
                return None
            return self.conjunction(expr.expr)
        if isinstance(expr, scim_ast.LogExpr):
            if expr.op.upper() != "AND":
                return None
            left, right = self.conjunction(expr.expr1), self.conjunction(expr.expr2)
            return None if left is None or right is None else left + right
        if isinstance(expr, scim_ast.AttrExpr) and isinstance(expr.attr_path.attr_name, str):
            return [expr]
        return None


# `attribute eq "string"`: the shape of Entra's matching query (docs/identity-providers/entra.md
# §1.2), sent before
# every create. Strings with escapes or control characters take the general path.
SIMPLE_EQUALITY = re.compile(r'\s*([A-Za-z]+)\s+eq\s+"([^"\\\x00-\x1f\x7f]+)"\s*', re.IGNORECASE)


class ScimFilterQuery(FilterQuery):
    """django-scim2's FilterQuery, answering with an account-scoped QuerySet, not raw SQL."""

    fields = {}
    core_urn = ""
    extension_urn = None
    extension_attrs = frozenset()
    multi_valued = {}  # lower-case name -> schema.Attr, filtered by filter_elements.py
    # SCIM attributes (lower case) whose value a unique index makes unique, ignoring case,
    # among the resources the filter searches -> their column.
    unique_attrs = {}
    # Unique attribute column -> the column that stands in for it when it is blank.
    unique_fallback = {}
    # Extra SQL condition on the resources the filter searches (alias "r").
    live_condition = ""

    @classmethod
    def unique_match(cls, filter_query, account):
        """The resources matching ``filter_query`` when it is ``<unique attribute> eq "..."``
        (a list of at most one), else None: the general path answers.

        Means exactly what the general path means for that filter (same columns, case rule
        and scope), but costs one statement written once per process: no parser, no ORM.
        Where the attribute falls back on another column (a host's userName on its e-mail)
        two resources can match: that is a ``LinkConflict`` (409), never a silent pick.
        """
        if not isinstance(filter_query, str) or len(filter_query) > MAX_FILTER_LENGTH:
            return None
        match = SIMPLE_EQUALITY.fullmatch(filter_query)
        if match is None:
            return None
        column = cls.unique_attrs.get(match.group(1).lower())
        if column is None:
            return None
        return cls.matching(account, match.group(2), column=column)

    @classmethod
    def matching(cls, account, value, *, column=None, lock=False):
        """The live resources whose unique attribute equals ``value`` (any case): none or
        one, else ``LinkConflict``. ``lock``: FOR UPDATE (a create that may link)."""
        rows = cls.candidates(account, value, column=column, lock=lock)
        if len(rows) > 1:
            raise LinkConflict(cls.conflict_detail(value, rows), value=value)
        return rows

    @classmethod
    def candidates(cls, account, value, *, column=None, lock=False):
        """Up to three live resources whose unique attribute equals ``value``."""
        column = column or next(iter(cls.unique_attrs.values()))
        if not connection.features.has_select_for_update:
            lock = False
        sql, reader = cls._unique_lookup(column, lock)
        # Host columns hold the core's normal form (look-alikes equal; services/text.py).
        value = normalise_for_column(column, value)
        params = [account.pk, value] + ([value] if column in cls.unique_fallback else [])
        return fetch(sql, params, reader)

    @classmethod
    def conflict_detail(cls, value, rows):
        return f'"{value}" matches {len(rows)} resources.'

    @classmethod
    def by_public_id(cls, account, public_id, *, lock=None):
        """The account's resource with this public id (a UUID), or None. ``lock``: None,
        "update" or "key share" (PostgreSQL row locks; SQLite locks the whole database on
        write anyway). The same scope as ``base_queryset``, in one precompiled statement."""
        if not connection.features.has_select_for_update:
            lock = None
        sql, reader, id_field = cls._by_public_id(lock)
        rows = fetch(sql, [account.pk, id_field.get_db_prep_value(public_id, connection)], reader)
        return rows[0] if rows else None

    @classmethod
    @cache
    def _by_public_id(cls, lock):
        model = cls.model_getter()
        meta = model._meta
        clause = {None: "", "update": " FOR UPDATE", "key share": " FOR KEY SHARE"}[lock]
        # Quoted names from the model; every value is a parameter.
        sql = (
            f"SELECT {select_list(model, 'r')} FROM {quote(meta.db_table)} r"  # noqa: S608
            f" WHERE r.{quote(meta.get_field('account').column)} = %s{cls.live_condition}"
            f" AND r.{quote(meta.get_field('public_id').column)} = %s{clause}"
        )
        return sql, RowReader(model), meta.get_field("public_id")

    @classmethod
    @cache
    def _unique_lookup(cls, column, lock=False):
        model = cls.model_getter()
        meta = model._meta
        col = f"r.{quote(column)}"
        # UPPER() = UPPER(): what `iexact` is on PostgreSQL, and the unique index's
        # expression, so the index answers.
        condition = f"UPPER({col}) = UPPER(%s) AND {col} <> ''"
        fallback = cls.unique_fallback.get(column)
        if fallback:
            # A resource without the attribute is matched by its fallback column (its own
            # partial index); LIMIT 3 is enough to name a conflict.
            other = f"r.{quote(fallback)}"
            condition = f"(({condition}) OR ({col} = '' AND UPPER({other}) = UPPER(%s)))"
        # Quoted names from the model; every value is a parameter.
        sql = (
            f"SELECT {select_list(model, 'r')} FROM {quote(meta.db_table)} r"  # noqa: S608
            f" WHERE r.{quote(meta.get_field('account').column)} = %s{cls.live_condition}"
            f" AND {condition} LIMIT 3" + (" FOR UPDATE" if lock else "")
        )
        return sql, RowReader(model)

    @classmethod
    def base_queryset(cls, account):
        raise NotImplementedError

    @classmethod
    def q(cls, filter_query):
        try:
            tree, values = parse(filter_query)
        except FilterSyntaxError as exc:
            raise InvalidFilter(str(exc)) from exc
        transpiler = ScimQTranspiler(
            cls.fields,
            values,
            core_urn=cls.core_urn,
            extension_urn=cls.extension_urn,
            extension_attrs=cls.extension_attrs,
            multi_valued=cls.multi_valued,
        )
        try:
            query = transpiler.transpile(tree)
        except InvalidFilter:
            raise
        except (ValueError, TypeError, AttributeError, NotImplementedError) as exc:
            raise InvalidFilter(f"Unsupported filter: {filter_query!r}.") from exc
        if query is None:
            raise InvalidFilter(f"Unsupported filter: {filter_query!r}.")
        return query

    @classmethod
    def total_of_all(cls, account, qs):
        """How many resources the account has (``qs``: all of them)."""
        return qs.count()

    @classmethod
    def search(cls, filter_query, request=None):
        """The account's resources matching ``filter_query`` (all of them when empty)."""
        qs = cls.base_queryset(request.scim_account)
        if filter_query:
            qs = qs.filter(cls.q(filter_query))
        return qs


class HostFilterQuery(ScimFilterQuery):
    model_getter = staticmethod(lambda: Host)
    fields = USER_FIELDS
    core_urn = CORE_USER_URN
    extension_urn = ENTERPRISE_URN
    extension_attrs = ENTERPRISE_FILTER_ATTRS
    multi_valued = USER_MULTI_VALUED
    # django-scim2 reads attr_map at import time (SCIMUser.ATTR_MAP); give it the columns.
    attr_map = {
        ("userName", None, None): "username",
        ("name", "givenName", None): "first_name",
        ("name", "familyName", None): "last_name",
        ("active", None, None): "is_active",
        ("externalId", None, None): "external_id",
        ("displayName", None, None): "display_name",
    }

    unique_attrs = {"username": "username"}  # host_username_ci_unique_live
    unique_fallback = {"username": "email"}  # host_unlinked_email_ci
    live_condition = ' AND r."deleted_at" IS NULL'

    @classmethod
    def conflict_detail(cls, value, rows):
        described = "; ".join(
            f'"{host.name or host.email}" (by {"userName" if host.username else "e-mail"}'
            f" {host.username or host.email})"
            for host in rows
        )
        return (
            f'userName "{value}" matches {len(rows)} hosts in Visitor Management: {described}. '
            "None was linked. An account admin must edit or delete one of them; the next "
            "sync then links the other."
        )

    @classmethod
    def base_queryset(cls, account):
        return Host.objects.filter(account=account, deleted_at__isnull=True)

    @classmethod
    def total_of_all(cls, account, qs):
        return live_host_count(account=account)  # kept in a row (HostTally), not counted


class HostGroupFilterQuery(ScimFilterQuery):
    model_getter = staticmethod(lambda: HostGroup)
    fields = GROUP_FIELDS
    core_urn = CORE_GROUP_URN
    attr_map = {
        ("displayName", None, None): "name",
        ("externalId", None, None): "external_id",
    }

    unique_attrs = {"displayname": "name"}  # hostgroup_name_ci_unique (never a conflict)

    @classmethod
    def base_queryset(cls, account):
        return HostGroup.objects.filter(account=account)
