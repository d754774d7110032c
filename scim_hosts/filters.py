"""SCIM filters → Django Q objects over an account-scoped queryset (all in SQL).

Built on scim2-filter-parser's Django Q transpiler (``transpilers.django_q_object``), with
the visitor methods that decide meaning overridden, because the stock transpiler

- compares every string case-insensitively (``externalId`` and ``id`` are caseExact),
- silently drops terms whose attribute it does not know (``a eq 1 and unknown eq 2``
  would widen to ``a eq 1``; here any unknown attribute is a 400 ``invalidFilter``),
- maps ``pr`` to ``IS NOT NULL`` (our text columns are never null, they are blank),
- cannot express value filters (``emails[type eq "work"].value``), the enterprise
  ``manager`` reference (kept in the stored document, queried by JSON key on PostgreSQL and
  SQLite alike) or group ``members``.

Multi-valued attributes (``emails``, ``phoneNumbers``, ...) match when any value GET returns
matches, and single-valued strings no column holds (``nickName``, ``name.middleName``,
``costCenter``, ...) are compared in the stored document: ``filter_elements.py``. What is
not stored as sent (the manager's computed ``$ref``, custom extensions) stays a 400.

Each filter attribute has a kind that decides the lookups it accepts; anything else
(``gt`` on a boolean, ``co`` on an id, ...) is a 400 ``invalidFilter`` rather than a guess.


This module: django-scim2's ``FilterQuery`` per resource type (``USER_FILTER_PARSER``,
``GROUP_FILTER_PARSER``), answering with an account-scoped QuerySet; the Q translation is
``filter_fields.py`` and ``filter_transpiler.py``. Entra's matching query and the lookup by
id skip the ORM: one precompiled statement each (``sql.py``).
"""

import re

from django_scim.filters import FilterQuery

from scim_hosts import sql
from scim_hosts.filter_fields import (
    ENTERPRISE_FILTER_ATTRS,
    GROUP_FIELDS,
    USER_FIELDS,
    USER_MULTI_VALUED,
)
from scim_hosts.filter_transpiler import ScimQTranspiler
from scim_hosts.protocol.errors import InvalidFilter, LinkConflict
from scim_hosts.protocol.filter_syntax import MAX_FILTER_LENGTH, FilterSyntaxError, parse
from scim_hosts.protocol.schema import CORE_GROUP_URN, CORE_USER_URN, ENTERPRISE_URN
from visitor_mgmt.models import Host, HostGroup
from visitor_mgmt.selectors.hosts import live_host_count
from visitor_mgmt.services.text import normalise_for_column

# `attribute eq "string"`: the shape of Entra's matching query (docs/identity-providers/entra.md
# §1.2), sent before
# every create. Strings with escapes or control characters take the general path.
SIMPLE_EQUALITY = re.compile(r'\s*([A-Za-z]+)\s+eq\s+"([^"\\\x00-\x1f\x7f]+)"\s*', re.IGNORECASE)


class ScimFilterQuery(FilterQuery):
    """django-scim2's FilterQuery, answering with an account-scoped QuerySet, not raw SQL."""

    fields = {}
    core_urn = ""
    extension_urn = None
    extension_attrs = frozenset()
    multi_valued = {}  # lower-case name -> schema.Attr, filtered by filter_elements.py
    # The SCIM attribute (lower case) whose value a unique index makes unique, ignoring
    # case, among the resources the filter searches; its column; and the column that stands
    # in for it when it is blank, if any. One per resource type.
    unique_attr = unique_column = unique_fallback = None
    # The field that is NULL while a resource is live (soft deletion), if the model has one.
    live_field = None

    @classmethod
    def unique_match(cls, filter_query, account):
        """The resources matching ``filter_query`` when it is ``<unique attribute> eq "..."``
        (a list of at most one), else None: the general path answers.

        Means exactly what the general path means for that filter (same columns, case rule
        and scope), but costs one statement written once per process: no parser, no ORM.
        Where the attribute falls back on another column (a host's userName on its e-mail)
        two resources can match: that is a ``LinkConflict`` (409), never a silent pick.
        """
        if not isinstance(filter_query, str) or len(filter_query) > MAX_FILTER_LENGTH:
            return None
        match = SIMPLE_EQUALITY.fullmatch(filter_query)
        if match is None:
            return None
        if match.group(1).lower() != cls.unique_attr:
            return None
        return cls.matching(account, match.group(2))

    @classmethod
    def matching(cls, account, value, *, lock=False):
        """The live resources whose unique attribute equals ``value`` (any case): none or
        one, else ``LinkConflict``. ``lock``: FOR UPDATE (a create that may link)."""
        rows = cls.candidates(account, value, lock=lock)
        if len(rows) > 1:
            raise LinkConflict(cls.conflict_detail(value, rows), value=value)
        return rows

    @classmethod
    def candidates(cls, account, value, *, lock=False):
        """Up to three live resources whose unique attribute equals ``value``."""
        return sql.by_unique_value(
            cls.model_getter(),
            account=account,
            field_name=cls.unique_column,
            # Host columns hold the core's normal form (look-alikes equal; services/text.py).
            value=normalise_for_column(cls.unique_column, value),
            fallback=cls.unique_fallback,
            live_field=cls.live_field,
            lock=lock,
        )

    @classmethod
    def conflict_detail(cls, value, rows):
        return f'"{value}" matches {len(rows)} resources.'

    @classmethod
    def by_public_id(cls, account, public_id, *, lock=None):
        """The account's resource with this public id (a UUID), or None. ``lock``: None,
        "update" or "key share". The same scope as ``base_queryset``, in one precompiled
        statement."""
        return sql.by_public_id(
            cls.model_getter(),
            account=account,
            public_id=public_id,
            live_field=cls.live_field,
            lock=lock,
        )

    @classmethod
    def base_queryset(cls, account):
        raise NotImplementedError

    @classmethod
    def q(cls, filter_query):
        try:
            tree, values = parse(filter_query)
        except FilterSyntaxError as exc:
            raise InvalidFilter(str(exc)) from exc
        transpiler = ScimQTranspiler(
            cls.fields,
            values,
            core_urn=cls.core_urn,
            extension_urn=cls.extension_urn,
            extension_attrs=cls.extension_attrs,
            multi_valued=cls.multi_valued,
        )
        try:
            query = transpiler.transpile(tree)
        except InvalidFilter:
            raise
        except (ValueError, TypeError, AttributeError, NotImplementedError) as exc:
            raise InvalidFilter(f"Unsupported filter: {filter_query!r}.") from exc
        return query

    @classmethod
    def total_of_all(cls, account, qs):
        """How many resources the account has (``qs``: all of them)."""
        return qs.count()

    @classmethod
    def search(cls, filter_query, request=None):
        """The account's resources matching ``filter_query`` (all of them when empty)."""
        qs = cls.base_queryset(request.scim_account)
        if filter_query:
            qs = qs.filter(cls.q(filter_query))
        return qs


class HostFilterQuery(ScimFilterQuery):
    model_getter = staticmethod(lambda: Host)
    fields = USER_FIELDS
    core_urn = CORE_USER_URN
    extension_urn = ENTERPRISE_URN
    extension_attrs = ENTERPRISE_FILTER_ATTRS
    multi_valued = USER_MULTI_VALUED
    # django-scim2 reads attr_map at import time (SCIMUser.ATTR_MAP); give it the columns.
    attr_map = {
        ("userName", None, None): "username",
        ("name", "givenName", None): "first_name",
        ("name", "familyName", None): "last_name",
        ("active", None, None): "is_active",
        ("externalId", None, None): "external_id",
        ("displayName", None, None): "display_name",
    }

    unique_attr, unique_column = "username", "username"  # host_username_ci_unique_live
    unique_fallback = "email"  # host_unlinked_email_ci
    live_field = "deleted_at"

    @classmethod
    def conflict_detail(cls, value, rows):
        described = "; ".join(
            f'"{host.name or host.email}" (by {"userName" if host.username else "e-mail"}'
            f" {host.username or host.email})"
            for host in rows
        )
        return (
            f'userName "{value}" matches {len(rows)} hosts in Visitor Management: {described}. '
            "None was linked. An account admin must edit or delete one of them; the next "
            "sync then links the other."
        )

    @classmethod
    def base_queryset(cls, account):
        return Host.objects.filter(account=account, deleted_at__isnull=True)

    @classmethod
    def total_of_all(cls, account, qs):
        return live_host_count(account=account)  # kept in a row (HostTally), not counted


class HostGroupFilterQuery(ScimFilterQuery):
    model_getter = staticmethod(lambda: HostGroup)
    fields = GROUP_FIELDS
    core_urn = CORE_GROUP_URN
    attr_map = {
        ("displayName", None, None): "name",
        ("externalId", None, None): "external_id",
    }

    # hostgroup_name_ci_unique (never a conflict)
    unique_attr, unique_column = "displayname", "name"

    @classmethod
    def base_queryset(cls, account):
        return HostGroup.objects.filter(account=account)
