"""The identity providers an admin can pick in "SCIM Host Provisioning", and what differs.

The SCIM server itself treats every client alike (what RFC 7644 allows, it accepts); the
choice only changes what the admin reads: the names of the fields to paste the base URL
and token into, the setup steps, the default source attributes on the mappings page, and
the words of the status. Research behind each entry: docs/identity-providers/.
"""

from dataclasses import dataclass, field

from django.db import models


class ProviderKey(models.TextChoices):
    ENTRA = "entra", "Microsoft Entra ID"
    OKTA = "okta", "Okta"
    ONELOGIN = "onelogin", "OneLogin"
    JUMPCLOUD = "jumpcloud", "JumpCloud"
    PINGONE = "pingone", "PingOne"
    GENERIC = "generic", "Other SCIM 2.0 client"


@dataclass(frozen=True)
class Provider:
    key: str
    name: str  # as sentences name it: "Waiting for Okta"
    url_label: str  # what the provider's screen calls the base URL field
    token_label: str  # ... and the token field
    credentials: str  # where the token is pasted, in the provider's words
    token_place: str  # the same, with the path to it (status explanations)
    test_and_save: str  # the provider's buttons after pasting
    test: str
    # Providers that sync on a schedule go quiet only when something is wrong: "Stalled"
    # after STALL_AFTER without a request. Event-driven ones (everyone but Entra) send
    # nothing while nothing changes, so silence is no stall there.
    sync_note: str = ""
    source_heading: str = ""  # mappings page: the heading of the source column
    # mappings page: SCIM path -> the provider's default source attribute (users, groups)
    sources: dict = field(default_factory=dict)
    group_sources: dict = field(default_factory=dict)

    @property
    def label(self):
        """As the picker lists it ("Other SCIM 2.0 client")."""
        return ProviderKey(self.key).label

    @property
    def title(self):
        """``name`` at the start of a sentence."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def short_name(self):
        """What running text calls it once introduced ("Entra's app")."""
        return "Entra" if self.is_entra else self.name

    @property
    def is_entra(self):
        return self.key == ProviderKey.ENTRA

    @property
    def steps_template(self):
        return f"scim_hosts/providers/{self.key}_steps.html"


ENTRA = Provider(
    key=ProviderKey.ENTRA,
    name="Microsoft Entra ID",
    url_label="Tenant URL",
    token_label="Secret Token",
    credentials="Admin Credentials",
    token_place="Admin Credentials (Provisioning → Admin Credentials → Secret Token)",
    test_and_save="Test Connection and Save",
    test="Test Connection",
    sync_note="syncs about every 40 minutes",
    source_heading="Entra source attribute",
    # Filled from scim_hosts.mapping (the Entra column) where the tables are built.
)

OKTA = Provider(
    key=ProviderKey.OKTA,
    name="Okta",
    url_label="SCIM connector base URL",
    token_label="API token",
    credentials="the app's Provisioning → Integration settings",
    token_place=(
        "Provisioning → Integration settings (Authentication Mode HTTP Header → Authorization)"
    ),
    test_and_save="Test Connector Configuration and Save",
    test="Test Connector Configuration",
    source_heading="Okta attribute",
    sources={
        "userName": "Username (user.login)",
        "active": "Assignment and user status",
        "displayName": "user.displayName",
        "name.givenName": "user.firstName",
        "name.familyName": "user.lastName",
        "title": "user.title",
        'emails[type eq "work"].value': "user.email",
        'emails[type eq "other"].value': "user.secondEmail",
        'phoneNumbers[type eq "mobile"].value': "user.mobilePhone",
        'phoneNumbers[type eq "work"].value': "user.primaryPhone",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "user.department",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization": (
            "user.organization"
        ),
        "externalId": "Okta user id",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": (
            "user.employeeNumber"
        ),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "user.managerId",
        "preferredLanguage": "user.preferredLanguage",
    },
    group_sources={
        "displayName": "Group name",
        "members": "Group members",
    },
)

ONELOGIN = Provider(
    key=ProviderKey.ONELOGIN,
    name="OneLogin",
    url_label="SCIM Base URL",
    token_label="SCIM Bearer Token",
    credentials="the app's Configuration tab",
    token_place="Configuration tab (SCIM Bearer Token)",
    test_and_save="Save, then Enable the API Connection",
    test="Enable (API Connection)",
    source_heading="OneLogin template value",
    sources={
        "userName": "{$parameters.scimusername}",
        "active": "Provisioning actions (Suspend / Delete)",
        "displayName": "{$user.display_name}",
        "name.givenName": "{$user.firstname}",
        "name.familyName": "{$user.lastname}",
        "name.formatted": "{$user.display_name}",
        "title": "{$parameters.title}",
        'emails[type eq "work"].value': "{$user.email}",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": (
            "{$parameters.department}"
        ),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": (
            "{$parameters.external_manager_id}"
        ),
    },
    group_sources={
        "displayName": "Groups parameter (set by a rule)",
        "members": "Users given that group by a rule",
    },
)

JUMPCLOUD = Provider(
    key=ProviderKey.JUMPCLOUD,
    name="JumpCloud",
    url_label="Base URL",
    token_label="Token Key",
    credentials="the app's Identity Management tab",
    token_place="Identity Management tab (Token Key)",
    test_and_save="Test Connection, Activate and Save",
    test="Test Connection",
    source_heading="JumpCloud attribute",
    sources={
        "userName": "Email",
        "active": "User state and group binding",
        "displayName": "Display Name",
        "name.givenName": "First Name",
        "name.familyName": "Last Name",
        "title": "Job Title",
        'emails[type eq "work"].value': "Email",
        'phoneNumbers[type eq "mobile"].value': "Mobile number",
        'phoneNumbers[type eq "work"].value': "Work phone",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Department",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization": "Company",
        "externalId": "JumpCloud user id",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": (
            "Employee ID"
        ),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "Manager",
        'addresses[type eq "work"].streetAddress': "Work address",
    },
    group_sources={
        "displayName": "User group name",
        "members": "User group members",
    },
)

PINGONE = Provider(
    key=ProviderKey.PINGONE,
    name="PingOne",
    url_label="SCIM Base URL",
    token_label="Access Token",
    credentials="the provisioning connection's Authentication step",
    token_place="provisioning connection (Authentication → OAuth 2 Bearer Token → Access Token)",
    test_and_save="Test Connection and Save",
    test="Test Connection",
    source_heading="PingOne attribute",
    sources={
        "userName": "Username",
        "active": "Enabled (and the deprovisioning action)",
        "displayName": "Formatted name",
        "name.givenName": "Given Name",
        "name.familyName": "Family Name",
        "title": "Title",
        'emails[type eq "work"].value': "Email Address",
        'phoneNumbers[type eq "mobile"].value': "Mobile Phone",
        'phoneNumbers[type eq "work"].value': "Primary Phone",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Department",
        "externalId": "User ID",
    },
    group_sources={
        "displayName": "Group name (or its distinguished name)",
        "members": "Group members",
    },
)

GENERIC = Provider(
    key=ProviderKey.GENERIC,
    name="your SCIM client",
    url_label="SCIM base URL",
    token_label="Bearer token",
    credentials="your client's SCIM connection settings",
    token_place="SCIM connection settings (bearer token, or Basic password)",
    test_and_save="test the connection and save",
    test="test the connection",
    source_heading="Typical source",
    sources={
        "userName": "The person's unique login (often the e-mail address)",
        "active": "Enabled / disabled",
        'emails[type eq "work"].value': "Work e-mail",
    },
    group_sources={
        "displayName": "Group name",
        "members": "Group members",
    },
)

PROVIDERS = {p.key: p for p in (ENTRA, OKTA, ONELOGIN, JUMPCLOUD, PINGONE, GENERIC)}
DEFAULT_PROVIDER = ProviderKey.ENTRA


def provider_by_key(key):
    """The Provider for a stored key; Entra for anything unknown (a removed choice)."""
    return PROVIDERS.get(key) or PROVIDERS[DEFAULT_PROVIDER]


def provider_choices():
    """(key, label) pairs for the picker, Entra first as the default."""
    return list(ProviderKey.choices)


def account_provider(account):
    """The Provider an account's admins chose (one query), Entra when they never chose."""
    from scim_hosts.models import ProviderChoice  # here: models import this module

    key = ProviderChoice.objects.filter(account=account).values_list("provider", flat=True).first()
    return provider_by_key(key)
