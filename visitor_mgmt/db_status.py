"""Why the database cannot be used right now: unreachable, or misconfigured.

Both answer 503 to clients (SCIM, pages, the JSON API, ``/readyz``): the request could not
be served and nothing was written. They differ for the operator. An unreachable server
(down, restarting, a network cut) comes back by itself; a settings mistake (an option the
driver refuses, a role or database that does not exist, a wrong password) never does, so it
is logged as an error naming the mistake and ``/readyz`` says ``misconfigured``.

An error counts as "cannot use the database" when it is an OperationalError or
InterfaceError (lost or refused connections, at any point), or any other database error
raised while no connection was open, i.e. by the connection attempt itself: a driver
rejecting an option raises ProgrammingError there. A ProgrammingError on an open connection
is a bug and stays a 500.

Drivers report connection failures only as text (no SQLSTATE before a session exists), so
the mistake is told from the driver's and the server's messages, which psycopg and psycopg2
pass on from libpq unchanged.
"""

import logging
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger("visitor_mgmt.database")

UNREACHABLE = "unreachable"
MISCONFIGURED = "misconfigured"

# (texts all in the driver's message, what the mistake is), first match wins.
SETTINGS_MISTAKES = (
    (("invalid connection option",), "a connection option the database driver does not accept"),
    (("invalid dsn",), "connection settings the database driver cannot parse"),
    (("invalid sslmode",), "connection settings the database driver cannot parse"),
    (("invalid integer value",), "connection settings the database driver cannot parse"),
    (("password authentication failed",), "authentication failed (wrong user or password)"),
    (("no password supplied",), "authentication failed (no password given)"),
    (("authentication failed",), "authentication failed (wrong user or password)"),
    (("pg_hba.conf",), "the server refuses this user, database or client address"),
    (("role", "does not exist"), "the database user does not exist"),
    (("database", "does not exist"), "the database does not exist"),
)


@dataclass(frozen=True)
class Unavailable:
    kind: str  # UNREACHABLE or MISCONFIGURED
    reason: str  # what the operator should look at, no secrets


def _message(exc):
    cause = exc.__cause__ or exc
    return str(cause).strip()


def diagnose(exc, *, using=DEFAULT_DB_ALIAS):
    """An Unavailable for an error meaning the database cannot be used, else None."""
    if not isinstance(exc, DatabaseError):
        return None
    not_connected = connections[using].connection is None
    if not isinstance(exc, (OperationalError, InterfaceError)) and not not_connected:
        return None  # a failing statement on a working connection: a bug, not an outage
    message = _message(exc).lower()
    if not_connected:
        for needles, reason in SETTINGS_MISTAKES:
            if all(needle in message for needle in needles):
                return Unavailable(MISCONFIGURED, reason)
    return Unavailable(UNREACHABLE, "the database server cannot be reached")


def log_unavailable(diagnosis, exc, where):
    """One log line: an error for a settings mistake (it will not heal), a warning otherwise."""
    if diagnosis.kind == MISCONFIGURED:
        logger.error(
            "Database misconfigured: %s (%s: %s) [%s]",
            diagnosis.reason,
            type(exc.__cause__ or exc).__name__,
            _message(exc),
            where,
        )
    else:
        logger.warning("Database unreachable: %s [%s]", type(exc.__cause__ or exc).__name__, where)
