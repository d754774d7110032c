"""python manage.py check_provisioning_health  (cron: every 10 minutes, on one server)"""

from django.core.management.base import BaseCommand

from scim_hosts.health import check_all


class Command(BaseCommand):
    help = (
        "E-mail each account's admins once when SCIM provisioning turns Failing or Stalled, "
        "and once when it recovers. Run it every 10 minutes from cron, on one server only."
    )

    def handle(self, *args, **options):
        outcomes = check_all()
        opened = sorted(slug for slug, outcome in outcomes.items() if outcome == "opened")
        closed = sorted(slug for slug, outcome in outcomes.items() if outcome == "closed")
        ongoing = sum(1 for outcome in outcomes.values() if outcome == "ongoing")
        self.stdout.write(
            f"Checked {len(outcomes)} account(s): {len(opened)} new incident(s)"
            f"{' (' + ', '.join(opened) + ')' if opened else ''}, {len(closed)} recovered"
            f"{' (' + ', '.join(closed) + ')' if closed else ''}, {ongoing} ongoing."
        )
