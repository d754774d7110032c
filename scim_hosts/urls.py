"""/scim/v2/ routes. The namespace is "scim": django-scim2 reverses "scim:users" etc.

Django-scim2's route names, our view subclasses; a trailing slash is tolerated; every other
path under /scim/v2/ is a SCIM 404 (after authentication), never Django's HTML page.
"""

from django.urls import re_path

from scim_hosts import views

app_name = "scim"

ID = r"(?:/(?P<uuid>[^/]+))?/?$"

urlpatterns = [
    re_path(r"^$", views.UnknownEndpointView.as_view(), name="root"),
    re_path(r"^\.search/?$", views.NotImplementedView.as_view(), name="search"),
    re_path(r"^Users/\.search/?$", views.HostSearchView.as_view(), name="users-search"),
    re_path(r"^Users" + ID, views.HostsView.as_view(), name="users"),
    re_path(r"^Groups/\.search/?$", views.HostGroupSearchView.as_view(), name="groups-search"),
    re_path(r"^Groups" + ID, views.HostGroupsView.as_view(), name="groups"),
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
