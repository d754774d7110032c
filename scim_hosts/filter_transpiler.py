"""scim2-filter-parser's Django Q transpiler with strict, typed meaning: every attribute a
filter names resolves through the tables of ``filter_fields.py`` (unknown ones are a 400
``invalidFilter``), value filters and multi-valued attributes included."""

from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from scim_hosts.filter_elements import ElementFilter
from scim_hosts.filter_fields import _all, _bad
from scim_hosts.protocol.filter_syntax import comp_value


def _label(attr, sub):
    """How an error names ``attr.sub`` (or ``attr``)."""
    return ".".join(p for p in (attr, sub) if p)


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

    def check_uri(self, attr, label, uri):
        """invalidFilter for a URN-qualified name outside the core and extension schemas."""
        if (
            uri
            and uri.lower() != self.core_urn
            and (uri.lower() != self.extension_urn or attr.lower() not in self.extension_attrs)
        ):
            raise _bad(f"Filtering on {uri}:{label} is not supported.")

    def field_for(self, attr, sub, uri):
        label = _label(attr, sub)
        self.check_uri(attr, label, uri)
        field = self.fields.get((attr.lower(), sub.lower() if sub else None))
        if field is None:
            raise _bad(f"Filtering on {label!r} is not supported.")
        return field, label

    def typed_path_error(self, namespace, type_expr, sub):
        """invalidFilter for ``name[type eq "work"].givenName``: only multi-valued
        attributes (ElementFilter) have elements a type tells apart."""
        type_filter = self.type_of(type_expr)
        self.check_uri(namespace.attr_name, _label(namespace.attr_name, sub), namespace.uri)
        where = f'{namespace.attr_name}[type eq "{type_filter}"].{sub}'
        return _bad(f"Filtering on {where!r} is not supported.")

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
        return ~query if node.negated else query

    def visit_LogExpr(self, node):
        left, right = self.visit(node.expr1), self.visit(node.expr2)
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
            raise self.typed_path_error(namespace, value_filter.expr, sub)
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
        if type_terms:
            raise self.typed_path_error(namespace, type_terms[0], other[0].attr_path.attr_name)
        queries = []
        for term in other:
            field, label = self.field_for(
                namespace.attr_name, term.attr_path.attr_name, namespace.uri
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
