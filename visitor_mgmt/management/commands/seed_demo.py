"""Demo data for `make run`: safe to run any number of times."""

import unicodedata

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from visitor_mgmt.models import Account, Host, HostGroup, Membership, Source
from visitor_mgmt.services import hosts as host_services

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Company"
USERS = [
    ("admin@demo.example", "demo-admin-password", Membership.Role.ADMIN),
    ("staff@demo.example", "demo-staff-password", Membership.Role.STAFF),
]
# first name, last name, department, title, mobile
MANUAL_HOSTS = [
    ("Ava", "Martin", "Engineering", "Software Engineer", "+15550100001"),
    ("Noah", "Bernard", "Engineering", "Engineering Manager", ""),
    ("Mia", "Dubois", "Engineering", "QA Engineer", ""),
    ("Liam", "Thomas", "Sales", "Account Executive", "+15550100004"),
    ("Emma", "Robert", "Sales", "Sales Director", ""),
    ("Lucas", "Richard", "Marketing", "Content Lead", ""),
    ("Chloé", "Petit", "Marketing", "Designer", ""),
    ("Hugo", "Durand", "Finance", "Controller", "+15550100008"),
    ("Léa", "Leroy", "Finance", "Accountant", ""),
    ("Jules", "Moreau", "People", "HR Partner", ""),
    ("Zoé", "Simon", "Facilities", "Office Manager", "+15550100011"),
    ("Adam", "Laurent", "Facilities", "Receptionist", ""),
]
DIRECTORY_HOSTS = [
    ("Grace", "Hopper", "Engineering", "Principal Engineer"),
    ("Alan", "Turing", "Research", "Research Scientist"),
    ("Ada", "Lovelace", "Research", "Head of Research"),
]
MANUAL_GROUP = "Reception"
DIRECTORY_GROUP = "Research (Entra ID)"


def _email(first, last):
    # "Léa" -> "lea": decompose accents before dropping non-ASCII, so no letter is lost.
    def ascii_only(name):
        return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name

    return f"{ascii_only(first)}.{ascii_only(last)}@demo.example".lower()


class Command(BaseCommand):
    help = "Create (or complete) the demo account with users, hosts and groups. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        account, _ = Account.objects.get_or_create(slug=DEMO_SLUG, defaults={"name": DEMO_NAME})
        User = get_user_model()
        for email, password, role in USERS:
            user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            Membership.objects.update_or_create(
                user=user, defaults={"account": account, "role": role}
            )

        live = Host.objects.live().filter(account=account)
        for first, last, department, title, mobile in MANUAL_HOSTS:
            email = _email(first, last)
            if not live.filter(email__iexact=email).exists():
                host_services.host_create(
                    account=account,
                    first_name=first,
                    last_name=last,
                    display_name=f"{first} {last}",
                    email=email,
                    mobile=mobile,
                    title=title,
                    department=department,
                    organization=DEMO_NAME,
                )
        for first, last, department, title in DIRECTORY_HOSTS:
            email = _email(first, last)
            if not live.filter(username__iexact=email).exists():
                host_services.host_create(
                    account=account,
                    source=Source.DIRECTORY,
                    first_name=first,
                    last_name=last,
                    display_name=f"{first} {last}",
                    email=email,
                    username=email,
                    external_id=f"demo-{first.lower()}",
                    title=title,
                    department=department,
                    organization=DEMO_NAME,
                )

        reception = HostGroup.objects.filter(account=account, name__iexact=MANUAL_GROUP).first()
        if reception is None:
            reception = host_services.host_group_create(account=account, name=MANUAL_GROUP)
            members = live.filter(department="Facilities", source=Source.MANUAL)
            host_services.host_group_members_add(
                group=reception, host_ids=members.values_list("id", flat=True)
            )
        research = HostGroup.objects.filter(account=account, name__iexact=DIRECTORY_GROUP).first()
        if research is None:
            research = host_services.host_group_create(
                account=account,
                source=Source.DIRECTORY,
                name=DIRECTORY_GROUP,
                external_id="demo-research",
            )
            members = live.filter(department="Research", source=Source.DIRECTORY)
            host_services.host_group_members_add(
                group=research,
                host_ids=members.values_list("id", flat=True),
                via_directory=True,
            )
        if options["verbosity"] > 1:
            self.stdout.write(f"Demo account “{account.slug}” is ready.")
