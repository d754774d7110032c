"""Absolute URLs of SCIM resources (meta.location, Location, member $ref)."""

from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def base_location(request=None, *args, **kwargs):
    """Scheme and host of absolute URLs: PUBLIC_BASE_URL's (django-scim2's
    BASE_LOCATION_GETTER), so locations match the Tenant URL the admin pasted."""
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


_COLLECTION_PATHS = {}


def collection_path(url_name):
    """ "/scim/v2/Users" for "scim:users" (reversed once per process)."""
    if url_name not in _COLLECTION_PATHS:
        _COLLECTION_PATHS[url_name] = reverse(url_name).rstrip("/")
    return _COLLECTION_PATHS[url_name]


def absolute(url_name, **kwargs):
    return base_location() + reverse(url_name, kwargs=kwargs or None)


def scim_datetime(value):
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
