from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from visitor_mgmt.services.accounts import account_create


class Command(BaseCommand):
    help = "Create an account (a customer) and, optionally, its first admin user."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short unique id, e.g. acme")
        parser.add_argument("--name", required=True, help="Display name, e.g. 'Acme Inc.'")
        parser.add_argument("--admin-email", help="E-mail (and username) of the first admin")
        parser.add_argument("--admin-password", help="Password of the first admin")

    def handle(self, *args, **options):
        try:
            account, admin = account_create(
                slug=options["slug"],
                name=options["name"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(_messages(exc))) from None
        self.stdout.write(f"Created account {account.slug} ({account.name}).")
        if admin:
            self.stdout.write(f"Admin user: {admin.username}")


def _messages(exc):
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return exc.messages
