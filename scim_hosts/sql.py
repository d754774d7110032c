"""Every hand-written SQL statement of the SCIM connector, each built once per process.

Every SCIM request authenticates (``token_with_account``) and logs its writes and failures
(``insert_provisioning_event``), and Entra queries by userName (or displayName) before each
create (``by_unique_value``) and reads or locks one resource by id (``by_public_id``). For
those few statements the ORM would compile the same SQL again on every request, which
costs several times what the database spends running it.

The SQL is built from the models' metadata: table and column names come from
``Model._meta`` and are quoted with ``connection.ops.quote_name`` (the one quoting rule);
every value is a parameter. Rows become model instances exactly as the ORM makes them (the
backend's and the fields' converters, then ``Model.from_db``). Each statement has an ORM
twin that returns the same rows (tests/scim_sql/test_statements.py).
"""

from functools import cache

from django.db import InterfaceError, OperationalError, connection

from scim_hosts.models import ProvisioningEvent, ScimToken
from visitor_mgmt.models import Account

LOCK_CLAUSES = {None: "", "update": " FOR UPDATE", "key share": " FOR KEY SHARE"}


def quote(name):
    return connection.ops.quote_name(name)


def column(model, field_name, alias="r"):
    """``alias."column"`` of ``model``'s field ``field_name``."""
    return f"{alias}.{quote(model._meta.get_field(field_name).column)}"


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


def _fetchall(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# ------------------------------------------------------------------ the token lookup


@cache
def _token_lookup():
    """The token row joined with its account (what select_related("account") reads)."""
    account_pk = f"a.{quote(Account._meta.pk.column)}"
    sql = (
        f"SELECT {select_list(ScimToken, 't')}, {select_list(Account, 'a')}"  # noqa: S608
        f" FROM {quote(ScimToken._meta.db_table)} t"
        f" INNER JOIN {quote(Account._meta.db_table)} a"
        f" ON {account_pk} = {column(ScimToken, 'account', 't')}"
        f" WHERE {column(ScimToken, 'token_hash', 't')} = %s"
    )
    return sql, RowReader(ScimToken), RowReader(Account)


def token_with_account(token_hash):
    """The ScimToken with this hash, its ``account`` loaded, or None.

    A SCIM request's first statement, and the connection's health check too: see
    ``_first_statement``.
    """
    sql, tokens, accounts = _token_lookup()
    rows = _first_statement(sql, [token_hash])
    if not rows:
        return None
    token = tokens.read(rows[0])
    token.account = accounts.read(rows[0], tokens.width)
    return token


def _first_statement(sql, params):
    """Run a request's first statement as the persistent connection's health check.

    With persistent connections Django checks a reused connection with a SELECT 1 at the
    start of each request (CONN_HEALTH_CHECKS): one more round trip on every SCIM call.
    Here the statement itself finds out: if the server dropped the connection (restart,
    idle timeout), it fails, the connection is replaced and the statement runs again. It is
    a read outside any transaction, so running it twice changes nothing.

    Django offers no public way to say "this statement was the check": its flag
    ``health_check_done`` is the one undocumented attribute used here, and only here
    (tests/hardening/test_faults.py pins both the saved round trip and the recovery).
    """
    reused = (
        connection.connection is not None
        and connection.settings_dict["CONN_HEALTH_CHECKS"]
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if not reused:
        return _fetchall(sql, params)
    connection.health_check_done = True  # Django's check is this statement
    try:
        return _fetchall(sql, params)
    except (OperationalError, InterfaceError):
        connection.close()
        return _fetchall(sql, params)


# ------------------------------------------------------------------ the provisioning log


@cache
def _event_insert():
    """The INSERT of one log row (no RETURNING: the new id is never needed)."""
    fields = [f for f in ProvisioningEvent._meta.concrete_fields if not f.primary_key]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(ProvisioningEvent._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    return sql, fields


def insert_provisioning_event(values):
    """Write one ProvisioningEvent from ``values`` (by field name or attname); fields not
    given get their default, as ``ProvisioningEvent(**values).save()`` would."""
    sql, fields = _event_insert()
    params = []
    for field in fields:
        value = values.get(field.attname, values.get(field.name))
        if value is None and not field.null:
            value = field.get_default()  # "" for text columns, like Model()
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# ------------------------------------------------------------------ one account's resources


def _scope(model, live_field):
    """The WHERE condition of an account's resources: the account, and live rows only
    when the model has a ``live_field`` (soft deletion: NULL while the row is live)."""
    condition = f"{column(model, 'account')} = %s"
    if live_field:
        condition += f" AND {column(model, live_field)} IS NULL"
    return condition


@cache
def _by_public_id(model, live_field, lock):
    sql = (
        f"SELECT {select_list(model, 'r')} FROM {quote(model._meta.db_table)} r"  # noqa: S608
        f" WHERE {_scope(model, live_field)}"
        f" AND {column(model, 'public_id')} = %s{LOCK_CLAUSES[lock]}"
    )
    return sql, RowReader(model), model._meta.get_field("public_id")


def by_public_id(model, *, account, public_id, live_field=None, lock=None):
    """The account's resource with this public id (a UUID), or None. ``lock``: None,
    "update" or "key share" (PostgreSQL row locks; SQLite locks the whole database on
    write anyway)."""
    if not connection.features.has_select_for_update:
        lock = None
    sql, reader, id_field = _by_public_id(model, live_field, lock)
    rows = _fetchall(sql, [account.pk, id_field.get_db_prep_value(public_id, connection)])
    return reader.read(rows[0]) if rows else None


@cache
def _by_unique_value(model, live_field, field_name, fallback, lock):
    col = column(model, field_name)
    # UPPER() = UPPER(): what `iexact` is on PostgreSQL, and the unique index's
    # expression, so the index answers.
    condition = f"UPPER({col}) = UPPER(%s) AND {col} <> ''"
    if fallback:
        # A resource without the attribute is matched by its fallback column (its own
        # partial index); LIMIT 3 is enough to name a conflict.
        other = column(model, fallback)
        condition = f"(({condition}) OR ({col} = '' AND UPPER({other}) = UPPER(%s)))"
    sql = (
        f"SELECT {select_list(model, 'r')} FROM {quote(model._meta.db_table)} r"  # noqa: S608
        f" WHERE {_scope(model, live_field)}"
        f" AND {condition} LIMIT 3" + (" FOR UPDATE" if lock else "")
    )
    return sql, RowReader(model)


def by_unique_value(
    model, *, account, field_name, value, fallback=None, live_field=None, lock=False
):
    """Up to three of the account's resources whose ``field_name`` equals ``value`` in any
    letter case (or, where it is blank, whose ``fallback`` field does). ``lock``: FOR UPDATE."""
    if not connection.features.has_select_for_update:
        lock = False
    sql, reader = _by_unique_value(model, live_field, field_name, fallback, lock)
    params = [account.pk, value] + ([value] if fallback else [])
    return [reader.read(row) for row in _fetchall(sql, params)]
