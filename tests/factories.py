"""One factory per model, shared by every test module."""

import uuid

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from scim_hosts.access.tokens import hash_token
from scim_hosts.models import ProvisioningEvent, ScimToken
from visitor_mgmt.models import (
    Account,
    Host,
    HostGroup,
    HostGroupMembership,
    Membership,
    Source,
    Visit,
)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Membership.Role.STAFF


class HostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Host

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    display_name = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")
    email = factory.Sequence(lambda n: f"host{n}@example.com")
    department = "Engineering"
    source = Source.MANUAL


class DirectoryHostFactory(HostFactory):
    source = Source.DIRECTORY
    username = factory.Sequence(lambda n: f"host{n}@contoso.com")
    external_id = factory.Sequence(lambda n: f"ext-{n}")


class HostGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HostGroup

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    source = Source.MANUAL


class HostGroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HostGroupMembership

    group = factory.SubFactory(HostGroupFactory)
    host = factory.SubFactory(HostFactory, account=factory.SelfAttribute("..group.account"))


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    account = factory.SubFactory(AccountFactory)
    host = factory.SubFactory(HostFactory, account=factory.SelfAttribute("..account"))
    host_name = factory.LazyAttribute(lambda o: o.host.name if o.host else "")
    visitor_name = factory.Faker("name")


class ScimTokenFactory(factory.django.DjangoModelFactory):
    """Pass ``raw_token=...`` to know the token; the factory stores only its hash."""

    class Meta:
        model = ScimToken
        exclude = ["raw_token"]

    account = factory.SubFactory(AccountFactory)
    raw_token = factory.Sequence(lambda n: f"vmscim_test-token-{n:04d}-abcdefghijklmnopqrstuvwxyz")
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.raw_token))
    hint = factory.LazyAttribute(lambda o: o.raw_token[-4:])
    created_at = factory.LazyFunction(timezone.now)
    enabled = True


class ProvisioningEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProvisioningEvent

    account = factory.SubFactory(AccountFactory)
    method = "POST"
    resource_type = "User"
    action = "created"
    outcome = ProvisioningEvent.Outcome.SUCCESS
    status = 201


def bulk_directory_hosts(account, n, prefix="h"):
    """``n`` live directory hosts of ``account`` in a few INSERTs (fast even for thousands);
    the pks of all the account's hosts, in order. Built like SCIM would have stored them:
    userName and e-mail only, no display name or externalId."""
    tag = uuid.uuid4().hex[:6]
    hosts = [
        DirectoryHostFactory.build(
            account=account,
            username=f"{prefix}{tag}{i}@acme.test",
            first_name=f"F{i}",
            last_name=f"L{i}",
            display_name="",
            email=f"{prefix}{tag}{i}@acme.test",
            department="",
            external_id="",
            directory_data={"userName": f"{prefix}{tag}{i}@acme.test", "active": True},
        )
        for i in range(n)
    ]
    Host.objects.bulk_create(hosts, batch_size=1000)
    return list(Host.objects.filter(account=account).order_by("pk").values_list("pk", flat=True))


def bulk_directory_group(account, name, host_pks):
    """A directory group of ``account`` with the given hosts, in a few INSERTs."""
    group = HostGroupFactory(account=account, name=name, source=Source.DIRECTORY)
    HostGroupMembership.objects.bulk_create(
        [HostGroupMembership(group=group, host_id=pk) for pk in host_pks], batch_size=1000
    )
    return group


def manual_host_with_history(account, *, email, first_name, last_name, group_name="Reception"):
    """A host added by hand before the directory was connected, with a visit and a group."""
    host = HostFactory(
        account=account,
        first_name=first_name,
        last_name=last_name,
        display_name=f"{first_name} {last_name}",
        email=email,
        username="",
        source=Source.MANUAL,
    )
    group = HostGroupFactory(account=account, name=group_name)
    HostGroupMembershipFactory(group=group, host=host)
    visit = VisitFactory(account=account, host=host)
    return host, group, visit
