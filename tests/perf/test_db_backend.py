"""PostgreSQL: the persistent connection's health check looks at the socket, not the server.

Django's CONN_HEALTH_CHECKS sends SELECT 1 before each request; visitor_mgmt.db.postgresql
does that only when the server has said something on the idle connection (as it does when
it closes it). Django's test client skips the request-start step, so the tests call it.
"""

import select
import time

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def request_starts():
    connection.close_if_unusable_or_obsolete()  # what Django runs when a request starts


def test_the_backend_is_ours():
    assert type(connections["default"]).__module__ == "visitor_mgmt.db.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_connection_costs_no_round_trip(monkeypatch):
    pid = backend_pid()
    request_starts()
    calls = []
    monkeypatch.setattr(connection, "is_usable", lambda: calls.append(1) or True)
    assert backend_pid() == pid
    assert calls == []


def test_a_connection_the_server_closed_is_replaced_before_use():
    pid = backend_pid()
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    fd = connection.connection.fileno()
    while not select.select([fd], [], [], 0.1)[0] and time.monotonic() < deadline:
        pass
    request_starts()
    assert backend_pid() != pid  # no error: the dead connection was dropped and reopened
