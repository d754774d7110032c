"""SCIM 2.0 host provisioning (Microsoft Entra ID and others → Hosts and HostGroups of one
account), built on django-scim2 and overridden at its narrow points. From the bottom up:

- ``protocol/``    SCIM and JSON only, no models, no ORM (tests/core/test_protocol_purity.py):
                   the attribute table (``schema``), paths, filter syntax, value filters,
                   the PATCH engine, documents, request bodies, ``attributes`` projection,
                   errors and responses.
- ``mapping.py``   SCIM document ⇄ Host / HostGroup fields.
- ``adapters/``    django-scim2's adapters (``users``, ``groups``, ``members``): translate
                   and hand writes to ``visitor_mgmt.services.hosts``.
- ``filters.py``   django-scim2's FilterQuery per resource type and Entra's fast path;
                   ``filter_fields.py`` / ``filter_transpiler.py`` / ``filter_elements.py``
                   turn a filter into a Q object on the account's queryset.
- ``sql.py``       every hand-written SQL statement, each with an ORM twin in the tests.
- ``listing.py``   lists and searches (paging in SQL, ListResponse).
- ``dispatch.py``  what every SCIM view does around its handler (auth, rate limit, errors,
                   transactions, log); ``views.py`` the endpoints; ``urls.py`` the routes.
- ``access/``      the account's token (``tokens``) and the request's credentials (``bearer``).
- ``ratelimit.py`` SCIM's per-account limit over the core's counter; 429 + Retry-After.
- ``provisioning_log.py`` one row per write or failure; ``health.py`` the status an admin
                   sees and the alert e-mails (docs/provisioning-health.md).
- ``preferences/`` the "SCIM Host Provisioning" section: token, status, log, mappings,
                   provider, disconnect (docs/linking.md).
"""
