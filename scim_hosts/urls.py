"""/scim/v2/ routes. The namespace is "scim": django-scim2 reverses "scim:users" etc.

Django-scim2's route names, our view subclasses; a trailing slash is tolerated and /Users
and /Groups answer in any letter case (some clients and test collections send ``/users``);
every other path under /scim/v2/ is a SCIM 404 (after authentication), never Django's HTML
page.
"""

import re

from django.urls import re_path

from scim_hosts import views

app_name = "scim"

ID = r"(?:/(?P<uuid>[^/]+))?/?$"


def any_case(name):
    """``name`` in any letter case: clients and test collections send ``/users`` too.

    A character class per letter rather than ``(?i)``: Django's ``reverse`` keeps the
    first spelling of each class, so reversed URLs still read ``/Users``.
    """
    return "".join(f"[{c}{c.swapcase()}]" if c.isalpha() else re.escape(c) for c in name)


USERS, GROUPS = any_case("Users"), any_case("Groups")

urlpatterns = [
    re_path(r"^$", views.UnknownEndpointView.as_view(), name="root"),
    re_path(r"^\.search/?$", views.NotImplementedView.as_view(), name="search"),
    re_path("^" + USERS + r"/\.search/?$", views.HostSearchView.as_view(), name="users-search"),
    re_path("^" + USERS + ID, views.HostsView.as_view(), name="users"),
    re_path(
        "^" + GROUPS + r"/\.search/?$", views.HostGroupSearchView.as_view(), name="groups-search"
    ),
    re_path("^" + GROUPS + ID, views.HostGroupsView.as_view(), name="groups"),
    re_path(r"^Me/?$", views.NotImplementedView.as_view(), name="me"),
    re_path(
        r"^ServiceProviderConfig/?$",
        views.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(r"^ResourceTypes" + ID, views.ResourceTypesView.as_view(), name="resource-types"),
    re_path(r"^Schemas" + ID, views.SchemasView.as_view(), name="schemas"),
    re_path(r"^Bulk/?$", views.NotImplementedView.as_view(), name="bulk"),
    re_path(r"^[\s\S]*$", views.UnknownEndpointView.as_view(), name="unknown"),  # "\n" too
]
