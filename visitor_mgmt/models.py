"""Domain model of the product: accounts, their people, hosts, host groups and visits.

The core knows that a host or group may be *directory-managed* (``source == DIRECTORY``):
such records are written only by a directory connector and are read-only everywhere else.
It does not know which protocol the connector speaks.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

# A host's own fields about the person, in display order: the host form, the CSV template's
# columns, the admin's "Person" section, the JSON API and the text normaliser use this list.
HOST_PERSON_FIELDS = (
    "first_name",
    "last_name",
    "display_name",
    "email",
    "alternate_email",
    "mobile",
    "alternate_mobile",
    "title",
    "department",
    "organization",
)

# What people call each of those fields, wherever a page names one: the host form and
# page, the import page's column list, the SCIM mappings page. The CSV template and the
# JSON API use the field names themselves, and the pages show those next to these labels.
HOST_FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "display_name": "Display name",
    "email": "E-mail",
    "alternate_email": "Alternate e-mail",
    "mobile": "Mobile (SMS)",
    "alternate_mobile": "Work phone",
    "title": "Job title",
    "department": "Department",
    "organization": "Organization",
}


class Source(models.TextChoices):
    MANUAL = "manual", "Added by hand"
    CSV = "csv", "CSV import"
    DIRECTORY = "directory", "Microsoft Entra ID"


class Account(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kiosk privacy: show "Jane D." instead of the full name to visitors.
    kiosk_short_names = models.BooleanField(default=False)
    # Who is told when a visitor finds no host at the kiosk (e.g. reception).
    kiosk_fallback_email = models.EmailField(blank=True)
    # IANA name ("Europe/Paris") every date and time of the account is shown in. Empty
    # until set: the first admin's browser proposes its own (visitor_mgmt/time_zones.py).
    time_zone = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """Links a Django user to the one account they work in, with a role."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)

    def __str__(self):
        return f"{self.user} @ {self.account} ({self.role})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


class Invitation(models.Model):
    """An e-mailed invitation to set a password, for a membership an admin created.

    Nothing secret is stored: the link's token is a signature over the user's state and
    ``sent_at`` (visitor_mgmt/services/people.py), so sending again voids older links and
    setting the password voids them all.
    """

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="invitation"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()
    send_count = models.PositiveIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Invitation of {self.membership.user}"

    @property
    def is_pending(self):
        return self.accepted_at is None


class PeopleEvent(models.Model):
    """One change to the people of an account, and who made it (shown on the People page).

    E-mail addresses are copied so the record survives the deletion of either user.
    """

    class Action(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_RESENT = "invitation-resent", "Invitation sent again"
        INVITATION_ACCEPTED = "invitation-accepted", "Accepted the invitation"
        ROLE_CHANGED = "role-changed", "Role changed"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        PASSWORD_RESET = "password-reset", "Reset the password by e-mail"

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="people_events", db_index=False
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_email = models.CharField(max_length=254)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="peopleevent_account_time")]

    def __str__(self):
        return f"{self.actor_email or 'system'}: {self.action} {self.subject_email}"


class HostQuerySet(models.QuerySet):
    def live(self):
        """Hosts that were not deleted (tombstones are kept only for visit history)."""
        return self.filter(deleted_at__isnull=True)


class Host(models.Model):
    """An employee a visitor can come to see."""

    # No index of its own: every index below starts with the account.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="hosts", db_index=False
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    alternate_email = models.EmailField(max_length=254, blank=True)
    mobile = models.CharField(max_length=64, blank=True, help_text="Used for SMS.")
    alternate_mobile = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)
    organization = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    # Directory identifiers: the sign-in name (Entra userPrincipalName) and the
    # directory's own id for the person.
    username = models.CharField(max_length=255, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    # The directory's last record of this host, kept verbatim so a connector can return
    # exactly what it was sent. The core never reads it.
    directory_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = HostQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            # userName is unique per account and case-insensitive among live hosts;
            # Upper() matches what `__iexact` compiles to on PostgreSQL, so the same
            # index serves lookups.
            models.UniqueConstraint(
                "account",
                Upper("username"),
                condition=Q(deleted_at__isnull=True) & ~Q(username=""),
                name="host_username_ci_unique_live",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "external_id"], name="host_account_external_id"),
            # Live hosts in id order: a page (LIMIT/OFFSET) and the COUNT of a listing are
            # index-only scans that never read tombstones or table rows.
            models.Index(
                fields=["account", "id"],
                condition=Q(deleted_at__isnull=True),
                name="host_account_live_id",
            ),
            models.Index(fields=["account", "updated_at"], name="host_account_updated"),
            # A directory's first sync matches hosts that have no username yet by e-mail
            # (any letter case): this index answers that lookup.
            models.Index(
                "account",
                Upper("email"),
                condition=Q(deleted_at__isnull=True, username=""),
                name="host_unlinked_email_ci",
            ),
        ]

    def __str__(self):
        return self.name or self.username or str(self.public_id)

    @property
    def name(self):
        return self.display_name or " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_directory_managed(self):
        return self.source == Source.DIRECTORY

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class HostTally(models.Model):
    """How many live (not tombstoned) hosts an account has: ``COUNT(*)`` kept in a row.

    A listing of every host must say how many there are (SCIM's ``totalResults``); counting
    100,000 index entries takes PostgreSQL several milliseconds on every page, the rest of
    the page one. Database triggers (migration 0003) keep this row exact whoever writes the
    host table: the ORM, bulk inserts, raw SQL, a cascade. Never written by the application.
    """

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="host_tally"
    )
    live_hosts = models.IntegerField(default=0)
    # Of those, the ones the directory provisioned (source "directory"): what the
    # Preferences SCIM section shows (migration 0004).
    directory_hosts = models.IntegerField(default=0, db_default=0)

    def __str__(self):
        return f"{self.account_id}: {self.live_hosts} live hosts"


class HostGroup(models.Model):
    """A set of hosts a visitor can pick as one (a team, a site, Reception)."""

    # No index of its own: every index below starts with the account.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="host_groups", db_index=False
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    members = models.ManyToManyField(
        Host, through="HostGroupMembership", related_name="host_groups", blank=True
    )
    directory_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("account", Upper("name"), name="hostgroup_name_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["account", "external_id"], name="hostgroup_account_external_id"),
            models.Index(fields=["account", "id"], name="hostgroup_account_id"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_directory_managed(self):
        return self.source == Source.DIRECTORY


class HostGroupMembership(models.Model):
    # Two indexes in all: the unique (group, host) one serves lookups by group, the host's
    # own index lookups by host. Fewer indexes, cheaper member writes.
    group = models.ForeignKey(
        HostGroup, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="group_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "host"], name="hostgroup_member_unique"),
        ]


class Visit(models.Model):
    class Notification(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        NONE = "none", "Nobody to notify"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="visits")
    host = models.ForeignKey(
        Host, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    host_group = models.ForeignKey(
        HostGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    # Names are copied at sign-in so history survives deactivation and deletion.
    host_name = models.CharField(max_length=255, blank=True)
    host_group_name = models.CharField(max_length=255, blank=True)
    visitor_name = models.CharField(max_length=200)
    visitor_email = models.EmailField(blank=True)
    visitor_company = models.CharField(max_length=200, blank=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)
    # When the kiosk showed the visitor's confirmation page: it is shown once only, so the
    # next person at the tablet cannot reopen it from the browser's history.
    welcome_shown_at = models.DateTimeField(null=True, blank=True)
    notification_status = models.CharField(
        max_length=10, choices=Notification.choices, default=Notification.PENDING
    )
    notification_error = models.CharField(max_length=500, blank=True)
    notification_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-signed_in_at", "-id"]
        indexes = [models.Index(fields=["account", "signed_in_at"], name="visit_account_time")]

    def __str__(self):
        return f"{self.visitor_name} → {self.host_name or self.host_group_name}"


class KioskDevice(models.Model):
    """A front-desk tablet allowed to run the account's kiosk, by a secret device key.

    Only the key's SHA-256 hash is stored; revoking a device ends its kiosk session.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="kiosk_devices")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.account})"
