"""HostTally.directory_hosts: the account's live hosts provisioned by the directory.

The Preferences SCIM section shows that number; counting it cost a 100,000-host tenant
~40 ms per page view (every live host's row read for its source). The tally triggers of
0003 now keep it too: the same row, the same statement, one more column, and an UPDATE
that changes a live host's source (a manual host linked to the directory) moves it.
"""

import importlib

from django.db import migrations, models

TALLY_0003 = importlib.import_module("visitor_mgmt.migrations.0003_host_tally")

INCREMENT = (
    "INSERT INTO visitor_mgmt_hosttally (account_id, live_hosts, directory_hosts)"
    " VALUES (NEW.account_id, 1, CASE WHEN NEW.source = 'directory' THEN 1 ELSE 0 END)"
    " ON CONFLICT (account_id) DO UPDATE"
    " SET live_hosts = visitor_mgmt_hosttally.live_hosts + 1,"
    " directory_hosts = visitor_mgmt_hosttally.directory_hosts + excluded.directory_hosts"
)
DECREMENT = (
    "UPDATE visitor_mgmt_hosttally SET live_hosts = live_hosts - 1,"
    " directory_hosts = directory_hosts - CASE WHEN OLD.source = 'directory' THEN 1 ELSE 0 END"
    " WHERE account_id = OLD.account_id"
)
# An UPDATE matters when it changes whether, in which account, or from which source a host
# is live.
MOVED = (
    "OLD.deleted_at IS NOT NEW.deleted_at OR OLD.account_id IS NOT NEW.account_id"
    " OR OLD.source IS NOT NEW.source"
)

POSTGRESQL = [
    f"""
    CREATE FUNCTION visitor_mgmt_host_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN
            {DECREMENT};
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
            {INCREMENT};
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER visitor_mgmt_host_tally_insert AFTER INSERT ON visitor_mgmt_host"
    " FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION visitor_mgmt_host_tally()",
    "CREATE TRIGGER visitor_mgmt_host_tally_delete AFTER DELETE ON visitor_mgmt_host"
    " FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION visitor_mgmt_host_tally()",
    "CREATE TRIGGER visitor_mgmt_host_tally_update AFTER UPDATE OF deleted_at, account_id, source"
    " ON visitor_mgmt_host FOR EACH ROW"
    f" WHEN ({MOVED.replace(' IS NOT ', ' IS DISTINCT FROM ')})"
    " EXECUTE FUNCTION visitor_mgmt_host_tally()",
]
SQLITE = [
    "CREATE TRIGGER visitor_mgmt_host_tally_insert AFTER INSERT ON visitor_mgmt_host"
    f" WHEN NEW.deleted_at IS NULL BEGIN {INCREMENT}; END",
    "CREATE TRIGGER visitor_mgmt_host_tally_delete AFTER DELETE ON visitor_mgmt_host"
    f" WHEN OLD.deleted_at IS NULL BEGIN {DECREMENT}; END",
    "CREATE TRIGGER visitor_mgmt_host_tally_update_old AFTER UPDATE OF deleted_at, account_id,"
    f" source ON visitor_mgmt_host WHEN OLD.deleted_at IS NULL AND ({MOVED})"
    f" BEGIN {DECREMENT}; END",
    "CREATE TRIGGER visitor_mgmt_host_tally_update_new AFTER UPDATE OF deleted_at, account_id,"
    f" source ON visitor_mgmt_host WHEN NEW.deleted_at IS NULL AND ({MOVED})"
    f" BEGIN {INCREMENT}; END",
]
BACKFILL = (
    "UPDATE visitor_mgmt_hosttally SET directory_hosts = ("
    " SELECT COUNT(*) FROM visitor_mgmt_host AS h"
    " WHERE h.account_id = visitor_mgmt_hosttally.account_id"
    " AND h.deleted_at IS NULL AND h.source = 'directory')"
)


def _run(schema_editor, postgresql, sqlite):
    for sql in TALLY_0003._statements(schema_editor.connection.vendor, postgresql, sqlite):
        schema_editor.execute(sql, params=None)


def drop_0003_triggers(apps, schema_editor):
    # Before the column is added: SQLite adds it by rebuilding the tally table, which the
    # triggers on the host table refer to.
    _run(schema_editor, TALLY_0003.POSTGRESQL_DROP, TALLY_0003.SQLITE_DROP)


def restore_0003_triggers(apps, schema_editor):
    _run(schema_editor, TALLY_0003.POSTGRESQL, TALLY_0003.SQLITE)


def install(apps, schema_editor):
    _run(schema_editor, POSTGRESQL, SQLITE)
    schema_editor.execute(BACKFILL, params=None)


def uninstall(apps, schema_editor):
    _run(schema_editor, TALLY_0003.POSTGRESQL_DROP, TALLY_0003.SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("visitor_mgmt", "0005_visit_welcome_shown_at"),
    ]

    operations = [
        migrations.RunPython(drop_0003_triggers, restore_0003_triggers),
        migrations.AddField(
            model_name="hosttally",
            name="directory_hosts",
            # A database default too: a raw INSERT naming only live_hosts (0003's backfill,
            # its triggers after a rollback) still works.
            field=models.IntegerField(default=0, db_default=0),
        ),
        migrations.RunPython(install, uninstall),
    ]
