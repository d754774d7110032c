"""List and search responses of /Users and /Groups: paging parameters, the page in SQL and
the ListResponse.

The filter becomes a Q object on the account's queryset (``filters.py``); ``COUNT`` runs
only when the page does not tell the total (all users: not even then, ``HostTally`` keeps
the number); ``LIMIT/OFFSET`` in SQL as a deferred join, ordered by id. Entra's matching
query (userName / displayName eq "...") is one precompiled statement on the unique index.
django-scim2 instead scopes in Python and loads every row.
"""

from functools import partial

from scim_hosts.discovery import MAX_RESULTS
from scim_hosts.protocol.errors import InvalidValue
from scim_hosts.protocol.responses import list_response

DEFAULT_COUNT = 100
MAX_START_INDEX = 2**31  # beyond any account's size; keeps OFFSET within SQL integer range


def _int_param(raw, name, default):
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise InvalidValue(f'"{name}" must be an integer.')
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise InvalidValue(f'"{name}" must be an integer.') from None


def page_params(start_raw, count_raw):
    """(startIndex, count): startIndex is clamped to [1, 2**31]; count to [0, 1000]."""
    start = min(max(1, _int_param(start_raw, "startIndex", 1)), MAX_START_INDEX)
    count = min(max(_int_param(count_raw, "count", DEFAULT_COUNT), 0), MAX_RESULTS)
    return start, count


def page_queryset(qs, offset, count):
    """Rows ``offset`` to ``offset + count`` of ``qs`` (ordered by pk), as a deferred join."""
    return qs.filter(pk__in=qs.values("pk")[offset : offset + count])


def search_response(request, *, parser, adapter, query, start, count):
    """The ListResponse of the account's resources matching ``query`` (all when empty)."""
    if start == 1 and count:
        # Entra's matching query (userName / displayName eq "..."): at most one row, which
        # also tells the total.
        objs = parser.unique_match(query, request.scim_account)
        if objs is not None:
            return resources_response(request, adapter, objs, total=len(objs), start=start)
    qs = parser.search(query, request)
    count_all = qs.count if query else partial(parser.total_of_all, request.scim_account, qs)
    return _page_response(request, adapter, qs, start, count, count_all=count_all)


def resources_response(request, adapter, objs, *, total, start):
    adapters = [adapter(obj, request=request) for obj in objs]
    adapter.prefetch(adapters)
    return list_response([a.to_dict() for a in adapters], total=total, start=start)


def _page_response(request, adapter, qs, start, count, *, count_all):
    qs = qs.order_by("pk")
    offset = start - 1
    # Deferred join: the ids of the page come from the index alone (an index-only scan
    # skips the first `offset` entries), then only the page's rows are read. A plain
    # OFFSET would read every skipped row from the table. On the first page too: a plain
    # LIMIT may be planned (the generic plan of a prepared statement) as a walk of the
    # primary key that reads every older account's rows before this account's first; the
    # id subquery always walks this account's own index.
    objs = list(page_queryset(qs, offset, count)) if count else []
    if count and len(objs) < count and (objs or offset == 0):
        total = offset + len(objs)  # the page ran out: it tells the total
    else:
        total = count_all()
    return resources_response(request, adapter, objs, total=total, start=start)
