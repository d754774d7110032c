"""SCIM attribute paths (RFC 7644 §3.5.2 "path") over stored JSON documents.

A path is ``[URN ":"] attr ["." sub]`` or ``[URN ":"] attr "[" filter "]" ["." sub]``.
Unqualified names resolve to the core schema, or to the one extension that defines them
(``manager`` → the enterprise extension). A document keeps core attributes at the top
level and each extension's attributes in an object under its URN.
"""

import re
from dataclasses import dataclass

from scim2_filter_parser import ast as scim_ast

from scim_hosts.protocol.filter_syntax import FilterSyntaxError, comp_value, parse, parse_bool

NAME_RE = re.compile(r"^[A-Za-z$][A-Za-z0-9_$-]*$")


class PathError(ValueError):
    """A path that cannot be understood (SCIM scimType invalidPath)."""


@dataclass(frozen=True)
class Path:
    text: str
    urn: str | None  # extension URN holding the attribute; None for core attributes
    attr: str | None  # canonical name (as given when unknown); None: the whole extension
    attr_def: object = None  # schema.Attr or None
    filter: object = None  # scim2 AST of the [...] part
    filter_values: tuple = ()
    sub: str | None = None
    sub_def: object = None

    @property
    def is_multi(self):
        return bool(self.attr_def and self.attr_def.multi)


def split_urn(head, schema):
    """(urn or None, rest) for the part of a path before any "[" ."""
    if not head.lower().startswith("urn:"):
        return None, head
    known = [schema.core_urn, *schema.extension_urns]
    for urn in known:
        if head.lower() == urn.lower():
            return urn, ""
        if head.lower().startswith(urn.lower() + ":"):
            return urn, head[len(urn) + 1 :]
    if head.rsplit(":", 1)[1].lower() == schema.name.lower():
        # An extension this server does not describe, named whole: RFC 7643 §3.3 extension
        # URNs end with the resource type ("...:2.0:User"), attributes follow after it.
        return head, ""
    idx = head.rfind(":")
    return head[:idx], head[idx + 1 :]


def parse_path(text, schema):
    """The Path a string names. Callers pass a string with something in it: PATCH reads a
    blank path as none (RFC 7644 §3.5.2), attribute selections drop empty names."""
    text = text.strip()
    bracket = text.find("[")
    filter_text = None
    if bracket >= 0:
        close = text.rfind("]")
        if close < bracket:
            raise PathError(f"Unbalanced brackets in path {text!r}.")
        head, filter_text, tail = text[:bracket], text[bracket + 1 : close], text[close + 1 :]
        if tail and not tail.startswith("."):
            raise PathError(f"Unexpected text after the filter in path {text!r}.")
        tail = tail[1:]
    else:
        head, tail = text, ""
    urn, rest = split_urn(head, schema)
    if urn is not None and schema.is_core_urn(urn):
        urn = None
        if not rest:
            raise PathError(f"Path {text!r} names a schema, not an attribute.")
    if urn is not None and not rest:
        if filter_text is not None or tail:
            raise PathError(f"Invalid path {text!r}.")
        ext = schema.extension(urn)
        return Path(text=text, urn=ext[0] if ext else urn, attr=None)
    parts = rest.split(".")
    if tail:
        if len(parts) != 1:
            raise PathError(f"Invalid path {text!r}.")
        parts.append(tail)
    if len(parts) > 2 or not all(NAME_RE.match(p) for p in parts):
        raise PathError(f"Invalid path {text!r}.")
    attr_name = parts[0]
    sub_name = parts[1] if len(parts) == 2 else None

    if urn is None:
        attr_def = schema.core_attr(attr_name)
        if attr_def is None:
            owner = schema.extension_owning(attr_name)
            if owner:
                urn = owner
                attr_def = schema.extension_attr(owner, attr_name)
    else:
        ext = schema.extension(urn)
        if ext:
            urn = ext[0]
            attr_def = schema.extension_attr(urn, attr_name)
        else:
            attr_def = None
    attr = attr_def.name if attr_def else attr_name
    sub_def = attr_def.sub_attr(sub_name) if (attr_def and sub_name) else None
    sub = sub_def.name if sub_def else sub_name

    tree, values = None, ()
    if filter_text is not None:
        try:
            tree, values = parse(filter_text)
        except FilterSyntaxError as exc:
            raise PathError(f"Invalid filter in path {text!r}.") from exc
        _check_value_filter(tree)
        values = tuple(values)
    return Path(text, urn, attr, attr_def, tree, values, sub, sub_def)


# ------------------------------------------------------------------ documents


def find_key(obj, name):
    """The key of ``obj`` equal to ``name`` ignoring case (attribute names are)."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return name
    lowered = name.lower()
    for key in obj:
        if isinstance(key, str) and key.lower() == lowered:
            return key
    return None


def value_of(obj, name):
    """``obj``'s value under ``name`` in any case; None when it has none or is no object."""
    key = find_key(obj, name)
    return None if key is None else obj[key]


def container_of(doc, path, *, create=False):
    """The object holding ``path.attr``: the document, or its extension object."""
    if path.urn is None:
        return doc
    key = find_key(doc, path.urn)
    if key is not None and isinstance(doc[key], dict):
        return doc[key]
    if not create:
        return None
    # No extension object yet, or something else sent in its place: an object replaces it.
    key = path.urn if key is None else key
    doc[key] = {}
    return doc[key]


def get_attr(doc, path):
    container = container_of(doc, path)
    if container is None:
        return None
    return value_of(container, path.attr)


# ------------------------------------------------------------------ value filters


def compare_values(actual, op, expected):
    if op == "pr":
        return actual not in (None, "", [], {})
    if expected is None:
        return (actual is None) == (op == "eq") if op in ("eq", "ne") else False
    if isinstance(expected, bool) or isinstance(actual, bool):
        a, e = parse_bool(actual), parse_bool(expected)
        if a is None or e is None:
            return op == "ne"
        return (a == e) == (op == "eq") if op in ("eq", "ne") else False
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            expected = type(actual)(expected)
        except (TypeError, ValueError):
            return op == "ne"
        a, e = actual, expected
    elif isinstance(actual, str) and isinstance(expected, str):
        a, e = actual.casefold(), expected.casefold()
    else:
        return op == "ne"
    return {
        "eq": lambda: a == e,
        "ne": lambda: a != e,
        "co": lambda: isinstance(a, str) and e in a,
        "sw": lambda: isinstance(a, str) and a.startswith(e),
        "ew": lambda: isinstance(a, str) and a.endswith(e),
        "gt": lambda: a > e,
        "ge": lambda: a >= e,
        "lt": lambda: a < e,
        "le": lambda: a <= e,
    }[op]()


def _check_value_filter(node):
    """PathError unless ``node`` compares an element's own (sub-)attributes.

    Checked when the path is parsed, so that a nested filter (``emails[type[value eq "x"]]``)
    is a 400 invalidPath whether or not the document has elements to match it against.
    """
    if isinstance(node, scim_ast.Filter):
        if node.namespace is not None:
            raise PathError("Nested value filters are not supported in paths.")
        _check_value_filter(node.expr)
    elif isinstance(node, scim_ast.LogExpr):
        _check_value_filter(node.expr1)
        _check_value_filter(node.expr2)
    elif not isinstance(node.attr_path.attr_name, str):
        raise PathError("Nested value filters are not supported in paths.")


def element_matches(node, element, values):
    """Whether an element (an object) of a multi-valued attribute satisfies a value filter
    (checked by ``_check_value_filter`` when its path was parsed)."""
    if isinstance(node, scim_ast.Filter):
        result = element_matches(node.expr, element, values)
        return not result if node.negated else result
    if isinstance(node, scim_ast.LogExpr):
        left = element_matches(node.expr1, element, values)
        if node.op.lower() == "and":
            return left and element_matches(node.expr2, element, values)
        return left or element_matches(node.expr2, element, values)
    # An AttrExpr: the only other node _check_value_filter lets through.
    attr_path = node.attr_path
    actual = value_of(element, attr_path.attr_name)
    if attr_path.sub_attr is not None:
        actual = value_of(actual, attr_path.sub_attr.value)
    return compare_values(actual, node.value.lower(), comp_value(node.comp_value, values))


def matching_elements(path, elements):
    """The elements (objects only: a filter compares attributes) that ``path``'s value
    filter selects."""
    return [
        e
        for e in elements
        if isinstance(e, dict) and element_matches(path.filter, e, path.filter_values)
    ]


def equality_terms(node, values):
    """{attr: value} when the filter is only ``a eq x [and b eq y ...]``, else None.

    Used to create the element an add/replace on ``emails[type eq "work"].value`` targets
    when there is none yet.
    """
    if isinstance(node, scim_ast.Filter):
        if node.negated or node.namespace is not None:
            return None
        return equality_terms(node.expr, values)
    if isinstance(node, scim_ast.LogExpr):
        if node.op.lower() != "and":
            return None
        left, right = equality_terms(node.expr1, values), equality_terms(node.expr2, values)
        if left is None or right is None:
            return None
        return {**left, **right}
    if isinstance(node, scim_ast.AttrExpr):
        if node.value.lower() != "eq" or not isinstance(node.attr_path.attr_name, str):
            return None
        if node.attr_path.sub_attr is not None:
            return None
        return {node.attr_path.attr_name: comp_value(node.comp_value, values)}
    return None


def or_equalities(node, values, attr):
    """The values of ``attr eq x [or attr eq y ...]`` (members[value eq "id"]), else None."""
    if isinstance(node, scim_ast.Filter):
        if node.negated or node.namespace is not None:
            return None
        return or_equalities(node.expr, values, attr)
    if isinstance(node, scim_ast.LogExpr):
        if node.op.lower() != "or":
            return None
        left, right = (
            or_equalities(node.expr1, values, attr),
            or_equalities(node.expr2, values, attr),
        )
        if left is None or right is None:
            return None
        return left + right
    if isinstance(node, scim_ast.AttrExpr):
        name = node.attr_path.attr_name
        if (
            node.value.lower() == "eq"
            and isinstance(name, str)
            and name.lower() == attr.lower()
            and node.attr_path.sub_attr is None
        ):
            return [comp_value(node.comp_value, values)]
    return None


def select(doc, path):
    """The values ``path`` points at in ``doc`` (a list; empty when there are none)."""
    value = get_attr(doc, path)
    if value is None:
        return []
    if path.filter is not None:
        elements = matching_elements(path, value if isinstance(value, list) else [value])
    elif isinstance(value, list):
        elements = value
    else:
        elements = [value]
    if path.sub is None:
        return elements
    values = (value_of(element, path.sub) for element in elements)
    return [v for v in values if v is not None]
