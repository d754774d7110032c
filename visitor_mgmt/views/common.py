"""Small helpers shared by the page views."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect

from visitor_mgmt.services.hosts import DIRECTORY_MANAGED_MESSAGE

PAGE_SIZE = 25


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The requested page of ``queryset``; a bad or too large page number gives a valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def found_or_404(select, message, **lookup):
    """``select(**lookup)`` (a selector that raises DoesNotExist), or Http404 with ``message``."""
    try:
        return select(**lookup)
    except ObjectDoesNotExist:
        raise Http404(message) from None


def refuse_directory_managed(request, record, url):
    """Answer a write to a directory-managed record: nothing changes, the user is told why."""
    messages.error(request, DIRECTORY_MANAGED_MESSAGE.format(name=record))
    return redirect(url)


def add_service_errors(form, error: ValidationError):
    """Show a service's ValidationError on the form, on the field it names where possible."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
