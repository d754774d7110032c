"""One normal form for the text that identifies hosts (names, e-mail addresses, sign-in
names), used wherever hosts are written or matched: pages, JSON API, CSV import, SCIM.

Two strings that look the same must compare the same: "ann@acme.example" followed by a
zero-width space made a second, identical-looking host. So text is NFKC-normalised (full-
width letters, ligatures and compatibility spaces become their plain forms), invisible
characters are removed (Unicode "format" and "control" characters, such as zero-width
spaces and joiners, the BOM, bidi marks and soft hyphens, plus a few blank letters), and
runs of whitespace become one space, trimmed. Letter case is kept: matching ignores it.
"""

import unicodedata

from visitor_mgmt.models import HOST_PERSON_FIELDS

# Letters and symbols that draw nothing but are not in categories Cf/Cc.
_BLANK_CHARACTERS = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u2800"  # braille pattern blank
)

# Host fields holding human-readable text, normalised on every write. external_id is the
# directory's opaque id and is kept byte for byte.
NORMALISED_HOST_FIELDS = (*HOST_PERSON_FIELDS, "username")
# Of those, the addresses and sign-in names: no spaces at all in their normal form.
ADDRESS_FIELDS = frozenset({"email", "alternate_email", "username"})


def _visible(char):
    return unicodedata.category(char) not in ("Cf", "Cc") and char not in _BLANK_CHARACTERS


def normalise_text(value):
    """``value`` in the normal form described above; non-strings are returned unchanged."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value)
    # Whitespace controls (tab, newline) count as spaces, other invisibles as nothing.
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or _visible(ch))
    return " ".join(text.split())


def normalise_email(value):
    """An e-mail address or sign-in name in normal form (no spaces at all: an address
    never has one, and "ann @acme.example" is a typo of "ann@acme.example")."""
    text = normalise_text(value)
    return "".join(text.split()) if isinstance(text, str) else text


def match_key(value):
    """What two names or addresses are compared by: normal form, any letter case."""
    return (normalise_text(value) or "").upper()


def normalise_host_values(values):
    """``values`` (host field -> value) with the text fields in normal form."""
    out = dict(values)
    for name in NORMALISED_HOST_FIELDS:
        if name in out:
            if name in ADDRESS_FIELDS:
                out[name] = normalise_email(out[name])
            else:
                out[name] = normalise_text(out[name])
    return out


def normalise_for_column(column, value):
    """A value compared with the host column ``column`` in that column's normal form;
    values for other columns (e.g. group names) are returned unchanged."""
    if column in ADDRESS_FIELDS:
        return normalise_email(value)
    if column in NORMALISED_HOST_FIELDS:
        return normalise_text(value)
    return value
