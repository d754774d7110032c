"""Business rules of single sign-on: configuration, who may sign in, sessions, the log."""

import re
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sso.discovery import ProviderError, fetch_provider_metadata, normalise_issuer
from sso.models import SsoConnection, SsoDomain, SsoEvent, UserSession
from sso.secret_box import encrypt_secret
from visitor_mgmt.models import Membership

Action = SsoEvent.Action

# A DNS name of at least two labels (no scheme, no @, no trailing dot).
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


class SignInRefused(Exception):
    """The provider vouched for somebody this account does not let in; says why."""

    def __init__(self, reason, *, email=""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


def record_event(*, account, action, email="", user=None, reason=""):
    return SsoEvent.objects.create(
        account=account, action=action, email=email[:254], user=user, reason=reason[:300]
    )


def clean_domains(raw_domains):
    """Lower-cased, de-duplicated domains; ValidationError naming the first bad one."""
    domains = []
    for raw in raw_domains:
        domain = raw.strip().lower().removeprefix("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ValidationError({"domains": f"“{raw.strip()}” is not an e-mail domain."})
        if domain not in domains:
            domains.append(domain)
    return domains


def _actor_label(actor):
    return actor.get_username() if actor is not None else "an operator (manage.py)"


@transaction.atomic
def connection_configure(
    *,
    account,
    actor=None,
    issuer,
    client_id,
    client_secret=None,
    domains=None,
    enabled=True,
    create_staff_on_first_sign_in=None,
):
    """Create or change the account's provider. ``client_secret=None`` keeps the stored one.

    The issuer's discovery document is fetched and checked first: nothing is saved when the
    provider cannot be used. Raises ValidationError naming the field.
    """
    issuer = normalise_issuer(issuer)
    client_id = client_id.strip()
    connection = SsoConnection.objects.select_for_update().filter(account=account).first()
    errors = {}
    if not client_id:
        errors["client_id"] = "Enter the client (application) ID from your provider."
    if connection is None and not client_secret:
        errors["client_secret"] = "Enter the client secret from your provider."
    if domains is not None:
        try:
            domains = clean_domains(domains)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            taken = SsoDomain.objects.filter(domain__in=domains).exclude(
                connection__account=account
            )
            for domain in taken.values_list("domain", flat=True):
                errors["domains"] = (
                    f"{domain} is already used for single sign-on by another account."
                )
    metadata = None
    if "issuer" not in errors:
        try:
            metadata = fetch_provider_metadata(issuer)
        except ProviderError as exc:
            errors["issuer"] = str(exc)
    if errors:
        raise ValidationError(errors)

    changes = []
    if connection is None:
        connection = SsoConnection(account=account)
        changes.append(f"provider {issuer} connected")
    else:
        if connection.issuer != issuer:
            changes.append(f"issuer {connection.issuer} → {issuer}")
        if connection.client_id != client_id:
            changes.append(f"client ID {connection.client_id} → {client_id}")
    if client_secret:
        if connection.pk:
            changes.append("client secret replaced")
        connection.client_secret_encrypted = encrypt_secret(client_secret)
    provider_changed = bool(changes)
    connection.issuer = issuer
    connection.client_id = client_id
    connection.provider_metadata = metadata
    connection.metadata_fetched_at = timezone.now()
    if connection.enabled != enabled:
        changes.append("enabled" if enabled else "disabled")
    connection.enabled = enabled
    if (
        create_staff_on_first_sign_in is not None
        and connection.create_staff_on_first_sign_in != create_staff_on_first_sign_in
    ):
        changes.append(
            "staff users created on first sign-in"
            if create_staff_on_first_sign_in
            else "no users created on sign-in"
        )
        connection.create_staff_on_first_sign_in = create_staff_on_first_sign_in
    if provider_changed:
        # The new settings have not been tried yet.
        connection.tested_at = None
        connection.tested_by = None
    connection.save()

    if domains is not None:
        old = set(connection.domains.values_list("domain", flat=True))
        if set(domains) != old:
            connection.domains.exclude(domain__in=domains).delete()
            for domain in domains:
                if domain not in old:
                    try:
                        with transaction.atomic():
                            SsoDomain.objects.create(connection=connection, domain=domain)
                    except IntegrityError:  # another account took it meanwhile
                        raise ValidationError(
                            {"domains": f"{domain} is already used by another account."}
                        ) from None
            changes.append("domains: " + (", ".join(domains) or "none"))
    if changes:
        record_event(
            account=account,
            action=Action.CONFIGURED,
            email=_actor_label(actor),
            user=actor,
            reason="; ".join(changes),
        )
    return connection


@transaction.atomic
def connection_set_enabled(*, account, actor=None, enabled):
    connection = SsoConnection.objects.select_for_update().filter(account=account).first()
    if connection is None:
        raise ValidationError("Single sign-on is not configured for this account.")
    if connection.enabled != enabled:
        connection.enabled = enabled
        connection.save(update_fields=["enabled", "updated_at"])
        record_event(
            account=account,
            action=Action.CONFIGURED,
            email=_actor_label(actor),
            user=actor,
            reason="enabled" if enabled else "disabled (password sign-in works for everybody)",
        )
    return connection


@transaction.atomic
def connection_set_policy(
    *, account, actor, create_staff_on_first_sign_in, require_sso, break_glass_admins
):
    """Who may come in through the provider, and whether passwords still work.

    Requiring single sign-on needs an enabled provider that passed a "Test sign-in" with
    its current settings and at least one break-glass admin (an active admin of this
    account), so a provider outage never locks the account out.
    """
    connection = SsoConnection.objects.select_for_update().filter(account=account).first()
    if connection is None:
        raise ValidationError("Single sign-on is not configured for this account.")
    admins = list(break_glass_admins)
    for user in admins:
        membership = getattr(user, "membership", None)
        if not (
            user.is_active
            and membership
            and membership.account_id == account.pk
            and membership.is_admin
        ):
            raise ValidationError(
                {"break_glass_admins": f"{user.get_username()} is not an active admin here."}
            )
    if require_sso:
        errors = []
        if not connection.enabled:
            errors.append("Enable single sign-on first.")
        if connection.tested_at is None:
            errors.append("Run “Test sign-in” successfully with the current settings first.")
        if not admins:
            errors.append(
                "Name at least one break-glass admin who can still sign in with a password."
            )
        if errors:
            raise ValidationError({"require_sso": errors})
    changes = []
    if connection.create_staff_on_first_sign_in != create_staff_on_first_sign_in:
        changes.append(
            "staff users created on first sign-in"
            if create_staff_on_first_sign_in
            else "no users created on sign-in"
        )
    if connection.require_sso != require_sso:
        changes.append("single sign-on required" if require_sso else "passwords allowed")
    old_admins = set(connection.break_glass_admins.values_list("pk", flat=True))
    if old_admins != {u.pk for u in admins}:
        names = ", ".join(sorted(u.get_username() for u in admins)) or "none"
        changes.append(f"break-glass admins: {names}")
    connection.create_staff_on_first_sign_in = create_staff_on_first_sign_in
    connection.require_sso = require_sso
    connection.save(update_fields=["create_staff_on_first_sign_in", "require_sso", "updated_at"])
    connection.break_glass_admins.set(admins)
    if require_sso and "single sign-on required" in changes:
        # Password sessions opened before now end too: from now on only the provider (or
        # being a break-glass admin) lets these people in.
        transaction.on_commit(lambda: end_password_sessions(account=account, keep=admins))
    if changes:
        record_event(
            account=account,
            action=Action.CONFIGURED,
            email=_actor_label(actor),
            user=actor,
            reason="; ".join(changes),
        )
    return connection


def identity_email(claims):
    """The e-mail the provider vouches for: a verified ``email``, else Entra's
    ``preferred_username`` (the sign-in name, an e-mail address in Entra)."""
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and claims.get("email_verified") in (True, "true"):
        return email.strip()
    username = claims.get("preferred_username")
    if isinstance(username, str) and "@" in username:
        return username.strip()
    return ""


def resolve_user(*, connection, claims, create=True):
    """The active user of the connection's account the ID token's claims name.

    Raises SignInRefused (nothing created) when the e-mail is missing, outside the
    account's domains, or names nobody active in this account; creates a staff user
    when the account lets people of its domains in without an invitation.
    Returns (user, created); with ``create=False`` a user who would be created is None.
    """
    email = identity_email(claims)
    if not email:
        raise SignInRefused(
            "The provider did not send a verified e-mail address (email with "
            "email_verified, or preferred_username)."
        )
    domain = email.rsplit("@", 1)[1].lower()
    if not connection.domains.filter(domain=domain).exists():
        raise SignInRefused(
            f"{domain} is not one of this account's single sign-on domains.", email=email
        )
    User = get_user_model()
    user = User.objects.filter(username__iexact=email).select_related("membership").first()
    if user is not None:
        membership = getattr(user, "membership", None)
        if membership is None or membership.account_id != connection.account_id:
            raise SignInRefused(f"{email} is not a user of this account.", email=email)
        if not user.is_active:
            raise SignInRefused(f"{email} is deactivated in this account.", email=email)
        return user, False
    if not connection.create_staff_on_first_sign_in:
        raise SignInRefused(
            f"{email} is not a user of this account. Ask an admin to add you.", email=email
        )
    if not create:
        return None, True
    try:
        with transaction.atomic():
            user = User(username=email, email=email)
            # Signs in through the provider only; a password can be set later by an admin.
            user.set_unusable_password()
            user.save()
            Membership.objects.create(
                user=user, account=connection.account, role=Membership.Role.STAFF
            )
    except IntegrityError:  # the same person's first sign-in, twice at once
        user = User.objects.get(username__iexact=email)
        return user, False
    return user, True


def password_sign_in_refused(user):
    """Why ``user`` may not sign in with a password, or "" when they may."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return ""
    connection = SsoConnection.objects.filter(
        account_id=membership.account_id, enabled=True, require_sso=True
    ).first()
    if connection is None or connection.break_glass_admins.filter(pk=user.pk).exists():
        return ""
    return "This account requires single sign-on."


def session_opened(*, user, session_key, via_sso):
    if session_key:
        UserSession.objects.update_or_create(
            session_key=session_key, defaults={"user": user, "via_sso": via_sso}
        )


def session_closed(*, session_key):
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def _delete_sessions(keys):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()


def end_password_sessions(*, account, keep):
    """End the sessions of the account's users who signed in with a password, except the
    users in ``keep`` (the break-glass admins)."""
    keys = list(
        UserSession.objects.filter(via_sso=False, user__membership__account=account)
        .exclude(user__in=[u.pk for u in keep])
        .values_list("session_key", flat=True)
    )
    _delete_sessions(keys)
    if keys:
        record_event(
            account=account,
            action=Action.SESSIONS_ENDED,
            reason=f"{len(keys)} password session{'s' if len(keys) != 1 else ''} ended: "
            "single sign-on is now required",
        )
    return len(keys)


def end_user_sessions(*, user, reason):
    """Delete every session ``user`` signed in to (their next request is signed out)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    _delete_sessions(keys)
    membership = Membership.objects.filter(user=user).select_related("account").first()
    if keys and membership is not None:
        record_event(
            account=membership.account,
            action=Action.SESSIONS_ENDED,
            email=user.get_username(),
            user=user,
            reason=f"{len(keys)} session{'s' if len(keys) != 1 else ''} ended: {reason}",
        )
    return len(keys)
