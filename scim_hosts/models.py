"""SCIM provisioning state: the account's secret token and the provisioning log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from visitor_mgmt.models import Account


class ScimToken(models.Model):
    """The one SCIM secret token of an account, stored only as a SHA-256 hash.

    The row also carries whether provisioning is enabled, so disabling keeps the token.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="scim_token")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="Last characters of the token, for display.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"SCIM token …{self.hint} for {self.account}"


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
