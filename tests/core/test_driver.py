"""Either PostgreSQL driver: options only psycopg 3 knows are set only when it is in use.

Django talks to PostgreSQL through psycopg 3 when it is installed, else psycopg2. psycopg2
refuses every connection whose settings name ``prepare_threshold`` (psycopg 3's prepared
statements) — the product ran on neither a host product's psycopg2 stack nor its CI. CI runs
the PostgreSQL pass once with each driver (``PG_DRIVER`` in the Makefile), so each branch of
these tests runs there; the whole suite passing on both is the rest of the proof.
"""

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.postgres

PSYCOPG3_ONLY = {"prepare_threshold", "server_side_binding"}


def test_settings_name_the_driver_django_uses():
    assert connection.Database.__name__ == settings.DB_DRIVER
    assert settings.DB_DRIVER in {"psycopg", "psycopg2"}


@pytest.mark.django_db
def test_driver_specific_options_only_for_psycopg3():
    options = set(connection.settings_dict["OPTIONS"])
    if settings.DB_DRIVER == "psycopg":
        assert options >= PSYCOPG3_ONLY
        with connection.cursor() as cursor:
            assert type(cursor.cursor).__name__ == "ServerBindingCursor"  # $n parameters
        prepare = connection.settings_dict["OPTIONS"]["prepare_threshold"]
        assert connection.connection.prepare_threshold == prepare
    else:
        assert not PSYCOPG3_ONLY & options
    # Either way the connection opens with exactly these options and answers.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
