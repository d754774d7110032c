"""django-scim2 adapters: SCIM User ⇄ Host (``users.py``), SCIM Group ⇄ HostGroup
(``groups.py``, members in ``members.py``).

Modelled on Zulip's ``zerver/lib/scim.py``: an adapter translates a SCIM document into the
product's terms and hands the write to the core's services (``visitor_mgmt.services.hosts``,
``via_directory=True``); the SCIM protocol itself (documents, PATCH, projection, errors) is
``scim_hosts.protocol``'s. Every write leaves a ``Change`` on ``request.scim_change`` for the
provisioning log. django-scim2 finds these by name (settings ``USER_ADAPTER``,
``GROUP_ADAPTER``, ``USER_MODEL_GETTER``).
"""

from scim_hosts.adapters.groups import SCIMHostGroup
from scim_hosts.adapters.users import SCIMHost
from visitor_mgmt.models import Host

__all__ = ["SCIMHost", "SCIMHostGroup", "get_host_model"]


def get_host_model():
    return Host
