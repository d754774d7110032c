"""What every /scim/v2/ view does around its handler (``ScimViewMixin``), replacing
django-scim2's ``dispatch``: bearer-token auth (``access.bearer``) inside the error handling,
the rate limit, 405 for methods the route does not serve, the body size limit (413) and
media type (415), one transaction per write, SCIM error JSON for every exception (``status``
as a string, never a stack trace), and one provisioning-log row per write or failure.
"""

import json
import logging
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from django_scim.exceptions import SCIMException

from scim_hosts.access.bearer import authenticate_request
from scim_hosts.access.tokens import note_outcome
from scim_hosts.protocol.body import parse_body
from scim_hosts.protocol.errors import (
    LinkConflict,
    MethodNotAllowed,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from scim_hosts.protocol.projection import AttributeSelection
from scim_hosts.protocol.responses import error_response, response_for_scim_exception
from scim_hosts.provisioning_log import record_change, record_failure
from scim_hosts.ratelimit import throttle
from visitor_mgmt.db_status import diagnose, log_unavailable

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_MEDIA_TYPE = re.compile(r"application/([a-z0-9.+-]*\+)?json")
DB_UNAVAILABLE_RETRY_AFTER = 30  # seconds


def too_large_detail():
    return f"The request body is larger than {settings.SCIM_MAX_BODY_BYTES} bytes."


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
            response = exception_response(exc, request)
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

    def check_content_length(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.SCIM_MAX_BODY_BYTES:
            raise PayloadTooLarge(too_large_detail())

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
            raise PayloadTooLarge(too_large_detail())
        return parse_body(body)


def exception_response(exc, request):
    """The SCIM error response for any exception a SCIM request raised."""
    if isinstance(exc, SCIMException):
        return response_for_scim_exception(exc)
    if isinstance(exc, RequestDataTooBig):
        return response_for_scim_exception(PayloadTooLarge(too_large_detail()))
    if isinstance(exc, ValidationError):
        return error_response(400, " ".join(exc.messages), "invalidValue")
    if isinstance(exc, IntegrityError):
        return error_response(409, "The request conflicts with an existing resource.", "uniqueness")
    unavailable = diagnose(exc)
    if unavailable is not None:
        # The database is unreachable, went away mid-request, or refuses the settings;
        # the transaction rolled back, so nothing was written. Entra retries a 503 later.
        log_unavailable(unavailable, exc, f"SCIM {request.method}")
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
    logger.exception("SCIM request failed: %s %s", request.method, request.path)
    return error_response(500, "Internal server error.")
