"""Request bodies: JSON text → a JSON object, or the SCIM error that says why not.

Stricter than ``json.loads``: the body must be UTF-8 and an object; NaN/Infinity are no
JSON; text no database can store (NUL, lone surrogates) and absurd nesting are refused; big
numbers are read as the database will keep them.
"""

import json
import re
from decimal import Decimal

from scim_hosts.protocol.errors import InvalidSyntax, InvalidValue

MAX_JSON_DEPTH = 32
# NUL (PostgreSQL stores none) and lone UTF-16 surrogates ("\ud800": no UTF-8 exists for them).
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def check_json_text(data):
    """Reject text no database can store and absurd nesting, iteratively."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidValue(f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, str):
            bad = UNSTORABLE_TEXT.search(value)
            if bad and bad.group() == "\x00":
                raise InvalidValue("Text values must not contain NUL (\\u0000) characters.")
            if bad:
                raise InvalidValue("Text values must not contain unpaired UTF-16 surrogates.")
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, depth))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _not_json(name):
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text):
    """A JSON number with a fraction or an exponent.

    From 1e16 up a float is a whole number that ``json.dumps`` writes with an exponent
    ("7.2e+16"), which PostgreSQL's jsonb keeps as the integer 72000000000000000: such a
    number becomes that integer here already, so what a write answers equals what a later
    GET returns, on every database.
    """
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:40]} is too large")
    if abs(value) >= 1e16:
        return int(Decimal(text).to_integral_value())
    return value


def parse_body(body):
    """The JSON object ``body`` (bytes) holds; {} for an empty body. Size is the caller's."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_not_json, parse_float=_finite_float)
    except UnicodeDecodeError:
        raise InvalidSyntax("The request body is not UTF-8.") from None
    except ValueError as exc:
        raise InvalidSyntax(f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise InvalidSyntax("The request body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise InvalidSyntax("The request body must be a JSON object.")
    check_json_text(data)
    return data
