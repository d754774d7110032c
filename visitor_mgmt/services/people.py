"""People of an account: invitations, roles, deactivation, and the log of every change.

Rules:
- an admin invites by e-mail; the invitee gets a one-time link to set a password, valid for
  ``INVITATION_MAX_AGE``; sending again voids the earlier links, setting the password voids
  them all (the token signs the user's password hash and the invitation's ``sent_at``);
- an account always keeps one active admin: the last one can be neither demoted nor
  deactivated (checked under a lock on the account row, so two admins demoting each other
  at once cannot both succeed);
- every change is recorded as a PeopleEvent naming who made it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from visitor_mgmt.models import Account, Invitation, Membership, PeopleEvent
from visitor_mgmt.ratelimit import within_limit

logger = logging.getLogger(__name__)

INVITATION_MAX_AGE = timedelta(days=7)
# Invitation e-mails (new and sent again) one account may send per hour, and how often one
# person may be sent theirs again.
INVITATIONS_PER_ACCOUNT_PER_HOUR = 30
RESENDS_PER_PERSON_PER_HOUR = 3
HOUR = 3600

LAST_ADMIN_MESSAGE = (
    "{email} is the last active admin of this account. Make someone else an admin first."
)


class InvitationTokenGenerator:
    """Django's token-generator interface (``make_token``/``check_token``, as
    PasswordResetConfirmView uses it) over ``django.core.signing`` with a ``max_age``."""

    salt = "visitor_mgmt.people.invitation"

    def _state(self, user):
        invitation = Invitation.objects.filter(membership__user=user).first()
        if invitation is None or not invitation.is_pending or not user.is_active:
            return None
        value = f"{user.pk}|{user.password}|{invitation.sent_at.isoformat()}"
        return salted_hmac(self.salt, value, algorithm="sha256").hexdigest()

    def make_token(self, user):
        return signing.dumps(self._state(user), salt=self.salt)

    def check_token(self, user, token):
        if user is None or not token:
            return False
        try:
            signed = signing.loads(
                token, salt=self.salt, max_age=INVITATION_MAX_AGE.total_seconds()
            )
        except signing.BadSignature:  # also SignatureExpired
            return False
        state = self._state(user)
        return bool(state and signed) and constant_time_compare(signed, state)


invitation_token_generator = InvitationTokenGenerator()


def _email_of(user):
    return (user.email or user.get_username()) if user else ""


def people_event_record(*, account, action, subject, actor=None, detail=""):
    return PeopleEvent.objects.create(
        account=account,
        action=action,
        actor=actor,
        actor_email=_email_of(actor),
        subject=subject,
        subject_email=_email_of(subject),
        detail=detail[:300],
    )


def _lock_account(account):
    list(Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True))


def active_admin_count(*, account):
    """Admins of ``account`` who can sign in: active, and not still waiting on an invitation."""
    return (
        Membership.objects.filter(account=account, role=Membership.Role.ADMIN, user__is_active=True)
        .filter(Q(invitation__isnull=True) | Q(invitation__accepted_at__isnull=False))
        .count()
    )


def _is_active_admin(membership):
    invitation = getattr(membership, "invitation", None)
    return (
        membership.is_admin
        and membership.user.is_active
        and (invitation is None or not invitation.is_pending)
    )


def _refuse_if_last_admin(membership, field):
    if _is_active_admin(membership) and active_admin_count(account=membership.account) <= 1:
        message = LAST_ADMIN_MESSAGE.format(email=_email_of(membership.user))
        raise ValidationError({field: message} if field else message)


def _throttle_invitation(*, account, membership=None):
    if membership is not None and not within_limit(
        key=f"invite-person:{membership.pk}", limit=RESENDS_PER_PERSON_PER_HOUR, window_seconds=HOUR
    ):
        raise ValidationError(
            "This invitation was sent several times in the last hour. Try again later."
        )
    if not within_limit(
        key=f"invite-account:{account.pk}",
        limit=INVITATIONS_PER_ACCOUNT_PER_HOUR,
        window_seconds=HOUR,
    ):
        raise ValidationError(
            f"This account sent {INVITATIONS_PER_ACCOUNT_PER_HOUR} invitations in the last "
            "hour. Try again later."
        )


def invitation_link(*, user, base_url):
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def _send_invitation(membership, *, actor, base_url):
    """Send the invitation e-mail; False (logged) when the mail server refused it."""
    user = membership.user
    context = {
        "account": membership.account,
        "role": membership.get_role_display(),
        "inviter": _email_of(actor),
        "link": invitation_link(user=user, base_url=base_url),
        "expires_at": membership.invitation.sent_at + INVITATION_MAX_AGE,
    }
    message = EmailMessage(
        subject=f"You are invited to {membership.account.name} on Visitor Management",
        body=render_to_string("people/invitation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # any backend failure (SMTP, DNS, TLS, ...): the admin retries
        logger.warning("Invitation of user %s could not be sent: %s", user.pk, exc)
        return False
    return True


def people_invite(*, account, actor, email, role, base_url):
    """Invite ``email`` to ``account`` with ``role``. Returns (membership, sent).

    The user is created at once (no usable password, so nobody can sign in as them until
    they set one); ``sent`` is False when the e-mail could not be sent (send it again later).
    """
    User = get_user_model()
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from None
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose Admin or Staff."})
    existing = User.objects.filter(username__iexact=email).select_related("membership").first()
    if existing is not None:
        same_account = getattr(existing, "membership", None) and (
            existing.membership.account_id == account.pk
        )
        raise ValidationError(
            {
                "email": (
                    f"{email} is already a member of this account."
                    if same_account
                    else f"{email} already has a user in Visitor Management, so it cannot be "
                    "invited here. Use another address."
                )
            }
        )
    _throttle_invitation(account=account)
    try:
        membership = _create_invited(account=account, actor=actor, email=email, role=role)
    except IntegrityError:  # the same address invited twice at once: one of them wins
        raise ValidationError({"email": f"{email} was invited a moment ago."}) from None
    return membership, _send_invitation(membership, actor=actor, base_url=base_url)


@transaction.atomic
def _create_invited(*, account, actor, email, role):
    User = get_user_model()
    user = User(username=email, email=email)
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(user=user, account=account, role=role)
    Invitation.objects.create(membership=membership, invited_by=actor, sent_at=timezone.now())
    people_event_record(
        account=account,
        action=PeopleEvent.Action.INVITED,
        actor=actor,
        subject=user,
        detail=f"as {membership.get_role_display()}",
    )
    return membership


def invitation_resend(*, membership, actor, base_url):
    """Send a pending invitation again with a new link (older links stop working)."""
    invitation = getattr(membership, "invitation", None)
    if invitation is None or not invitation.is_pending:
        raise ValidationError("There is no pending invitation for this person.")
    if not membership.user.is_active:
        raise ValidationError("Reactivate this person before sending the invitation again.")
    _throttle_invitation(account=membership.account, membership=membership)
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["sent_at", "send_count"])
    people_event_record(
        account=membership.account,
        action=PeopleEvent.Action.INVITATION_RESENT,
        actor=actor,
        subject=membership.user,
    )
    return _send_invitation(membership, actor=actor, base_url=base_url)


@transaction.atomic
def invitation_accept(*, user, password):
    """The invitee sets their password: the invitation is used up, and the change logged."""
    validate_password(password, user)
    membership = Membership.objects.select_related("invitation", "account").get(user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    membership.invitation.accepted_at = timezone.now()
    membership.invitation.save(update_fields=["accepted_at"])
    people_event_record(
        account=membership.account,
        action=PeopleEvent.Action.INVITATION_ACCEPTED,
        actor=user,
        subject=user,
    )
    return user


def password_reset_record(*, user):
    """Log a completed password reset (the user did it themselves, by e-mail)."""
    membership = Membership.objects.filter(user=user).select_related("account").first()
    if membership is not None:
        people_event_record(
            account=membership.account,
            action=PeopleEvent.Action.PASSWORD_RESET,
            actor=user,
            subject=user,
        )


def people_role_change(*, membership, actor, role):
    """Make the person an admin or staff; the last active admin stays an admin."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose Admin or Staff."})
    with transaction.atomic():
        _lock_account(membership.account)
        membership.refresh_from_db(fields=["role"])
        if membership.role == role:
            return membership
        if role != Membership.Role.ADMIN:
            _refuse_if_last_admin(membership, "role")
        previous = membership.get_role_display()
        membership.role = role
        membership.save(update_fields=["role"])
        people_event_record(
            account=membership.account,
            action=PeopleEvent.Action.ROLE_CHANGED,
            actor=actor,
            subject=membership.user,
            detail=f"{previous} → {membership.get_role_display()}",
        )
    return membership


def people_set_active(*, membership, actor, active):
    """Deactivate (the user can no longer sign in; open sessions end) or reactivate."""
    user = membership.user
    with transaction.atomic():
        _lock_account(membership.account)
        user.refresh_from_db(fields=["is_active"])
        if user.is_active == active:
            return membership
        if not active:
            if actor is not None and actor.pk == user.pk:
                raise ValidationError("You cannot deactivate yourself.")
            _refuse_if_last_admin(membership, None)
        user.is_active = active
        user.save(update_fields=["is_active"])
        people_event_record(
            account=membership.account,
            action=PeopleEvent.Action.REACTIVATED if active else PeopleEvent.Action.DEACTIVATED,
            actor=actor,
            subject=user,
        )
    return membership
