"""Accounts and the people who work in them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_slug
from django.db import transaction

from visitor_mgmt.models import Account, Membership


def _validate_account(*, slug, name):
    errors = {}
    max_slug = Account._meta.get_field("slug").max_length
    try:
        validate_slug(slug)
    except ValidationError:
        errors["slug"] = (
            f"“{slug}” is not a valid slug: use letters, numbers, hyphens or underscores."
        )
    else:
        if len(slug) > max_slug:
            errors["slug"] = f"The slug is too long (at most {max_slug} characters)."
        elif Account.objects.filter(slug=slug).exists():
            errors["slug"] = f"An account with slug “{slug}” already exists."
    max_name = Account._meta.get_field("name").max_length
    if not name.strip():
        errors["name"] = "The account needs a name."
    elif len(name) > max_name:
        errors["name"] = f"The name is too long (at most {max_name} characters)."
    if errors:
        raise ValidationError(errors)


def user_membership_create(*, account, email, password, role=Membership.Role.STAFF):
    """A new user (username = e-mail) who works in ``account`` with ``role``."""
    User = get_user_model()
    email = email.strip()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise ValidationError({"email": f"“{email}” is not a valid e-mail address."}) from None
    if User.objects.filter(username__iexact=email).exists():
        raise ValidationError({"email": f"A user “{email}” already exists."})
    user = User(username=email, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, account=account, role=role)
    return user


@transaction.atomic
def account_create(*, slug, name, admin_email=None, admin_password=None):
    """Create an account, and its first admin when an e-mail and password are given.

    Raises ValidationError (nothing is created) for a taken or invalid slug, a blank name,
    only one of e-mail/password, a bad e-mail, a taken user or a weak password.
    """
    if bool(admin_email) != bool(admin_password):
        raise ValidationError("Give both an admin e-mail and an admin password, or neither.")
    _validate_account(slug=slug, name=name)
    account = Account.objects.create(slug=slug, name=name.strip())
    admin = None
    if admin_email:
        admin = user_membership_create(
            account=account,
            email=admin_email,
            password=admin_password,
            role=Membership.Role.ADMIN,
        )
    return account, admin
