"""python manage.py purge_provisioning_log [--days N]"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scim_hosts.access.tokens import RETIRED_TOKEN_MEMORY, purge_retired_tokens
from scim_hosts.provisioning_log import PURGE_BATCH_SIZE, purge_events


class Command(BaseCommand):
    help = "Delete provisioning-log rows older than SCIM_LOG_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days (default: SCIM_LOG_RETENTION_DAYS, "
            f"now {settings.SCIM_LOG_RETENTION_DAYS}).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=PURGE_BATCH_SIZE,
            help=f"Rows deleted per transaction (default {PURGE_BATCH_SIZE}).",
        )

    def handle(self, *args, days, batch_size, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be zero or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        kept = settings.SCIM_LOG_RETENTION_DAYS if days is None else days
        deleted = purge_events(days=kept, batch_size=batch_size)
        self.stdout.write(f"Deleted {deleted} provisioning event(s) older than {kept} day(s).")
        forgotten = purge_retired_tokens()
        self.stdout.write(
            f"Forgot {forgotten} replaced token(s) retired more than "
            f"{RETIRED_TOKEN_MEMORY.days} days ago."
        )
