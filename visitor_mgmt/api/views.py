"""JSON API (session auth + CSRF). Thin: parse with a serializer, call a selector or a
service, answer with a serializer. Hosts are addressed by their public id (UUID)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from visitor_mgmt.api.permissions import IsAccountAdminOrReadOnly, IsAccountMember
from visitor_mgmt.api.serializers import (
    HOST_INPUT_FIELDS,
    HostGroupOutputSerializer,
    HostInputSerializer,
    HostListQuerySerializer,
    HostOutputSerializer,
)
from visitor_mgmt.models import Host, Source
from visitor_mgmt.selectors import hosts as host_selectors
from visitor_mgmt.services import hosts as host_services


def _call_service(func, **kwargs):
    """Run a write service, turning its refusals into API errors (400/403)."""
    try:
        return func(**kwargs)
    except host_services.DirectoryManagedError as exc:
        raise PermissionDenied(detail=str(exc)) from None
    except DjangoValidationError as exc:
        raise ValidationError(detail=as_serializer_error(exc)) from None


class HostListApi(GenericAPIView):
    """GET: the account's hosts (search, active, source filters; paginated). POST: add one."""

    permission_classes = [IsAccountAdminOrReadOnly]

    def get(self, request):
        query = HostListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hosts = host_selectors.host_list(
            account=request.account,
            search=query.validated_data.get("search", ""),
            active=query.validated_data.get("active"),
            source=query.validated_data.get("source") or None,
        )
        page = self.paginate_queryset(hosts)
        return self.get_paginated_response(HostOutputSerializer(page, many=True).data)

    def post(self, request):
        data = HostInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        host = _call_service(
            host_services.host_create,
            account=request.account,
            source=Source.MANUAL,
            **data.validated_data,
        )
        return Response(HostOutputSerializer(host).data, status=status.HTTP_201_CREATED)


class HostDetailApi(GenericAPIView):
    """GET one host; PUT replaces its writable fields, PATCH changes the given ones."""

    permission_classes = [IsAccountAdminOrReadOnly]

    def get_host(self, request, public_id):
        try:
            return host_selectors.host_get(account=request.account, public_id=public_id)
        except Host.DoesNotExist:
            raise Http404 from None

    def get(self, request, public_id):
        return Response(HostOutputSerializer(self.get_host(request, public_id)).data)

    def _update(self, request, public_id, *, partial):
        host = self.get_host(request, public_id)
        # Refuse a directory-managed host before reading the body: same answer whatever was sent.
        _call_service(host_services.ensure_editable, record=host)
        data = HostInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not partial:
            defaults = dict.fromkeys(HOST_INPUT_FIELDS, "") | {"is_active": True}
            values = defaults | values
        host = _call_service(host_services.host_update, host=host, **values)
        return Response(HostOutputSerializer(host).data)

    def put(self, request, public_id):
        return self._update(request, public_id, partial=False)

    def patch(self, request, public_id):
        return self._update(request, public_id, partial=True)


class HostGroupListApi(GenericAPIView):
    permission_classes = [IsAccountMember]

    def get(self, request):
        search = request.query_params.get("search", "")[:200]
        groups = host_selectors.host_group_list(account=request.account, search=search)
        page = self.paginate_queryset(groups)
        return self.get_paginated_response(HostGroupOutputSerializer(page, many=True).data)
