"""Indexes for the provisioning-log page's filters at a large tenant's size (indexes only).

Built CONCURRENTLY on PostgreSQL: the log table may hold millions of rows by the time this
runs, and a plain CREATE INDEX would block every SCIM write (each writes a log row) for the
whole build. Hence a non-atomic migration; other databases build them the plain way.
"""

from django.conf import settings
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("scim_hosts", "0004_provider_choice"),
        ("visitor_mgmt", "0003_host_tally"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="provisioningevent",
            index=models.Index(
                condition=models.Q(("outcome", "failure")),
                fields=["account", "-created_at", "-id"],
                name="provevent_account_failures",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="provisioningevent",
            index=models.Index(
                condition=models.Q(("resource_type", "User"), _negated=True),
                fields=["account", "resource_type", "-created_at", "-id"],
                name="provevent_account_type",
            ),
        ),
    ]
