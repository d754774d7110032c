"""Statements written once per process for SCIM's hottest paths, and rows read back as models.

Every SCIM request authenticates, and Entra queries by userName (or displayName) before each
create. For those few statements the ORM would compile the same SQL again on every request,
which costs several times what the database spends running it. Here the SQL is built once
from the models' metadata (quoted names, every value a parameter) and rows become model
instances exactly as the ORM makes them (the backend's and the fields' converters, then
``Model.from_db``), so callers get ordinary model objects.
"""

from django.db import connection


def quote(name):
    return connection.ops.quote_name(name)


def select_list(model, alias):
    """The model's concrete columns, qualified by ``alias``."""
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


class RowReader:
    """Turns a slice of a result row into an instance of ``model`` (all concrete fields)."""

    def __init__(self, model):
        self.model = model
        self.names = []
        self.converters = []
        for field in model._meta.concrete_fields:
            col = field.get_col(model._meta.db_table)
            convs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            self.names.append(field.attname)
            self.converters.append([(conv, col) for conv in convs])
        self.width = len(self.names)

    def read(self, row, start=0):
        values = list(row[start : start + self.width])
        for i, convs in enumerate(self.converters):
            for conv, col in convs:
                values[i] = conv(values[i], col, connection)
        return self.model.from_db(connection.alias, self.names, values)


def fetch(sql, params, reader):
    """Run a SELECT of ``reader.model``'s columns; the rows as model instances."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [reader.read(row) for row in cursor.fetchall()]
