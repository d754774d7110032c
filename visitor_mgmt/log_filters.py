"""Logging filters: secrets never reach a log line, whatever a caller passes to a logger.

Attached to every handler in ``settings.LOGGING``. Nothing in the app logs request headers
today; this is the net under any future (or third-party) line that would, e.g. a dump of
``request.META`` or of an outgoing request.
"""

import logging
import re

REDACTED = "[redacted]"

SECRET_PATTERNS = (
    # "Authorization: Bearer abc", "'HTTP_AUTHORIZATION': 'Basic abc'", "authorization=abc"
    re.compile(
        r"""(?i)((?:http_)?authorization['"]?\s*[:=]\s*['"]?)"""
        r"""(?:(?:bearer|basic|token)\s+)?[^\s'",;}]+"""
    ),
    # A bearer credential anywhere else in a message.
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+"),
    # A credential put in a URL: "?access_token=abc", "&token=abc".
    re.compile(r"(?i)([?&](?:access_token|token)=)[^&\s'\"]+"),
)


def redact(text):
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record whose message holds a credential; never drops a record."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # What a formatter would print (it reuses exc_text), cleaned before it does.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
