"""SCIM endpoints: django-scim2's views with their weak points overridden.

``ScimViewMixin`` replaces, for every view:

- ``dispatch``: bearer-token auth (``auth.authenticate_request``) inside the error handling,
  405 for methods the route does not serve, the body size limit (413), one transaction per
  write, SCIM error JSON for every exception (``status`` as a string, never a stack trace),
  and one provisioning-log row per write or failure;
- ``get_object``: scoped to the token's account in SQL (one precompiled statement,
  ``filters.ScimFilterQuery.by_public_id``), non-UUID ids are 404, locked ``FOR UPDATE``
  for PUT/PATCH/DELETE, or ``FOR KEY SHARE`` for a group PATCH that only changes members;
- ``load_body``: size limit, UTF-8, a JSON object or 400 ``invalidSyntax``;
- list/filter (``_page``, ``_search``, ``_build_response``, ``get_many``): the filter becomes
  a Q object on the account's queryset (``filters.py``), ``COUNT`` only when the page does
  not tell the total (all users: not even then, ``HostTally`` keeps the number),
  ``LIMIT/OFFSET`` in SQL (later pages as a deferred join), ordered by id; Entra's matching
  query (userName / displayName eq "...") is one precompiled statement on the unique index.
  django-scim2 instead scopes in Python and loads every row.

POST/PUT/DELETE and GET by id are django-scim2's own handlers over our adapters. PATCH is
overridden: users answer 200 with the resource, groups 204 without a body.
"""

import json
import logging
import re
import uuid
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from django_scim import views as scim_views
from django_scim.exceptions import SCIMException

from scim_hosts.adapters import AttributeSelection, SCIMHost, SCIMHostGroup
from scim_hosts.auth import authenticate_request
from scim_hosts.discovery import MAX_RESULTS, schemas
from scim_hosts.errors import (
    LIST_RESPONSE_URN,
    BadRequest,
    InvalidSyntax,
    InvalidValue,
    LinkConflict,
    MethodNotAllowed,
    NotFound,
    NotImplementedByService,
    PayloadTooLarge,
    ServiceUnavailable,
    Uniqueness,
    UnsupportedMediaType,
    error_response,
    response_for_scim_exception,
    scim_json_response,
)
from scim_hosts.events import record_change, record_failure
from scim_hosts.locations import absolute
from scim_hosts.ratelimit import throttle
from scim_hosts.schema import GROUP_SCHEMA, USER_SCHEMA
from scim_hosts.tokens import note_outcome
from visitor_mgmt.db_status import diagnose, log_unavailable

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_MEDIA_TYPE = re.compile(r"application/([a-z0-9.+-]*\+)?json")
DB_UNAVAILABLE_RETRY_AFTER = 30  # seconds
DEFAULT_COUNT = 100
MAX_START_INDEX = 2**31  # beyond any account's size; keeps OFFSET within SQL integer range


def list_response(resources, *, total, start):
    return scim_json_response(
        {
            "schemas": [LIST_RESPONSE_URN],
            "totalResults": total,
            "Resources": resources,
            "startIndex": start,
            "itemsPerPage": len(resources),
        }
    )


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


MAX_JSON_DEPTH = 32
# NUL (PostgreSQL stores none) and lone UTF-16 surrogates ("\ud800": no UTF-8 exists for them).
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def check_json_text(data):
    """Reject text no database can store and absurd nesting, iteratively."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidValue(f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, str):
            bad = UNSTORABLE_TEXT.search(value)
            if bad and bad.group() == "\x00":
                raise InvalidValue("Text values must not contain NUL (\\u0000) characters.")
            if bad:
                raise InvalidValue("Text values must not contain unpaired UTF-16 surrogates.")
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, depth))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _not_json(name):
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text):
    """A JSON number with a fraction or an exponent.

    From 1e16 up a float is a whole number that ``json.dumps`` writes with an exponent
    ("7.2e+16"), which PostgreSQL's jsonb keeps as the integer 72000000000000000: such a
    number becomes that integer here already, so what a write answers equals what a later
    GET returns, on every database.
    """
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:40]} is too large")
    if abs(value) >= 1e16:
        return int(Decimal(text).to_integral_value())
    return value


def page_queryset(qs, offset, count):
    """Rows ``offset`` to ``offset + count`` of ``qs`` (ordered by pk), as a deferred join."""
    return qs.filter(pk__in=qs.values("pk")[offset : offset + count])


def page_params(start_raw, count_raw):
    """(startIndex, count): startIndex is clamped to [1, 2**31]; count to [0, 1000]."""
    start = min(max(1, _int_param(start_raw, "startIndex", 1)), MAX_START_INDEX)
    count = min(max(_int_param(count_raw, "count", DEFAULT_COUNT), 0), MAX_RESULTS)
    return start, count


class ScimViewMixin:
    resource_type = ""
    schema = None
    collection_methods = ("get",)
    item_methods = ("get",)
    failed_action = None  # the provisioning-log action of a failure (default: by method)

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        request.scim_change = None
        failed_action, failed_name = self.failed_action, ""
        try:
            denied = authenticate_request(request, self.resource_type)
            if denied is not None:
                return denied
            limited = throttle(request, self.resource_type)
            if limited is not None:
                return limited
            response = self.handle(request, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a SCIM error
            response = self.exception_response(exc)
            if isinstance(exc, LinkConflict):  # listed for the admin on the SCIM section
                failed_action, failed_name = "link-conflict", exc.value
        token = request.scim_token
        if token is None:
            return response
        failed = response.status_code >= 400 and response.status_code != 404
        try:
            note_outcome(token, failed=failed)
        except Exception:  # noqa: BLE001 - e.g. the database went away; the answer stands
            logger.warning("Could not note the SCIM request's outcome.")
        if response.status_code >= 400:
            error = json.loads(response.content)
            record_failure(
                account=request.scim_account,
                method=request.method,
                resource_type=self.resource_type,
                resource_id=kwargs.get("uuid") or "",
                status=response.status_code,
                reason=error.get("detail", ""),
                action=failed_action,
                resource_name=failed_name,
                scim_type=error.get("scimType", ""),
                token_hint=token.used_hint,
            )
        return response

    def handle(self, request, *args, **kwargs):
        """The request of an authenticated, unthrottled client (errors raise)."""
        self.check_method(request, kwargs)
        self.check_content_length(request)
        self.check_content_type(request)
        if self.schema is not None:
            request.scim_attributes = AttributeSelection.from_params(
                self.schema,
                request.GET.get("attributes"),
                request.GET.get("excludedAttributes"),
            )
        if request.method not in WRITE_METHODS:
            return View.dispatch(self, request, *args, **kwargs)
        with transaction.atomic():
            response = View.dispatch(self, request, *args, **kwargs)
            change = request.scim_change
            if change is not None and response.status_code < 400:
                record_change(
                    account=request.scim_account,
                    method=request.method,
                    change=change,
                    status=response.status_code,
                    token_hint=request.scim_token.used_hint,
                )
        if response.status_code == 204 and "Content-Type" in response:
            del response["Content-Type"]  # no body, so no type
        return response

    def exception_response(self, exc):
        if isinstance(exc, SCIMException):
            return response_for_scim_exception(exc)
        if isinstance(exc, RequestDataTooBig):
            return response_for_scim_exception(PayloadTooLarge(self.too_large_detail()))
        if isinstance(exc, ValidationError):
            return error_response(400, " ".join(exc.messages), "invalidValue")
        if isinstance(exc, IntegrityError):
            return error_response(
                409, "The request conflicts with an existing resource.", "uniqueness"
            )
        unavailable = diagnose(exc)
        if unavailable is not None:
            # The database is unreachable, went away mid-request, or refuses the settings;
            # the transaction rolled back, so nothing was written. Entra retries a 503 later.
            log_unavailable(unavailable, exc, f"SCIM {self.request.method}")
            return response_for_scim_exception(
                ServiceUnavailable(
                    "The service is temporarily unavailable. Try again later.",
                    headers={"Retry-After": str(DB_UNAVAILABLE_RETRY_AFTER)},
                )
            )
        if isinstance(exc, DataError):
            # A value the database refused (validation should have caught it first).
            logger.warning("SCIM request refused by the database: %s", exc)
            return error_response(400, "A value is not valid for this service.", "invalidValue")
        if isinstance(exc, RecursionError):
            return error_response(400, "The request is nested too deeply.", "invalidValue")
        logger.exception("SCIM request failed: %s %s", self.request.method, self.request.path)
        return error_response(500, "Internal server error.")

    # -- request checks ------------------------------------------------------------------

    def allowed_methods(self, kwargs):
        return self.item_methods if kwargs.get("uuid") else self.collection_methods

    def check_method(self, request, kwargs):
        allowed = self.allowed_methods(kwargs)
        if request.method.lower() not in allowed:
            raise MethodNotAllowed(
                f"{request.method} is not supported here.",
                headers={"Allow": ", ".join(m.upper() for m in allowed)},
            )

    @staticmethod
    def too_large_detail():
        return f"The request body is larger than {settings.SCIM_MAX_BODY_BYTES} bytes."

    def check_content_length(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.SCIM_MAX_BODY_BYTES:
            raise PayloadTooLarge(self.too_large_detail())

    def check_content_type(self, request):
        """A body must be JSON: ``application/scim+json``, ``application/json`` (or none)."""
        if request.method not in ("POST", "PUT", "PATCH") or not request.META.get("CONTENT_LENGTH"):
            return
        media_type = request.content_type.strip().lower()
        if media_type and not JSON_MEDIA_TYPE.fullmatch(media_type):
            raise UnsupportedMediaType(
                f'Send the body as "application/scim+json" (not "{media_type[:80]}").'
            )

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise MethodNotAllowed(f"{request.method} is not supported here.")

    def load_body(self, body):
        if len(body) > settings.SCIM_MAX_BODY_BYTES:
            raise PayloadTooLarge(self.too_large_detail())
        if not body.strip():
            return {}
        try:
            data = json.loads(
                body.decode("utf-8"), parse_constant=_not_json, parse_float=_finite_float
            )
        except UnicodeDecodeError:
            raise InvalidSyntax("The request body is not UTF-8.") from None
        except ValueError as exc:
            raise InvalidSyntax(f"The request body is not valid JSON: {exc}.") from None
        except RecursionError:
            raise InvalidSyntax("The request body is nested too deeply.") from None
        if not isinstance(data, dict):
            raise InvalidSyntax("The request body must be a JSON object.")
        check_json_text(data)
        return data


class ScimResourceMixin(ScimViewMixin):
    """Users and Groups: account-scoped lookups and lists."""

    collection_methods = ("get", "post")
    item_methods = ("get", "put", "patch", "delete")

    def get_object(self, *, key_share=False):
        """The resource named in the URL. Writes lock its row: ``FOR UPDATE``, or with
        ``key_share`` (a write that leaves the row itself alone) ``FOR KEY SHARE``, which
        lets such writes run side by side while a rename or a delete still waits."""
        raw = self.kwargs.get("uuid") or ""
        try:
            public_id = uuid.UUID(raw)
        except ValueError:
            raise NotFound(f"Resource {raw} not found.") from None
        if self.request.method not in WRITE_METHODS:
            lock = None
        else:
            lock = "key share" if key_share else "update"
        parser = self.__class__.parser_getter()
        obj = parser.by_public_id(self.request.scim_account, public_id, lock=lock)
        if obj is None:
            raise NotFound(f"Resource {raw} not found.")
        return obj

    def post(self, request, *args, **kwargs):
        """Create a resource, or link the existing manual (or CSV) one the directory names:
        201 either way, so nobody exists twice (docs/linking.md)."""
        body = self.load_body(request.body)
        if not body:
            raise BadRequest(f"POST needs a {self.resource_type} in the body.")
        adapter = self.scim_adapter(self.model_cls(), request=request)
        adapter.validate_dict(body)
        attribute = self.scim_adapter.unique_attribute
        value = adapter.new_doc.get(attribute)
        if isinstance(value, str) and value:
            parser = self.__class__.parser_getter()
            existing = parser.matching(request.scim_account, value, lock=True)
            if existing and existing[0].is_directory_managed:
                noun = self.resource_type.lower()
                raise Uniqueness(f'A {noun} with {attribute} "{value}" already exists.')
            if existing:
                adapter = adapter.retarget(existing[0])
        adapter.save()
        return scim_json_response(
            adapter.to_dict(), status=201, headers={"Location": adapter.location}
        )

    # -- lists -----------------------------------------------------------------------------

    def _page(self, request):
        return page_params(request.GET.get("startIndex"), request.GET.get("count"))

    def get_many(self, request):
        return self._search(request, request.GET.get("filter"), *self._page(request))

    def _search(self, request, query, start, count):
        parser = self.__class__.parser_getter()
        if start == 1 and count:
            # Entra's matching query (userName / displayName eq "..."): at most one row,
            # which also tells the total.
            objs = parser.unique_match(query, request.scim_account)
            if objs is not None:
                return self._list(request, objs, total=len(objs), start=start)
        qs = parser.search(query, request)
        count_all = qs.count if query else partial(parser.total_of_all, request.scim_account, qs)
        return self._build_response(request, qs, start, count, count_all=count_all)

    def _list(self, request, objs, *, total, start):
        adapters = [self.scim_adapter(obj, request=request) for obj in objs]
        self.scim_adapter.prefetch(adapters)
        return list_response([a.to_dict() for a in adapters], total=total, start=start)

    def _build_response(self, request, qs, start, count, *, count_all=None):
        qs = qs.order_by("pk")
        offset = start - 1
        # Deferred join: the ids of the page come from the index alone (an index-only scan
        # skips the first `offset` entries), then only the page's rows are read. A plain
        # OFFSET would read every skipped row from the table. On the first page too: a
        # plain LIMIT may be planned (the generic plan of a prepared statement) as a walk of
        # the primary key that reads every older account's rows before this account's
        # first; the id subquery always walks this account's own index.
        objs = list(page_queryset(qs, offset, count)) if count else []
        if count and len(objs) < count and (objs or offset == 0):
            total = offset + len(objs)  # the page ran out: it tells the total
        else:
            total = (count_all or qs.count)()
        return self._list(request, objs, total=total, start=start)


def created_response(adapter):
    return scim_json_response(adapter.to_dict(), status=201, headers={"Location": adapter.location})


class HostsView(ScimResourceMixin, scim_views.UsersView):
    resource_type = "User"
    schema = USER_SCHEMA

    def patch(self, request, *args, **kwargs):
        adapter = self.scim_adapter(self.get_object(), request=request)
        adapter.apply_patch(self.load_body(request.body))
        return scim_json_response(adapter.to_dict(), headers={"Location": adapter.location})


class HostGroupsView(ScimResourceMixin, scim_views.GroupsView):
    resource_type = "Group"
    schema = GROUP_SCHEMA

    def patch(self, request, *args, **kwargs):
        # Member changes do not write the group's row: Entra's many membership PATCHes to
        # one group need not queue behind each other (the unique constraint settles races).
        try:
            body = self.load_body(request.body)
            member_ops = SCIMHostGroup.member_operations(body)
        except SCIMException:
            body = member_ops = None  # reported below, after the 404 check
        adapter = self.scim_adapter(
            self.get_object(key_share=member_ops is not None), request=request
        )
        if member_ops is not None:
            adapter.apply_operations(member_ops)
        else:
            adapter.apply_patch(self.load_body(request.body) if body is None else body)
        if "attributes" in request.GET or "excludedAttributes" in request.GET:
            # RFC 7644 §3.5.2: a PATCH that names the attributes it wants back gets 200 and
            # the resource.
            return scim_json_response(adapter.to_dict(), headers={"Location": adapter.location})
        # Entra: "returning a body with a list of all the members isn't advisable".
        return HttpResponse(status=204)


class SearchMixin(ScimResourceMixin):
    """POST /Users/.search and /Groups/.search (RFC 7644 §3.4.3)."""

    collection_methods = ("post",)
    item_methods = ()
    failed_action = "search"

    def post(self, request, *args, **kwargs):
        body = self.load_body(request.body)
        request.scim_attributes = AttributeSelection.from_params(
            self.schema, body.get("attributes"), body.get("excludedAttributes")
        )
        start, count = page_params(body.get("startIndex"), body.get("count"))
        query = body.get("filter")
        if query is not None and not isinstance(query, str):
            raise InvalidValue('"filter" must be a string.')
        return self._search(request, query, start, count)


class HostSearchView(SearchMixin, scim_views.UserSearchView):
    resource_type = "User"
    schema = USER_SCHEMA


class HostGroupSearchView(SearchMixin, scim_views.GroupSearchView):
    resource_type = "Group"
    schema = GROUP_SCHEMA


# ------------------------------------------------------------------ discovery


class ServiceProviderConfigView(ScimViewMixin, scim_views.ServiceProviderConfigView):
    resource_type = "ServiceProviderConfig"


class ResourceTypesView(ScimViewMixin, scim_views.ResourceTypesView):
    resource_type = "ResourceType"

    def get(self, request, uuid=None, *args, **kwargs):
        types = [SCIMHost.resource_type_dict(request), SCIMHostGroup.resource_type_dict(request)]
        if uuid:
            for doc in types:
                if doc["id"] == uuid:
                    return scim_json_response(doc)
            raise NotFound(f"Resource type {uuid} not found.")
        return list_response(types, total=len(types), start=1)


class SchemasView(ScimViewMixin, scim_views.SchemasView):
    resource_type = "Schema"

    @staticmethod
    def documents(request):
        return [
            {
                **doc,
                "meta": {
                    "resourceType": "Schema",
                    "location": absolute("scim:schemas", uuid=doc["id"]),
                },
            }
            for doc in schemas()
        ]

    def get(self, request, uuid=None, *args, **kwargs):
        docs = self.documents(request)
        if uuid:
            for doc in docs:
                if doc["id"].lower() == uuid.lower():
                    return scim_json_response(doc)
            raise NotFound(f"Schema {uuid} not found.")
        return list_response(docs, total=len(docs), start=1)


# ------------------------------------------------------------------ the rest of /scim/v2/


ALL_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


class UnknownEndpointView(ScimViewMixin, scim_views.SCIMView):
    """Any other path under /scim/v2/: a SCIM 404, after authentication."""

    http_method_names = list(ALL_METHODS)
    collection_methods = item_methods = ALL_METHODS

    def _not_found(self, request, *args, **kwargs):
        raise NotFound(f"There is no SCIM endpoint at {request.path}.")

    get = post = put = patch = delete = head = options = _not_found


class NotImplementedView(ScimViewMixin, scim_views.SCIMView):
    """/Bulk, /Me and root /.search: features this service does not offer (501)."""

    http_method_names = list(ALL_METHODS)
    collection_methods = item_methods = ALL_METHODS

    def _not_implemented(self, request, *args, **kwargs):
        raise NotImplementedByService(f"{request.path} is not supported by this service.")

    get = post = put = patch = delete = head = options = _not_implemented
