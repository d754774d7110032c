"""Filters over the stored SCIM document: multi-valued attributes on every value, and the
strings no column holds.

RFC 7644 §3.4.2.2: a filter on a multi-valued attribute matches when any of its values
matches. The values a host returns are those of its stored SCIM document
(``Host.directory_data``), which keeps them all; the mapped columns keep only the first work
and other e-mail, so they cannot answer. A filter term here becomes

    (host has no document AND one of the values built from its columns matches)
    OR (host has a document AND EXISTS a value in the document that matches)

where the values built from the columns are exactly those ``mapping.document_from_host``
returns for a host written by hand. The EXISTS is one SQL expression per database
(``jsonb_array_elements`` on PostgreSQL, ``json_each`` on SQLite): it reads the document of
each of the account's hosts the rest of the filter leaves, with no index (measured in
bench/README.md: "filter emails.value").

``StoredValue`` does the same for a single-valued string only the document keeps
(``nickName``, ``name.middleName``, the enterprise ``costCenter``): absent is NULL.

A value filter (``emails[type eq "work" and value co "x"]``, ``emails[primary eq true]``)
may combine comparisons of one value's sub-attributes with and, or and not; anything else
(an unknown sub-attribute, a nested filter) is a 400 ``invalidFilter``.
"""

import re
from dataclasses import dataclass

from django.db.models import BooleanField, F, Func, Q

from scim_hosts.mapping import USER_MAPPINGS
from scim_hosts.protocol.paths import compare_values, equality_terms, parse_path
from scim_hosts.protocol.schema import USER_SCHEMA
from scim_hosts.protocol.value_filters import ANY_VALUE, Logic, ValueConditions, both

SAFE_NAME = re.compile(r"[A-Za-z$][A-Za-z0-9_$]*")
EVERY_ROW = Q(pk__isnull=False)
NO_ROW = Q(pk__in=[])


def _constant(truth):
    return EVERY_ROW if truth else NO_ROW


# -- SQL over the stored document


def _like_pattern(op, value):
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {"co": f"%{escaped}%", "sw": f"{escaped}%", "ew": f"%{escaped}"}[op]


def _sql(cond, text_of):
    """(sql, params) of ``cond`` on one value; ``text_of(sub)`` is its sub-attribute as SQL text."""
    if isinstance(cond, Logic):
        if not cond.parts:
            return "TRUE", []
        rendered = [_sql(p, text_of) for p in cond.parts]
        params = [param for _, ps in rendered for param in ps]
        if cond.op == "not":
            return f"NOT ({rendered[0][0]})", params
        joiner = {"and": " AND ", "or": " OR "}[cond.op]
        return "(" + joiner.join(f"({s})" for s, _ in rendered) + ")", params
    x = text_of(cond.sub)
    op, value = cond.op, cond.value
    if op == "pr":
        return f"({x} IS NOT NULL AND {x} <> '')", []
    if value is None:  # eq null: the sub-attribute is absent
        return (f"({x} IS NULL)", []) if op == "eq" else (f"({x} IS NOT NULL)", [])
    if cond.kind == "boolean":
        wanted = ["true", "1"] if value else ["false", "0"]
        sql = f"(LOWER({x}) IN (%s, %s))"
        return (sql if op == "eq" else f"NOT COALESCE({sql}, FALSE)"), wanted
    if op == "eq":
        return f"(UPPER({x}) = UPPER(%s))", [value]
    if op == "ne":
        return f"({x} IS NULL OR UPPER({x}) <> UPPER(%s))", [value]
    if op in ("co", "sw", "ew"):
        return f"(UPPER({x}) LIKE UPPER(%s) ESCAPE '\\')", [_like_pattern(op, value)]
    sql_op = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
    # Ordered like eq and co, ignoring case (RFC 7644 §3.4.2.2 on a caseExact=false string),
    # and alike on both databases whatever their collation.
    return f"(UPPER({x}) {sql_op} UPPER(%s))", [value]


class AnyStoredValue(Func):
    """True when some value of ``attr`` in the row's stored document satisfies ``cond``."""

    output_field = BooleanField()

    def __init__(self, attr, cond):
        if not SAFE_NAME.fullmatch(attr):  # names come from schema.py; checked all the same
            raise ValueError(attr)
        super().__init__(F("directory_data"))
        self.attr, self.cond = attr, cond

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            values = (
                f"jsonb_array_elements(CASE WHEN jsonb_typeof({column} -> '{self.attr}')"
                f" = 'array' THEN {column} -> '{self.attr}' ELSE '[]'::jsonb END) AS scim_value(v)"
            )

            def text_of(sub):
                return f"(scim_value.v ->> '{sub}')"

        else:  # SQLite (JSON1)
            values = f"json_each({column}, '$.\"{self.attr}\"') AS scim_value"

            def text_of(sub):
                return (
                    f"(CASE WHEN scim_value.type = 'object'"
                    f" THEN json_extract(scim_value.value, '$.\"{sub}\"') END)"
                )

        cond_sql, cond_params = _sql(self.cond, text_of)
        # Names from schema.py (SAFE_NAME), every compared value a parameter.
        sql = f"EXISTS (SELECT 1 FROM {values} WHERE {cond_sql})"  # noqa: S608
        return sql, [*params, *cond_params]


DOCUMENT_KEY = re.compile(r"[A-Za-z0-9:._$-]+")


class StoredValue(Func):
    """``cond`` (a ``Cmp``) on a single-valued string the row's stored document holds at
    ``keys`` (``("nickName",)``, ``("name", "middleName")``, ``(<enterprise URN>,
    "costCenter")``). Absent, or a host without a document: SQL NULL, so only ``ne`` and
    ``not (... pr)`` match it, as GET does not show it."""

    output_field = BooleanField()

    def __init__(self, keys, cond):
        if not all(DOCUMENT_KEY.fullmatch(k) for k in keys):  # from schema.py; checked still
            raise ValueError(keys)
        super().__init__(F("directory_data"))
        self.keys, self.cond = tuple(keys), cond

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            node = column + "".join(f" -> '{k}'" for k in self.keys)
            text = f"(CASE WHEN jsonb_typeof({node}) = 'string' THEN {node} #>> '{{}}' END)"
        else:
            path = "$" + "".join(f'."{k}"' for k in self.keys)
            text = f"(CASE WHEN json_type({column}, '{path}') = 'text'"
            text += f" THEN json_extract({column}, '{path}') END)"
        cond_sql, cond_params = _sql(self.cond, lambda sub: text)
        return cond_sql, [*params, *cond_params]


# -- the values of a host without a document, from its columns


@dataclass(frozen=True)
class ColumnValue:
    """One value ``document_from_host`` builds: {"type": type, "value": <column>, ...}."""

    type: str
    column: str
    primary: bool | None


# Built once at import: mutmut cannot switch such code per mutant (the module is
# imported before its workers fork), so it is left out; the filter tests pin the table.
def _column_values():  # pragma: no mutate block
    out = {}
    for mapping in USER_MAPPINGS:
        if not mapping.field:
            continue
        path = parse_path(mapping.scim_path, USER_SCHEMA)
        multi = path.attr_def is not None and path.attr_def.multi
        if path.filter is None or path.sub != "value" or not multi:
            continue
        value_type = (equality_terms(path.filter, path.filter_values) or {}).get("type")
        primary = True if (path.attr, value_type) == ("emails", "work") else None
        out.setdefault(path.attr, []).append(ColumnValue(value_type, mapping.field, primary))
    return {attr: tuple(values) for attr, values in out.items()}


COLUMN_VALUES = _column_values()  # {"emails": (work → email, other → alternate_email), ...}


def _column_q(cond, value):
    """``cond`` on one column-built value, as a Q (constants decided here)."""
    if isinstance(cond, Logic):
        parts = [_column_q(p, value) for p in cond.parts]
        if cond.op == "not":
            return ~parts[0]
        if not parts:
            return _constant(cond.op == "and")
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if cond.op == "and" else (out | part)
        return out
    if cond.sub == "value":
        return _column_text_q(value.column, cond.op, cond.value)
    constant = {"type": value.type, "primary": value.primary}.get(cond.sub)
    return _constant(compare_values(constant, cond.op, cond.value))


def _column_text_q(column, op, value):
    from scim_hosts.filter_fields import FilterField  # which imports this module

    if op != "pr" and value is None:
        return _constant(op == "ne")  # a value built from a column always has its "value"
    return FilterField("text", (column,)).q(op, value, column)


def any_value_q(attr, cond):
    """Hosts with some value of multi-valued ``attr`` (as GET returns it) satisfying ``cond``."""
    from scim_hosts.filter_fields import WITHOUT_DOCUMENT

    by_columns = NO_ROW
    for value in COLUMN_VALUES.get(attr, ()):
        by_columns |= ~Q(**{value.column: ""}) & _column_q(cond, value)
    return (WITHOUT_DOCUMENT & by_columns) | (~WITHOUT_DOCUMENT & Q(AnyStoredValue(attr, cond)))


# -- from the filter's syntax tree


class ElementFilter(ValueConditions):
    """Turns filter terms on one multi-valued attribute into Q objects."""

    def term(self, sub_name, op, raw_value, value_filter=None):
        """``attr[.sub] op value`` or ``attr[filter].sub op value``: any value matches.
        ``ne`` is the negation of ``eq``: no value equals it."""
        if op in ("eq", "ne") and self.value_of(raw_value) is None:
            # RFC 7643 §2.5: null is "unassigned", so over all values "emails.value eq null"
            # is "no value has one" (not pr) and "ne null" is "some value has one" (pr).
            present = self.term(sub_name, "pr", None, value_filter)
            return ~present if op == "eq" else present
        where = self.condition(value_filter) if value_filter is not None else None
        if op == "pr" and sub_name is None:
            return any_value_q(self.attr.name, where or ANY_VALUE)
        cmp = self.comparison(sub_name, "eq" if op == "ne" else op, raw_value)
        cond = cmp if where is None else both(where, cmp)
        q = any_value_q(self.attr.name, cond)
        return ~q if op == "ne" else q

    def matching(self, value_filter):
        """``attr[filter]``: some value satisfies the filter."""
        return any_value_q(self.attr.name, self.condition(value_filter))
