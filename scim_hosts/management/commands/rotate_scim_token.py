"""python manage.py rotate_scim_token <account-slug> [--grace 0|1h|24h] [--format text|json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from scim_hosts.access.tokens import GRACE_PERIODS, grace_token, rotate_token, tenant_url
from visitor_mgmt.models import Account


class Command(BaseCommand):
    help = (
        "Generate a new SCIM secret token for an account and print the Tenant URL and the "
        "token, which is shown only this once. The previous token stops working at once, or "
        "after --grace (1h or 24h)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The account's slug.")
        parser.add_argument(
            "--grace",
            choices=tuple(GRACE_PERIODS),
            default="0",
            help="How long the previous token keeps working: 0 (default), 1h or 24h.",
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help='"json" prints {"tenant_url": ..., "token": ...} on one line.',
        )

    def handle(self, *args, slug, format, grace, **options):
        account = Account.objects.filter(slug=slug).first()
        if account is None:
            raise CommandError(f'No account with slug "{slug}".')
        _token, raw = rotate_token(account=account, grace=GRACE_PERIODS[grace])
        old_until = grace_token(account)
        old_until = old_until.works_until.isoformat() if old_until else None
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {"tenant_url": tenant_url(), "token": raw, "previous_token_until": old_until}
                )
            )
            return
        self.stdout.write(f"SCIM provisioning for {account.name} ({account.slug})")
        self.stdout.write(f"Tenant URL:   {tenant_url()}")
        self.stdout.write(f"Secret Token: {raw}")
        previous = (
            f"the previous token keeps working until {old_until}"
            if old_until
            else "the previous token no longer works"
        )
        self.stdout.write(
            "Paste both into Microsoft Entra ID (Provisioning > Admin Credentials). The token "
            f"is shown only now; {previous}."
        )
