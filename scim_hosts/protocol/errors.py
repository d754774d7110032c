"""SCIM errors (RFC 7644 §3.12): raise one anywhere under a SCIM view and it becomes the
error response (``responses.response_for_scim_exception``)."""

from django_scim import exceptions as scim_exceptions


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

    def __init__(self, detail, *, value):
        super().__init__(detail)
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
