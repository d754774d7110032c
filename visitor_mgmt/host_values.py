"""The rules a host's values must meet, whoever writes them: the host form, the CSV import and
SCIM provisioning all ask here, so a value one of them accepts the others accept too.

Each caller words the problems for its own users (a form error, a CSV row message, a SCIM
``invalidValue``); the rules themselves (column lengths, e-mail syntax) live only here. Values
are checked in the normal form hosts are stored in (``services/text.py``), which each caller
applies first.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from visitor_mgmt.models import Host

# The host fields that hold an e-mail address.
EMAIL_FIELDS = ("email", "alternate_email")

# Django's own e-mail rule (what forms.EmailField applies), shared by every writer.
validate_email = EmailValidator()


def max_length(name):
    """The most characters the host field ``name`` holds."""
    return Host._meta.get_field(name).max_length


def too_long(values):
    """(name, length, max_length) for each text value longer than its field holds, in order."""
    out = []
    for name, value in values.items():
        limit = max_length(name)
        if limit and isinstance(value, str) and len(value) > limit:
            out.append((name, len(value), limit))
    return out


def is_valid_email(value):
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def invalid_emails(values, names=EMAIL_FIELDS):
    """The e-mail fields among ``names`` whose value is set and is no e-mail address."""
    return [name for name in names if values.get(name) and not is_valid_email(values[name])]


# The host fields that hold a phone number, and what one may be made of: an optional leading
# "+", digits, and the spaces, dots, dashes and brackets people write between them (E.164
# allows at most 15 digits). SCIM does not apply this rule: a number is what the directory
# holds, and refusing it would keep the whole person from being provisioned.
PHONE_FIELDS = ("mobile", "alternate_mobile")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ().\-]+")
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 3, 15


def is_valid_phone(value):
    digits = sum(c.isdigit() for c in value)
    return bool(_PHONE_CHARACTERS.fullmatch(value)) and (
        PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS
    )


def invalid_phones(values, names=PHONE_FIELDS):
    """The phone fields among ``names`` whose value is set and is no phone number."""
    return [name for name in names if values.get(name) and not is_valid_phone(values[name])]
