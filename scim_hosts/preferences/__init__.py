"""The "SCIM Host Provisioning" section of the Preferences page: its pages (views, urls),
forms and services. Templates: scim_hosts/templates/scim_hosts; static files:
scim_hosts/static/scim_hosts."""
