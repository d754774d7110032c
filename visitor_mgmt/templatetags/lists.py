"""List page helpers: sortable column headers and numbered pagination."""

from django import template
from django.utils.html import format_html

register = template.Library()

# Pages shown around the current one; the first and last are always shown.
PAGE_WINDOW = 2


def _query(request, **changes):
    params = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context, sorting, key, label):
    """A ``<th>`` whose link sorts by ``key`` (and back), with ``aria-sort`` when active.
    Sorting starts again from the first page."""
    request = context["request"]
    href = _query(request, sort=sorting.param_for(key), page=None)
    state = sorting.aria_sort(key)
    mark = {"ascending": "▲", "descending": "▼"}.get(state, "")
    if state:
        return format_html(
            '<th scope="col" aria-sort="{}"><a class="sort" href="{}">{}'
            '<span class="sort-mark" aria-hidden="true">{}</span></a></th>',
            state,
            href,
            label,
            mark,
        )
    return format_html('<th scope="col"><a class="sort" href="{}">{}</a></th>', href, label)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    return _query(context["request"], page=number)


@register.filter
def page_numbers(page):
    """Page numbers to link, with None where a run of pages is left out: 1 … 4 5 [6] 7 8 … 20."""
    last = page.paginator.num_pages
    current = page.number
    shown = {1, last} | set(
        range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)
    )
    numbers = []
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers
