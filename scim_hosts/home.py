"""The "Directory provisioning" panel of the home page (admins), registered into the core's
home-panel registry (visitor_mgmt/home.py). It also tells the core's onboarding checklist
whether the identity provider is connected."""

from scim_hosts import health
from scim_hosts.models import ScimToken
from scim_hosts.providers import account_provider
from visitor_mgmt.home import HomePanel, register_home_panel
from visitor_mgmt.selectors.hosts import live_directory_host_count


def panel_context(request, account):
    token = ScimToken.objects.filter(account=account).first()
    provider = account_provider(account)
    return {
        "provider": provider,
        "token": token,
        "status": health.provisioning_status(account=account, token=token, provider=provider),
        "directory_hosts": live_directory_host_count(account=account),
    }


def directory_connected(account):
    """The identity provider has provisioned at least once with the account's token."""
    return ScimToken.objects.filter(account=account, last_success_at__isnull=False).exists()


def register():
    register_home_panel(
        HomePanel(
            key="provisioning",
            title="Directory provisioning",
            template="scim_hosts/home_panel.html",
            get_context=panel_context,
            order=50,
            admins_only=True,
            directory_connected=directory_connected,
            directory_setup_label="Connect your identity provider (SCIM)",
            directory_setup_url="/preferences/#scim",
        )
    )
