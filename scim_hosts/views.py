"""SCIM endpoints: django-scim2's views with their weak points overridden.

Every view is a ``dispatch.ScimViewMixin`` (auth, rate limit, errors, transactions, the
provisioning log). On top of it, ``ScimResourceMixin`` gives /Users and /Groups:

- ``get_object``: scoped to the token's account in SQL (one precompiled statement,
  ``sql.by_public_id``), non-UUID ids are 404, locked ``FOR UPDATE`` for PUT/PATCH/DELETE,
  or ``FOR KEY SHARE`` for a group PATCH that only changes members;
- lists and searches: ``listing.py`` (filter in SQL, paging as a deferred join);
- POST that links an existing manual or CSV resource instead of creating a twin.

PUT/DELETE and GET by id are django-scim2's own handlers over our adapters. PATCH is
overridden: users answer 200 with the resource, groups 204 without a body.
"""

import uuid

from django.http import HttpResponse
from django_scim import views as scim_views
from django_scim.exceptions import SCIMException

from scim_hosts.adapters import SCIMHost, SCIMHostGroup
from scim_hosts.discovery import schemas
from scim_hosts.dispatch import WRITE_METHODS, ScimViewMixin
from scim_hosts.listing import page_params, search_response
from scim_hosts.locations import absolute
from scim_hosts.protocol.errors import (
    BadRequest,
    InvalidValue,
    NotFound,
    NotImplementedByService,
    Uniqueness,
)
from scim_hosts.protocol.projection import AttributeSelection
from scim_hosts.protocol.responses import list_response, scim_json_response
from scim_hosts.protocol.schema import GROUP_SCHEMA, USER_SCHEMA


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

    def get_many(self, request):
        start, count = page_params(request.GET.get("startIndex"), request.GET.get("count"))
        return self.search(request, request.GET.get("filter"), start, count)

    def search(self, request, query, start, count):
        return search_response(
            request,
            parser=self.__class__.parser_getter(),
            adapter=self.scim_adapter,
            query=query,
            start=start,
            count=count,
        )


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
        return self.search(request, query, start, count)


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
