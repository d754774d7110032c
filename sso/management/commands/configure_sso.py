"""python manage.py configure_sso <account-slug> --issuer URL --client-id ID
--client-secret SECRET [--domain example.com ...] [--create-staff | --no-create-staff]
[--disable]"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.views.decorators.debug import sensitive_variables

from sso import oidc, services
from sso.models import SsoConnection
from visitor_mgmt.models import Account


class Command(BaseCommand):
    help = (
        "Connect an account to its OpenID Connect provider (or change or disable it) and "
        "print the redirect URI to register at the provider. The client secret is stored "
        "encrypted and never printed; pass - to read it from standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The account's slug.")
        parser.add_argument("--issuer", help="Issuer URL (discovery is read from it).")
        parser.add_argument("--client-id", help="The application's client ID.")
        parser.add_argument(
            "--client-secret",
            help="The client secret (- reads it from standard input). Optional when "
            "changing a provider whose secret is stored.",
        )
        parser.add_argument(
            "--domain",
            action="append",
            dest="domains",
            help="An e-mail domain signed in through this provider (repeat for more); "
            "replaces the listed domains.",
        )
        staff = parser.add_mutually_exclusive_group()
        staff.add_argument(
            "--create-staff",
            action="store_true",
            default=None,
            help="Create staff users on first sign-in.",
        )
        staff.add_argument(
            "--no-create-staff", action="store_false", dest="create_staff", default=None
        )
        parser.add_argument(
            "--disable",
            action="store_true",
            help="Switch single sign-on off (passwords work for everybody again).",
        )

    @sensitive_variables("secret", "options")
    def handle(self, *args, slug, issuer, client_id, client_secret, domains, disable, **options):
        account = Account.objects.filter(slug=slug).first()
        if account is None:
            raise CommandError(f'No account with slug "{slug}".')
        secret = client_secret
        if secret == "-":
            secret = sys.stdin.readline().strip()
        try:
            if issuer is None:
                if not disable:
                    raise CommandError("Give --issuer and --client-id, or --disable.")
                services.connection_set_enabled(account=account, enabled=False)
            else:
                existing = SsoConnection.objects.filter(account=account).first()
                services.connection_configure(
                    account=account,
                    issuer=issuer,
                    client_id=client_id or (existing.client_id if existing else ""),
                    client_secret=secret or None,
                    domains=domains,
                    enabled=not disable,
                    create_staff_on_first_sign_in=options["create_staff"],
                )
        except ValidationError as exc:
            messages = (
                [f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("; ".join(messages)) from None
        connection = SsoConnection.objects.get(account=account)
        domains_now = ", ".join(connection.domains.values_list("domain", flat=True)) or "none"
        self.stdout.write(f"Single sign-on for {account.name} ({account.slug})")
        self.stdout.write(f"Status:       {'enabled' if connection.enabled else 'disabled'}")
        self.stdout.write(f"Issuer:       {connection.issuer}")
        self.stdout.write(f"Client ID:    {connection.client_id}")
        self.stdout.write(f"Domains:      {domains_now}")
        self.stdout.write(f"Redirect URI: {oidc.redirect_uri()}")
        self.stdout.write(
            "Register the redirect URI as a Web redirect URI of the application at your "
            "provider. The client secret is stored encrypted and is not shown again."
        )
