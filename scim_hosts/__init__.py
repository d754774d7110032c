"""SCIM 2.0 host provisioning (Microsoft Entra ID → Hosts and HostGroups of one account).

Built on django-scim2, overridden at its narrow points:

- ``urls.py``      the "scim" namespace, django-scim2's route names, our view subclasses,
                   a catch-all SCIM 404.
- ``views.py``     ``dispatch`` (auth, 405/413, one transaction per write, SCIM errors,
                   provisioning log), ``get_object`` (account-scoped, UUID, FOR UPDATE),
                   list/filter/paging in SQL, PATCH (users 200, groups 204), discovery.
- ``auth.py``      bearer token → ``request.scim_account``; the same 401 for every failure.
- ``adapters.py``  ``SCIMHost`` / ``SCIMHostGroup`` (django-scim2 adapters): documents,
                   projection, writes through ``visitor_mgmt.services.hosts``, bulk members.
- ``filters.py``   filters → Q on the account's queryset (scim2-filter-parser's Q transpiler,
                   strict and typed); ``filter_syntax.py`` makes its lexer tolerant;
                   ``filter_elements.py`` matches multi-valued attributes on every value.
- ``patch.py``     the PATCH engine over stored documents; ``paths.py`` SCIM paths;
                   ``documents.py`` cleaning/validation; ``mapping.py`` document ⇄ Host fields;
                   ``schema.py`` the attribute table (also served by /Schemas).
- ``events.py``    the provisioning log; ``tokens.py`` the account's secret token (with a
                   public account key), rotation with a grace period, retired tokens.
- ``health.py``    the status an admin sees (Waiting, Connected, Failing, Stalled, ...), the
                   failure explained in words, and the alert e-mails (docs/provisioning-health.md).
- ``preferences*`` the "SCIM Host Provisioning" section: token, status, link conflicts,
                   disconnect (docs/linking.md).
"""
