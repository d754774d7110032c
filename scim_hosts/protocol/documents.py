"""Cleaning the SCIM documents this service stores (one per Host / HostGroup).

A stored document is what the directory last sent, so GET can return it as sent, with a
few normalisations every client expects back:

- ``null`` means "not provisioned" (Entra never provisions nulls): null values, and lists
  or objects left empty, are dropped;
- known attribute names get their canonical spelling (SCIM names are case-insensitive);
- ``id``, ``meta``, ``schemas``, ``password`` and read-only ``groups`` are not stored (the
  server computes the first three and never returns the others);
- ``active`` becomes a JSON boolean ("True"/"False" strings are accepted);
- ``manager`` becomes ``{"value": "<id>"}`` under the enterprise extension, whatever shape
  it arrived in (string, object, ``[{"$ref": ..., "value": ...}]``); an empty value removes it;
- an attribute that only an extension defines (``manager``, ``department``) sent at the top
  level is moved into that extension;
- the enterprise extension sent under a SCIM 1.x-style URN (OneLogin's SCIM templates use
  ``urn:scim:schemas:extension:enterprise:1.0`` or ``…:2.0``) is read as the standard one,
  and a SCIM 1.1 ``manager.managerId`` as the manager's ``value``.

Attributes the service does not know are kept verbatim. Known attributes are type-checked
(``userName`` must be a non-empty string, ``emails`` a list of objects, ...): a wrong type
is a 400 ``invalidValue`` naming the attribute.

Limits, each a 400 ``invalidValue`` naming the attribute: a multi-valued attribute holds at
most ``MAX_VALUES`` values (group ``members`` are limited per request by the adapter), and a
stored document is at most ``SCIM_MAX_RESOURCE_BYTES`` of JSON, so repeated PATCHes cannot
grow a resource without bound.
"""

import json

from django.conf import settings

from scim_hosts.protocol.errors import InvalidValue
from scim_hosts.protocol.filter_syntax import parse_bool
from scim_hosts.protocol.paths import find_key
from scim_hosts.protocol.schema import ENTERPRISE_URN

NOT_STORED = frozenset({"schemas", "id", "meta", "password"})
# Enterprise-extension URNs OneLogin's connector templates send (docs/identity-providers/
# onelogin.md); their attributes are the standard extension's, so they are stored there.
LEGACY_EXTENSION_URNS = {
    "urn:scim:schemas:extension:enterprise:1.0": ENTERPRISE_URN,
    "urn:scim:schemas:extension:enterprise:2.0": ENTERPRISE_URN,
}
# Values of one multi-valued attribute (emails, phoneNumbers, roles, ...). Entra sends a few.
MAX_VALUES = 100


def strip_nulls(value):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = strip_nulls(v)
            if v is None or v == {} or v == []:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        items = [strip_nulls(v) for v in value]
        return [v for v in items if v is not None and v != {} and v != []]
    return value


def normalise_manager(value, label):
    """``{"value": id}`` for any accepted manager shape, or None for "no manager"."""
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "", {})), None)
    if value is None:
        return None
    if isinstance(value, str):
        return {"value": value} if value.strip() else None
    if not isinstance(value, dict):
        raise InvalidValue(f'"{label}" must be an id or an object with a "value".')
    key = find_key(value, "value") or find_key(value, "managerId")  # managerId: SCIM 1.1
    manager_id = value.get(key) if key else None
    if manager_id is None or manager_id == "":
        return None
    if not isinstance(manager_id, str):
        raise InvalidValue(f'"{label}.value" must be a string.')
    return {"value": manager_id}


def _check_type(attr, value, label):
    if attr.type in ("string", "reference", "binary") and not isinstance(value, str):
        raise InvalidValue(f'"{label}" must be a string.')
    if attr.type == "boolean":
        parsed = parse_bool(value)
        if parsed is None:
            raise InvalidValue(f'"{label}" must be true or false.')
        return parsed
    return value


def _clean_complex(attr, value, label, *, strict_subs=True):
    if not isinstance(value, dict):
        raise InvalidValue(f'"{label}" must be an object.')
    out = {}
    for key, sub_value in value.items():  # nulls are gone already (clean_value)
        sub = attr.sub_attr(key)
        if sub is None:
            out[key] = sub_value
            continue
        if strict_subs:
            sub_value = _check_type(sub, sub_value, f"{label}.{sub.name}")
        out[sub.name] = sub_value
    return out


# Multi-valued attributes whose "value" must be a string: the ones the product reads.
STRICT_VALUE_ATTRS = frozenset({"emails", "phoneNumbers"})


def clean_value(attr, value, label):
    value = strip_nulls(value)
    if value is None:
        return None
    if attr.name == "manager":
        return normalise_manager(value, label)
    if attr.multi:
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise InvalidValue(f'"{label}" must be a list.')
        if attr.name != "members" and len(value) > MAX_VALUES:
            raise InvalidValue(f'"{label}" has more than {MAX_VALUES} values.')
        if not attr.is_complex:
            return value
        elements = []
        for element in value:
            if not isinstance(element, dict):
                raise InvalidValue(f'Each "{label}" value must be an object.')
            element = _clean_complex(attr, element, label, strict_subs=False)
            value_key = find_key(element, "value")
            if (
                attr.name in STRICT_VALUE_ATTRS
                and value_key is not None
                and not isinstance(element[value_key], str)
            ):
                raise InvalidValue(f'"{label}.value" must be a string.')
            if element:
                elements.append(element)
        return elements
    if attr.is_complex:
        return _clean_complex(attr, value, label)
    return _check_type(attr, value, label)


def clean_document(body, schema):
    """A cleaned copy of a SCIM resource body (see the module docstring): a JSON object,
    as parse_body (body.py) refused any other request body, or a PATCH's result."""
    doc = {}
    moved = {}  # extension-only attributes sent at the top level: urn -> {name: value}

    def put_core(key, value):
        attr = schema.core_attr(key)
        if attr is None:
            owner = schema.extension_owning(key)
            if owner:
                moved.setdefault(owner, {})[key] = value
            else:
                doc[key] = strip_nulls(value)
            return
        if attr.read_only or attr.name in NOT_STORED:
            return
        doc[attr.name] = clean_value(attr, value, attr.name)

    def put_extension(urn, attrs, value, *, overwrite=True):
        if not isinstance(value, dict):
            raise InvalidValue(f'"{urn}" must be an object.')
        target = doc.setdefault(urn, {})
        for key, sub_value in value.items():
            attr = attrs.get(key.lower())
            name = attr.name if attr else key
            if not overwrite and find_key(target, name) is not None:
                continue
            target[name] = (
                clean_value(attr, sub_value, f"{urn}:{name}") if attr else strip_nulls(sub_value)
            )

    for key, value in body.items():
        if value is None:  # JSON keys are strings; a null is no value (RFC 7643 §2.5)
            continue
        lowered = key.lower()
        if lowered in NOT_STORED:
            continue
        if lowered.startswith("urn:"):
            if schema.is_core_urn(key):
                if isinstance(value, dict):
                    for sub_key, sub_value in value.items():
                        if sub_value is not None:
                            put_core(sub_key, sub_value)
                continue
            ext = schema.extension(LEGACY_EXTENSION_URNS.get(lowered, key))
            if ext:
                put_extension(ext[0], ext[1], value)
            else:
                doc[key] = strip_nulls(value)
            continue
        put_core(key, value)

    for urn, values in moved.items():
        put_extension(urn, schema.extension(urn)[1], values, overwrite=False)

    doc = strip_nulls(doc)
    check_size(doc)
    return doc


def _json_size(value):
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def check_size(doc):
    """400 when the stored document would exceed SCIM_MAX_RESOURCE_BYTES (names the largest
    attribute, where the excess almost always is)."""
    limit = settings.SCIM_MAX_RESOURCE_BYTES
    if _json_size(doc) <= limit:
        return
    largest = max(doc, key=lambda key: _json_size(doc[key]))
    raise InvalidValue(
        f'The resource is larger than {limit} bytes; its largest attribute is "{largest}" '
        f"({_json_size(doc[largest])} bytes)."
    )


def clean_user_document(body, schema, *, default_active=False):
    """``default_active``: a whole User (POST, PUT) that does not send "active" gets the
    server's default, true. After a PATCH that removed it, "active" stays unassigned: GET
    leaves it out, and the host counts as active (docs/scim-conformance.md)."""
    doc = clean_document(body, schema)
    user_name = doc.get("userName")
    if not isinstance(user_name, str) or not user_name.strip():
        raise InvalidValue('"userName" is required and must be a non-empty string.')
    if default_active:
        doc.setdefault("active", True)
    return doc


def clean_group_document(body, schema):
    """(document without members, members list or None when the body had none)."""
    doc = clean_document(body, schema)
    members = doc.pop("members", None)
    has_members = find_key(body, "members") is not None
    display_name = doc.get("displayName")
    if not isinstance(display_name, str) or not display_name.strip():
        raise InvalidValue('"displayName" is required and must be a non-empty string.')
    return doc, (members or []) if has_members else None
