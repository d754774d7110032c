"""What the SCIM performance tests share: counting statements, a warmed-up token."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(fn):
    """(SQL statements run by ``fn()`` without transaction control, the response)."""
    with CaptureQueriesContext(connection) as ctx:
        resp = fn()
    sqls = [q["sql"] for q in ctx.captured_queries]
    return [s for s in sqls if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)], resp


@pytest.fixture(autouse=True)
def _warm_token(request):
    """The first request of a minute stamps token.last_used_at; measure the others."""
    if "api" in request.fixturenames:
        request.getfixturevalue("api").get("/ServiceProviderConfig")
