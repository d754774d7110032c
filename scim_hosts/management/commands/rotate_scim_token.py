"""python manage.py rotate_scim_token <account-slug> [--format text|json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from scim_hosts.tokens import rotate_token, tenant_url
from visitor_mgmt.models import Account


class Command(BaseCommand):
    help = (
        "Generate a new SCIM secret token for an account (the previous one stops working at "
        "once) and print the Tenant URL and the token, which is shown only this once."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The account's slug.")
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help='"json" prints {"tenant_url": ..., "token": ...} on one line.',
        )

    def handle(self, *args, slug, format, **options):
        account = Account.objects.filter(slug=slug).first()
        if account is None:
            raise CommandError(f'No account with slug "{slug}".')
        _token, raw = rotate_token(account=account)
        if format == "json":
            self.stdout.write(json.dumps({"tenant_url": tenant_url(), "token": raw}))
            return
        self.stdout.write(f"SCIM provisioning for {account.name} ({account.slug})")
        self.stdout.write(f"Tenant URL:   {tenant_url()}")
        self.stdout.write(f"Secret Token: {raw}")
        self.stdout.write(
            "Paste both into Microsoft Entra ID (Provisioning > Admin Credentials). The token "
            "is shown only now; the previous token no longer works."
        )
