"""The PATCH engine (RFC 7644 §3.5.2) over a stored SCIM document, Entra-tolerant.

``parse_operations`` validates the PatchOp "Operations" and expands path-less operations into
one operation per key (keys are attribute paths such as ``name.givenName`` or
``urn:...:enterprise:2.0:User:employeeNumber``, or nested objects). ``apply_operations``
applies them in order to a copy of the document; the caller cleans and validates the result
as a whole and writes it in one go, so a PATCH with one bad operation changes nothing.

Entra's habits it accepts (docs/identity-providers/entra.md §1.5–1.10, §3): capitalised ops;
``Add`` on a
single-valued attribute (= replace); add/replace on ``emails[type eq "work"].value`` with
no such element creates ``{"type": "work", "value": ...}``; the value of a filtered
sub-attribute path given as ``[{"value": x}]``; ``null`` values clear; ``remove`` with a
value list removes just those values; ``remove`` of something absent is a no-op.
"""

import copy
from dataclasses import dataclass

from scim_hosts.protocol.errors import (
    InvalidPath,
    InvalidSyntax,
    InvalidValue,
    Mutability,
    NoTarget,
)
from scim_hosts.protocol.filter_syntax import parse_bool
from scim_hosts.protocol.paths import (
    Path,
    PathError,
    container_of,
    equality_terms,
    find_key,
    matching_elements,
    parse_path,
    value_of,
)

OPS = ("add", "remove", "replace")
# Operations one PATCH may hold. Each is parsed and applied on its own, so the work of a
# request grows with their number; Entra sends a handful (members in one operation's
# value list, at most 1,000 member ids per request).
MAX_OPERATIONS = 1000


@dataclass(frozen=True)
class Operation:
    op: str  # add / remove / replace (lower case)
    path: Path
    value: object
    number: int  # 1-based position in the request, for messages


def _path(text, schema, number):
    try:
        return parse_path(text, schema)
    except PathError as exc:
        raise InvalidPath(f"Operation {number}: {exc}") from exc


def _check_mutability(operation, resource_id):
    path = operation.path
    attr = path.attr_def
    if attr is not None and attr.read_only:
        if attr.name == "id" and operation.op != "remove" and str(operation.value) == resource_id:
            return False  # "replacing" the id with itself: nothing to do
        if attr.name == "schemas":
            return False  # the server owns "schemas"; ignore it
        raise Mutability(f'Operation {operation.number}: "{path.text}" is read-only.')
    if path.sub_def is not None and path.sub_def.read_only:
        raise Mutability(f'Operation {operation.number}: "{path.text}" is read-only.')
    return True


def _expand_pathless(op, value, schema, number):
    if not isinstance(value, dict):
        raise InvalidValue(
            f'Operation {number}: without a "path", "value" must be an object of attributes.'
        )
    out = []
    for key, sub_value in value.items():
        if key.lower().startswith("urn:") and schema.is_core_urn(key):
            out.extend(_expand_pathless(op, sub_value, schema, number))
            continue
        path = _path(key, schema, number)
        if path.attr is None:  # a whole extension: {"urn:...:User": {"department": ...}}
            if not isinstance(sub_value, dict):
                raise InvalidValue(f'Operation {number}: "{key}" must be an object.')
            for ext_key, ext_value in sub_value.items():
                ext_path = _path(f"{path.urn}:{ext_key}", schema, number)
                out.append(Operation(op, ext_path, ext_value, number))
            continue
        out.append(Operation(op, path, sub_value, number))
    return out


def parse_operations(body, schema, *, resource_id):
    """The operations of a PatchOp body, expanded; SCIM 400 errors for malformed ones.

    The body is a JSON object: parse_body (body.py) refused the request otherwise;
    anything else has no "Operations" list and gets that error.
    """
    operations = value_of(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidSyntax('A PATCH request needs a non-empty "Operations" list.')
    if len(operations) > MAX_OPERATIONS:
        raise InvalidValue(f"A PATCH request may hold at most {MAX_OPERATIONS} operations.")
    out = []
    for number, raw in enumerate(operations, start=1):
        if not isinstance(raw, dict):
            raise InvalidSyntax(f"Operation {number} must be an object.")
        op = value_of(raw, "op")
        if not isinstance(op, str) or op.strip().lower() not in OPS:
            raise InvalidSyntax(f'Operation {number}: "op" must be add, remove or replace.')
        op = op.strip().lower()
        path_text = value_of(raw, "path")
        value = value_of(raw, "value")
        if path_text is None or (isinstance(path_text, str) and not path_text.strip()):
            if op == "remove":
                raise NoTarget(f'Operation {number}: "remove" needs a "path".')
            expanded = _expand_pathless(op, value, schema, number)
        elif not isinstance(path_text, str):
            raise InvalidPath(f'Operation {number}: "path" must be a string.')
        else:
            path = _path(path_text, schema, number)
            if path.attr is None and op != "remove":
                # A whole extension's URN: its object's keys are the attributes to set.
                expanded = _expand_pathless(op, {path_text: value}, schema, number)
            else:
                expanded = [Operation(op, path, value, number)]
        out.extend(o for o in expanded if _check_mutability(o, resource_id))
    return out


# ------------------------------------------------------------------ applying


def _unwrap(value):
    """``[{"value": x}]`` → ``x`` (scimgateway#117); anything else unchanged."""
    if (
        isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], dict)
        and find_key(value[0], "value") is not None
        and {k.lower() for k in value[0]} <= {"value", "$ref", "display", "primary", "type"}
    ):
        return value_of(value[0], "value")
    return value


def _key_for(element, name):
    """The key ``element`` holds ``name`` under (names ignore case), else ``name``: for a
    path's sub-attribute, which parse_path already spelt as the schema does."""
    key = find_key(element, name)
    return name if key is None else key


def _sub_key(element, name, attr_def):
    """As _key_for, for a name as the request spelt it: a new key gets the schema's
    spelling, so that later operations of the request compare elements as stored."""
    sub = attr_def.sub_attr(name) if attr_def else None
    return _key_for(element, sub.name if sub else name)


def _merge(target, value, attr_def):
    """Set each sub-attribute of ``value`` on ``target``; nulls remove."""
    for key, sub_value in value.items():
        sub_key = _sub_key(target, key, attr_def)
        if sub_value is None:
            target.pop(sub_key, None)
        else:
            target[sub_key] = copy.deepcopy(sub_value)
    return target


def _same(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    return a == b


def _element_value(element):
    if isinstance(element, dict):
        return value_of(element, "value")
    return element


def _add_elements(current, new, attr_def):
    result = copy.deepcopy(current) if isinstance(current, list) else []
    for element in new:
        if element is None:
            continue
        element = copy.deepcopy(element)
        if isinstance(element, dict) and attr_def is not None and attr_def.unique_type:
            element_type = value_of(element, "type")
            if isinstance(element_type, str):
                existing = next(
                    (e for e in result if _same(value_of(e, "type"), element_type)),
                    None,
                )
                if existing is not None:
                    _merge(existing, element, attr_def)
                    continue
        if element in result:
            continue  # adding a value that is already there is a no-op
        result.append(element)
    return result


def _remove_elements(current, spec):
    """Remove from a multi-valued list the elements named by a remove op's value."""
    specs = spec if isinstance(spec, list) else [spec]

    def matches(element, wanted):
        if isinstance(wanted, dict):
            keys = [k for k in wanted if k.lower() in ("value", "type")]
            if not keys:
                return element == wanted
            if not isinstance(element, dict):
                return False
            return all(_same(value_of(element, k), wanted[k]) for k in keys)
        return _same(_element_value(element), wanted) or element == wanted

    return [e for e in current if not any(matches(e, w) for w in specs if w is not None)]


def _drop_valueless(elements, sub):
    if sub is None or sub.lower() != "value":
        return [e for e in elements if e != {}]
    return [e for e in elements if not isinstance(e, dict) or find_key(e, "value") is not None]


def _is_multi(path, current):
    if path.attr_def is not None:
        return path.attr_def.multi
    return isinstance(current, list)


def _replaces_whole(path):
    """Reference-like complex attributes are replaced as a whole, never merged."""
    return path.attr_def is not None and path.attr_def.name == "manager"


def _coerce_filter_value(attr_def, name, value):
    sub = attr_def.sub_attr(name) if attr_def else None
    if sub is not None and sub.type == "boolean":
        parsed = parse_bool(value)
        if parsed is not None:
            return parsed
    return value


def apply_operation(doc, operation):
    path, op, value = operation.path, operation.op, operation.value
    if path.attr is None:  # a whole extension (remove; add/replace were expanded)
        key = find_key(doc, path.urn)
        if key is not None:
            doc.pop(key)
        return
    container = container_of(doc, path, create=op != "remove")
    if container is None:
        return
    key = find_key(container, path.attr) or path.attr
    current = container.get(key)
    attr_def = path.attr_def

    if path.filter is None and path.sub is None:
        if op == "remove":
            if value is not None and isinstance(current, list):
                remaining = _remove_elements(current, value)
                if remaining:
                    container[key] = remaining
                else:
                    container.pop(key)
            else:
                container.pop(key, None)
            return
        if value is None:
            container.pop(key, None)
            return
        if _is_multi(path, current):
            new = value if isinstance(value, list) else [value]
            container[key] = (
                copy.deepcopy(new) if op == "replace" else _add_elements(current, new, attr_def)
            )
        elif _replaces_whole(path):
            container[key] = copy.deepcopy(value)
        elif (attr_def is not None and attr_def.is_complex) or (
            attr_def is None and isinstance(current, dict) and isinstance(value, dict)
        ):
            if not isinstance(value, dict):
                raise InvalidValue(
                    f'Operation {operation.number}: "{path.text}" must be an object.'
                )
            target = current if isinstance(current, dict) else {}
            container[key] = _merge(target, value, attr_def)
        else:
            container[key] = copy.deepcopy(_unwrap(value))
        return

    if path.filter is None:  # attr.sub
        value = _unwrap(value)
        if isinstance(current, list):
            elements = current
            if op != "remove" and value is not None and not elements:
                elements.append({})
            for element in elements:
                if isinstance(element, dict):
                    sub_key = _key_for(element, path.sub)
                    if op == "remove" or value is None:
                        element.pop(sub_key, None)
                    else:
                        element[sub_key] = copy.deepcopy(value)
            # An add or replace just gave every object the sub-attribute, so this drops
            # only objects a remove (or a null) emptied.
            container[key] = _drop_valueless(elements, path.sub)
            if not container[key]:
                container.pop(key)
            return
        if op == "remove" or value is None:
            if isinstance(current, dict):
                current.pop(_key_for(current, path.sub), None)
                if not current:
                    container.pop(key)
            return
        target = current if isinstance(current, dict) else {}
        target[_key_for(target, path.sub)] = copy.deepcopy(value)
        container[key] = target
        return

    # attr[filter] or attr[filter].sub
    single = isinstance(current, dict)
    elements = [current] if single else (current if isinstance(current, list) else [])
    matches = matching_elements(path, elements)
    if op == "remove":
        if not matches:
            return
        if path.sub is None:
            remaining = [e for e in elements if not any(e is m for m in matches)]
        else:
            for m in matches:
                m.pop(_key_for(m, path.sub), None)
            remaining = _drop_valueless(elements, path.sub)
        if single:
            if remaining:
                container[key] = remaining[0]
            else:
                container.pop(key)
        elif remaining:
            container[key] = remaining
        else:
            container.pop(key)
        return

    if path.sub is not None:
        value = _unwrap(value)
    if not matches:
        if value is None:
            return
        base = equality_terms(path.filter, path.filter_values)
        if base is None or single or (attr_def is not None and not attr_def.multi):
            raise NoTarget(f'Operation {operation.number}: nothing matches "{path.text}".')
        element = {}
        for name, term_value in base.items():
            element[_sub_key(element, name, attr_def)] = _coerce_filter_value(
                attr_def, name, term_value
            )
        elements = list(elements)
        elements.append(element)
        container[key] = elements
        matches = [element]
    for m in matches:
        if path.sub is not None:
            sub_key = _key_for(m, path.sub)
            if value is None:
                m.pop(sub_key, None)
            else:
                m[sub_key] = copy.deepcopy(value)
        elif value is None:
            m.clear()
        else:
            if not isinstance(value, dict):
                raise InvalidValue(f'Operation {operation.number}: "{path.text}" needs an object.')
            _merge(m, value, attr_def)
    if isinstance(container.get(key), list):
        # Clearing an element's value drops the element; other edits drop only emptied ones.
        container[key] = _drop_valueless(container[key], path.sub if value is None else None)
        if not container[key]:
            container.pop(key)


def apply_operations(doc, operations):
    """A new document: ``doc`` with ``operations`` applied in order."""
    result = copy.deepcopy(doc)
    for operation in operations:
        apply_operation(result, operation)
    return result


def apply_value(doc, path, value):
    """Set ``path`` to ``value`` in ``doc`` the way an "add" would (used to build documents)."""
    apply_operation(doc, Operation("add", path, value, 0))
