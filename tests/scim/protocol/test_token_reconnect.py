"""The token lookup is a SCIM request's connection health check (PostgreSQL).

RFC 7644 §2 (authentication on every request): the bearer token is looked up first. With
persistent connections the server may have dropped the connection since the previous
request (restart, idle timeout); the lookup then fails, the connection is replaced and
the lookup runs again, so the client sees nothing of it.
"""

import pytest
from django.db import close_old_connections, connection, connections

from tests.scim.support import assert_list_response


def terminate_backend_of(conn):
    """What a server restart does to a connection: terminated from another session."""
    pid = conn.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    return pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_request_after_the_server_dropped_the_connection_succeeds(api):
    api.create_user("before@acme.test")
    # Between two requests Django marks a persistent connection for a health check (the
    # test client leaves these request signals out; the server sends them).
    close_old_connections()
    assert connection.connection is not None, "a persistent connection is kept"
    pid = terminate_backend_of(connection)

    (user,) = assert_list_response(api.get("/Users"), total=1)
    assert user["userName"] == "before@acme.test"
    assert connection.connection.info.backend_pid != pid
    # And the replaced connection serves the next requests as usual.
    close_old_connections()
    assert api.create_user("after@acme.test")["userName"] == "after@acme.test"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_wrong_token_after_the_server_dropped_the_connection_is_still_401(api):
    api.get("/Users")
    close_old_connections()
    terminate_backend_of(connection)
    resp = api.get("/Users", token="vmscim_acme-wrong-0123456789abcdefghijklmnopqrstuvwxyzABCD")
    assert resp.status_code == 401, resp.content
