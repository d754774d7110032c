"""Sortable list columns: ``?sort=name`` / ``?sort=-name``, from a whitelist only.

A view declares its columns (URL key → model fields to order by) and a default; anything
else in ``?sort=`` is ignored, so the parameter can never reach ``order_by`` unchecked.
The template tag ``{% sort_header sorting "name" "Name" %}`` (templatetags/lists.py) draws
the header link and its ``aria-sort``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sorting:
    key: str  # the column sorted by
    descending: bool
    order_by: tuple  # what to pass to QuerySet.order_by
    columns: frozenset

    def param_for(self, key):
        """The ``sort`` value a click on column ``key`` asks for: the other direction when it
        is the current column, ascending otherwise."""
        if key == self.key and not self.descending:
            return f"-{key}"
        return key

    def aria_sort(self, key):
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"


def resolve_sorting(value, *, columns, default):
    """The Sorting for the raw ``?sort=`` ``value``; unknown or bad values give ``default``.

    ``columns``: ``{key: (field, ...)}``; every order ends with ``id`` so pages are stable.
    ``default``: a key, optionally prefixed with "-".
    """
    value = (value or "").strip()[:40]
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in columns:
        descending = default.startswith("-")
        key = default.lstrip("-")
    fields = tuple(columns[key]) + ("id",)
    order_by = tuple(f"-{f}" if descending else f for f in fields)
    return Sorting(key=key, descending=descending, order_by=order_by, columns=frozenset(columns))
