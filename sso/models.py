"""Single sign-on state: each account's OpenID Connect provider, its domains and its log."""

from django.conf import settings
from django.db import models

from visitor_mgmt.models import Account


class SsoConnection(models.Model):
    """An account's OpenID Connect provider (one per account).

    The client secret is kept encrypted (sso/secrets.py): the product must present it to the
    provider's token endpoint, so it cannot be hashed. It is never shown again once saved.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="sso")
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField()
    # The provider's discovery document (/.well-known/openid-configuration), as fetched.
    provider_metadata = models.JSONField(default=dict, blank=True)
    metadata_fetched_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    create_staff_on_first_sign_in = models.BooleanField(default=False)
    # Password sign-in refused for the account's users, except the break-glass admins.
    require_sso = models.BooleanField(default=False)
    break_glass_admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    # A successful "Test sign-in" since the provider settings last changed (require-SSO
    # cannot be switched on without one).
    tested_at = models.DateTimeField(null=True, blank=True)
    tested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"SSO of {self.account} via {self.issuer}"


class SsoDomain(models.Model):
    """An e-mail domain whose people sign in through this account's provider.

    Unique across accounts: an e-mail's domain names at most one account, so one account's
    provider can never sign somebody into another account.
    """

    connection = models.ForeignKey(SsoConnection, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)  # lower case
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain


class SsoEvent(models.Model):
    """One sign-in, refusal or configuration change: who, when and why."""

    class Action(models.TextChoices):
        SIGN_IN = "sign-in", "Signed in"
        USER_CREATED = "user-created", "Signed in, staff user created"
        REFUSED = "refused", "Sign-in refused"
        PASSWORD_REFUSED = "password-refused", "Password sign-in refused"
        TEST_PASSED = "test-passed", "Test sign-in passed"
        TEST_FAILED = "test-failed", "Test sign-in failed"
        CONFIGURED = "configured", "Configuration changed"
        SESSIONS_ENDED = "sessions-ended", "Sessions ended"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # The person concerned: who signed in or was refused (as the provider named them), or
    # the admin or operator who changed the configuration.
    email = models.CharField(max_length=254, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="ssoevent_account_time")
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.email}"


class UserSession(models.Model):
    """A session a user signed in to, so deactivating the user can end all of them.

    Django's session store cannot be searched by user; this row is written at each sign-in.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    via_sso = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"session of {self.user_id}"
