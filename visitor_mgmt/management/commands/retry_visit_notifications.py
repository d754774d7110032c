from django.core.management.base import BaseCommand, CommandError

from visitor_mgmt.services.visits import DEFAULT_MAX_ATTEMPTS, visit_notifications_retry


class Command(BaseCommand):
    help = (
        "Retry visit notifications that failed (or were lost while pending) in the last "
        "24 hours, each at most --max-attempts times in all. Run it every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=DEFAULT_MAX_ATTEMPTS,
            help=f"Give up on a visit after this many attempts (default {DEFAULT_MAX_ATTEMPTS}).",
        )

    def handle(self, *args, max_attempts, **options):
        if max_attempts < 1:
            raise CommandError("--max-attempts must be at least 1.")
        counts = visit_notifications_retry(max_attempts=max_attempts)
        self.stdout.write(
            "Retried {retried}: {sent} sent, {failed} failed, {none} with nobody to notify.".format(
                **counts
            )
        )
