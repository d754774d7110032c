"""RFC 7644 §3.9 ``attributes`` / ``excludedAttributes``: which parts of a resource a
response carries."""

from scim_hosts.protocol.errors import InvalidValue
from scim_hosts.protocol.paths import PathError, container_of, find_key, parse_path

# Distinct paths one ``attributes`` or ``excludedAttributes`` list may name. Applying a
# selection costs paths x resources; the schemas have a few dozen paths in all, so more is
# never useful (20,000 paths stalled a worker for 30 s).
MAX_SELECTED_PATHS = 50
# Longer than any attribute path of the schemas (URN + name + sub-attribute).
MAX_PATH_LENGTH = 200


class AttributeSelection:
    """RFC 7644 §3.9 ``attributes`` / ``excludedAttributes`` applied to a resource dict."""

    def __init__(self, schema, attributes=None, excluded=None):
        self.schema = schema
        self.includes = self._parse(_distinct(attributes, "attributes"))
        self.excludes = (
            [] if self.includes else self._parse(_distinct(excluded, "excludedAttributes"))
        )

    @classmethod
    def from_params(cls, schema, attributes, excluded):
        return cls(schema, _split(attributes), _split(excluded))

    def _parse(self, names):
        paths = []
        for name in names or ():
            try:
                path = parse_path(name, self.schema)
            except PathError:
                continue  # RFC: unknown attribute names are ignored
            if path.filter is None:
                paths.append(path)
        return paths

    def wants(self, attr):
        if self.includes:
            return any(p.urn is None and p.attr.lower() == attr.lower() for p in self.includes)
        return not any(
            p.urn is None and p.attr and p.attr.lower() == attr.lower() and p.sub is None
            for p in self.excludes
        )

    def apply(self, resource):
        if self.includes:
            out = {"schemas": resource["schemas"], "id": resource["id"]}
            for path in self.includes:
                _copy_path(resource, out, path)
            return out
        if self.excludes:
            out = dict(resource)
            for path in self.excludes:
                _remove_path(out, path)
            return out
        return resource


def _distinct(names, param):
    """``names`` without repeats (paths are case-insensitive), at most MAX_SELECTED_PATHS.

    Over the cap is a 400 ``invalidValue`` (RFC 7644 §3.12: the value is not compatible
    with the operation) rather than a silent cut, so a client never gets a response shaped
    by a selection other than the one it asked for.
    """
    distinct = {}
    for name in names or ():
        distinct.setdefault(name.lower(), name)
        if len(distinct) > MAX_SELECTED_PATHS:
            raise InvalidValue(
                f'"{param}" names more than {MAX_SELECTED_PATHS} distinct attribute paths.'
            )
    # Names longer than any path of the schemas are unknown, hence ignored (RFC 7644 §3.9).
    return [name for name in distinct.values() if len(name) <= MAX_PATH_LENGTH]


def _split(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def _copy_path(source, target, path):
    holder = container_of(source, path)
    if holder is None:
        return
    if path.attr is None:  # a whole extension
        key = find_key(source, path.urn)
        target[key] = source[key]
        return
    key = find_key(holder, path.attr)
    if key is None:
        return
    value = holder[key]
    out_holder = container_of(target, path, create=True)
    if path.sub is None:
        out_holder[key] = value
    elif isinstance(value, dict):
        sub_key = find_key(value, path.sub)
        if sub_key is not None:
            out_holder.setdefault(key, {})[sub_key] = value[sub_key]
    elif isinstance(value, list):
        picked = []
        for element in value:
            sub_key = find_key(element, path.sub)  # None for an element that is no object
            if sub_key is not None:
                picked.append({sub_key: element[sub_key]})
        if picked:
            out_holder[key] = picked


def _remove_path(resource, path):
    if path.urn is None and path.attr and path.attr.lower() in ("id", "schemas"):
        return
    if path.attr is None:
        key = find_key(resource, path.urn)
        if key is not None:
            resource.pop(key)
        return
    holder = container_of(resource, path)
    if holder is None:
        return
    if holder is not resource:  # never mutate the nested objects of the stored document
        holder = dict(holder)
        resource[find_key(resource, path.urn)] = holder
    key = find_key(holder, path.attr)
    if key is None:
        return
    if path.sub is None:
        holder.pop(key)
        return
    value = holder[key]
    if isinstance(value, dict):
        holder[key] = {k: v for k, v in value.items() if k.lower() != path.sub.lower()}
    elif isinstance(value, list):
        holder[key] = [
            {k: v for k, v in e.items() if k.lower() != path.sub.lower()}
            if isinstance(e, dict)
            else e
            for e in value
        ]
