"""SCIM provisioning state: the account's secret token and the provisioning log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from scim_hosts.providers import ProviderKey
from visitor_mgmt.models import Account


class ScimToken(models.Model):
    """The one SCIM secret token of an account, stored only as a SHA-256 hash.

    The row also carries whether provisioning is enabled, so disabling keeps the token.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="scim_token")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="Last characters of the token, for display.")
    # Public part of the token ("vmscim_<account_key>_<secret>"): a request whose secret is
    # wrong can still be tied to its account, to log why it was refused. Blank for tokens
    # issued before keys existed (they keep working until rotated).
    account_key = models.CharField(max_length=16, blank=True, db_index=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The latest answered request that succeeded / failed (to tell Connected from Failing).
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"SCIM token …{self.hint} for {self.account}"


class RetiredScimToken(models.Model):
    """A token that was replaced (rotation) or revoked (disconnect), kept as a hash.

    Until ``works_until`` it still authenticates (a rotation's grace period); afterwards a
    request with it is refused and logged as "a token that was replaced", for
    ``RETIRED_TOKEN_MEMORY`` days, then the row is purged.
    """

    class Reason(models.TextChoices):
        ROTATED = "rotated", "Replaced by a new token"
        DISCONNECTED = "disconnected", "Revoked by disconnecting"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)
    account_key = models.CharField(max_length=16, blank=True, db_index=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    retired_at = models.DateTimeField()
    works_until = models.DateTimeField()

    class Meta:
        ordering = ["-retired_at", "-id"]

    def __str__(self):
        return f"retired SCIM token …{self.hint} for {self.account_id}"


class ProvisioningIncident(models.Model):
    """The open alert of an account: provisioning turned Failing or Stalled and its admins
    were told once; closed (and the admins told once more) when it recovers."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)
    opened_at = models.DateTimeField()

    def __str__(self):
        return f"{self.account_id}: {self.status} since {self.opened_at:%Y-%m-%d %H:%M}"


class ProvisioningAlertOptOut(models.Model):
    """An admin who switched the provisioning alert e-mails off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"no provisioning alerts for {self.user_id}"


class ProvisioningEvent(models.Model):
    """One SCIM request that changed data or failed, or one change to the integration."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"

    # No index of its own: provevent_account_time starts with the account.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="provisioning_events", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10, blank=True)
    resource_type = models.CharField(max_length=20, blank=True)  # User, Group, Token, ...
    resource_id = models.CharField(max_length=64, blank=True)
    resource_name = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=32)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    scim_type = models.CharField(max_length=32, blank=True)  # of a SCIM error answer
    token_hint = models.CharField(max_length=8, blank=True)  # which token the request used
    # Rejections are aggregated (one row a minute per account and reason): how many.
    repeat_count = models.PositiveIntegerField(default=1)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see provevent_actor: SCIM's rows have no actor
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="provevent_account_time"),
            # Only the few rows people caused (token changes) are indexed by actor: a SCIM
            # request's row, written on every change, skips this index.
            models.Index(
                fields=["actor"], condition=Q(actor__isnull=False), name="provevent_actor"
            ),
            # The log page's filters at a large tenant's size (a million rows): failures and
            # the rarer resource types get an index of their own. Partial, so the common
            # write (a successful User change) pays for neither.
            models.Index(
                fields=["account", "-created_at", "-id"],
                condition=Q(outcome="failure"),
                name="provevent_account_failures",
            ),
            models.Index(
                fields=["account", "resource_type", "-created_at", "-id"],
                condition=~Q(resource_type="User"),
                name="provevent_account_type",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"


class ProviderChoice(models.Model):
    """The identity provider an account's admins said they provision from.

    It changes only what the SCIM section says (setup steps, field names, status words;
    see scim_hosts.providers), never what the SCIM server accepts. No row: Entra.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(
        max_length=16, choices=ProviderKey.choices, default=ProviderKey.ENTRA
    )
    chosen_at = models.DateTimeField()
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"{self.account_id}: {self.get_provider_display()}"
