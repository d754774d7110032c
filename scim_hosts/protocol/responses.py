"""SCIM responses: ``application/scim+json`` bodies, the ListResponse message and the
error message (RFC 7644 §3.4.2, §3.12).

An error is ``{"schemas": [Error URN], "status": "<string>", "scimType": ..., "detail": ...}``.
django-scim2's own exceptions carry ``status`` as an int; ``response_for_scim_exception``
renders those the same way as ours.
"""

import json

from django.http import HttpResponse

ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCIM_CONTENT_TYPE = "application/scim+json"


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


# What an error says when the exception carries no detail (django-scim2's own are often
# raised bare, e.g. ``NotImplementedError()``).
DEFAULT_DETAILS = {
    400: "Bad request.",
    404: "Resource not found.",
    409: "Conflict.",
    501: "Not implemented.",
}


def response_for_scim_exception(exc):
    """The error response of a django-scim2 ``SCIMException`` (ours subclass it): every one
    has a status, a detail ("" when raised bare) and a scimType (or None); ours add headers."""
    status = int(exc.status)
    detail = str(exc.detail) or DEFAULT_DETAILS.get(status)  # else error_body's "Error."
    return error_response(status, detail, exc.scim_type, getattr(exc, "headers", None))


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
