import pytest
from django.db import DatabaseError

from visitor_mgmt import health, sql


def test_healthz_answers_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_readyz_answers_503_when_the_database_fails(rf, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(sql.connection, "cursor", lambda: BrokenCursor())
    response = health.readyz(rf.get("/readyz"))
    assert response.status_code == 503
    assert b"unreachable" in response.content


def test_healthz_works_where_database_access_is_blocked(client):
    # No django_db mark: pytest-django makes any database access fail this test.
    response = client.get("/healthz")
    assert "sessionid" not in response.cookies
