"""Value filters (RFC 7644 §3.4.2.2, ``emails[type eq "work" and value co "x"]``) as a tree
of conditions on one value of a multi-valued attribute: comparisons (``Cmp``) joined by
and/or/not (``Logic``). Hashable tuples, so the query expressions built from them compare.
Unknown sub-attributes, wrong types and nested filters are a 400 ``invalidFilter``.
"""

from dataclasses import dataclass

from scim2_filter_parser import ast as scim_ast

from scim_hosts.protocol.errors import InvalidFilter
from scim_hosts.protocol.filter_syntax import parse_bool


@dataclass(frozen=True)
class Cmp:
    sub: str  # canonical sub-attribute name
    kind: str  # "string" or "boolean"
    op: str
    value: object


@dataclass(frozen=True)
class Logic:
    op: str  # and, or, not
    parts: tuple


ANY_VALUE = Logic("and", ())  # true for every value: "emails pr"


def both(a, b):
    return Logic("and", (a, b))


class ValueConditions:
    """The conditions filter terms put on one value of the multi-valued ``attr_def``."""

    def __init__(self, attr_def, value_of):
        self.attr = attr_def
        self.value_of = value_of  # the transpiler's literal decoder

    def comparison(self, sub_name, op, raw_value):
        sub = self.attr.sub_attr(sub_name) if sub_name else self.attr.sub_attr("value")
        label = f"{self.attr.name}.{sub_name or 'value'}"
        if sub is None:
            raise InvalidFilter(f"Filtering on {label!r} is not supported.")
        value = self.value_of(raw_value)
        if sub.type == "boolean":
            if op == "pr":
                return Cmp(sub.name, "boolean", op, None)
            parsed = parse_bool(value)
            if op not in ("eq", "ne") or parsed is None:
                raise InvalidFilter(f"{label} is a boolean: use eq/ne with true or false.")
            return Cmp(sub.name, "boolean", op, parsed)
        if isinstance(value, bool):
            raise InvalidFilter(f"{label} is a string; compare it with a string.")
        if value is None and op not in ("eq", "ne", "pr"):
            raise InvalidFilter(f"Cannot compare {label} with null using {op!r}.")
        return Cmp(sub.name, "string", op, value)

    def condition(self, node):
        """The condition of a value filter's expression (inside the brackets)."""
        if isinstance(node, scim_ast.Filter):
            if node.namespace is not None:
                raise InvalidFilter("Nested value filters are not supported.")
            inner = self.condition(node.expr)
            return Logic("not", (inner,)) if node.negated else inner
        if isinstance(node, scim_ast.LogExpr):
            left, right = self.condition(node.expr1), self.condition(node.expr2)
            return Logic("and" if node.op.upper() == "AND" else "or", (left, right))
        if isinstance(node, scim_ast.AttrExpr) and isinstance(node.attr_path.attr_name, str):
            if node.attr_path.sub_attr is not None or node.attr_path.uri:
                raise InvalidFilter("Unsupported value filter.")
            return self.comparison(node.attr_path.attr_name, node.value.lower(), node.comp_value)
        raise InvalidFilter("Unsupported value filter.")
