"""SCIM error responses (RFC 7644 §3.12): one shape for every failure.

``{"schemas": [Error URN], "status": "<string>", "scimType": ..., "detail": ...}`` with
``Content-Type: application/scim+json``. django-scim2's own exceptions send ``status`` as an
int; ``error_response`` renders those the same way as ours.
"""

import json

from django.http import HttpResponse
from django_scim import exceptions as scim_exceptions

ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCIM_CONTENT_TYPE = "application/scim+json"


class ScimError(scim_exceptions.SCIMException):
    """Raise anywhere under a SCIM view; it becomes the error response.

    Subclasses django-scim2's SCIMException, so the library's own handlers would render it
    too; our views render it with ``status`` as a string.
    """

    status = 400

    def __init__(self, detail, *, status=None, scim_type=None, headers=None):
        super().__init__(detail, status=status, scim_type=scim_type)
        self.headers = headers or {}


class BadRequest(ScimError):
    status = 400


class InvalidValue(ScimError):
    status = 400
    scim_type = "invalidValue"


class InvalidSyntax(ScimError):
    status = 400
    scim_type = "invalidSyntax"


class InvalidFilter(ScimError):
    status = 400
    scim_type = "invalidFilter"


class InvalidPath(ScimError):
    status = 400
    scim_type = "invalidPath"


class NoTarget(ScimError):
    status = 400
    scim_type = "noTarget"


class Mutability(ScimError):
    status = 400
    scim_type = "mutability"


class Uniqueness(ScimError):
    status = 409
    scim_type = "uniqueness"


class LinkConflict(Uniqueness):
    """A directory's identifier matches more than one existing resource: none is linked.
    ``value`` (the identifier) lets the provisioning log name the conflict."""

    def __init__(self, detail, *, value, **kwargs):
        super().__init__(detail, **kwargs)
        self.value = value


class NotFound(ScimError):
    status = 404


class MethodNotAllowed(ScimError):
    status = 405


class PayloadTooLarge(ScimError):
    status = 413


class UnsupportedMediaType(ScimError):
    status = 415


class TooManyRequests(ScimError):
    status = 429


class ServiceUnavailable(ScimError):
    status = 503


class NotImplementedByService(ScimError):
    status = 501


def scim_json_response(data, *, status=200, headers=None):
    response = HttpResponse(json.dumps(data), content_type=SCIM_CONTENT_TYPE, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_body(status, detail, scim_type=None):
    body = {"schemas": [ERROR_URN], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail or "Error."
    return body


def error_response(status, detail, scim_type=None, headers=None):
    return scim_json_response(error_body(status, detail, scim_type), status=status, headers=headers)


def response_for_scim_exception(exc):
    status = int(getattr(exc, "status", 500) or 500)
    detail = str(getattr(exc, "detail", "") or "") or {
        400: "Bad request.",
        404: "Resource not found.",
        409: "Conflict.",
        501: "Not implemented.",
    }.get(status, "Error.")
    return error_response(
        status, detail, getattr(exc, "scim_type", None), getattr(exc, "headers", None)
    )
