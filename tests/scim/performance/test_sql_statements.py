"""Each hand-written statement of scim_hosts/sql.py returns what its ORM twin returns (on
SQLite and on PostgreSQL: the suite runs on both)."""

import uuid

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from scim_hosts import sql
from scim_hosts.models import ProvisioningEvent, ScimToken
from tests.factories import (
    AccountFactory,
    DirectoryHostFactory,
    HostFactory,
    HostGroupFactory,
    ScimTokenFactory,
)
from visitor_mgmt.models import Host, HostGroup

pytestmark = pytest.mark.django_db


def values(obj):
    """Every concrete field of a model instance, as the ORM loaded it."""
    return (
        None
        if obj is None
        else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    )


@pytest.fixture
def account():
    return AccountFactory()


@pytest.fixture
def other_account():
    return AccountFactory()


# ------------------------------------------------------------------ the token lookup


def test_the_token_lookup_is_select_related_by_hash(account, other_account):
    token = ScimTokenFactory(account=account)
    ScimTokenFactory(account=other_account)
    for token_hash in (token.token_hash, "0" * 64):
        orm = ScimToken.objects.select_related("account").filter(token_hash=token_hash).first()
        found = sql.token_with_account(token_hash)
        assert values(found) == values(orm)
        if orm is not None:
            assert values(found.account) == values(orm.account)
    assert found is None


# ------------------------------------------------------------------ by public id


@pytest.mark.parametrize("lock", [None, "update", "key share"])
def test_a_host_by_public_id_is_the_live_host_of_the_account(account, other_account, lock):
    live = DirectoryHostFactory(account=account)
    deleted = DirectoryHostFactory(account=account, deleted_at=timezone.now())
    theirs = DirectoryHostFactory(account=other_account)
    with transaction.atomic():  # a lock needs a transaction
        for public_id in (live.public_id, deleted.public_id, theirs.public_id, uuid.uuid4()):
            orm = Host.objects.filter(
                account=account, deleted_at__isnull=True, public_id=public_id
            ).first()
            found = sql.by_public_id(
                Host, account=account, public_id=public_id, live_field="deleted_at", lock=lock
            )
            assert values(found) == values(orm)
    assert values(
        sql.by_public_id(Host, account=account, public_id=live.public_id, live_field="deleted_at")
    ) == values(live)


def test_a_group_by_public_id_is_the_group_of_the_account(account, other_account):
    group, theirs = HostGroupFactory(account=account), HostGroupFactory(account=other_account)
    for public_id in (group.public_id, theirs.public_id):
        orm = HostGroup.objects.filter(account=account, public_id=public_id).first()
        assert values(sql.by_public_id(HostGroup, account=account, public_id=public_id)) == (
            values(orm)
        )
    assert sql.by_public_id(HostGroup, account=account, public_id=group.public_id) is not None


# ------------------------------------------------------------------ by unique value


def test_a_host_by_username_any_case_or_by_email_without_one(account, other_account):
    by_name = DirectoryHostFactory(account=account, username="Ava@Contoso.com")
    by_email = HostFactory(account=account, email="ben@contoso.com")  # no username yet
    DirectoryHostFactory(account=account, username="ava@contoso.COM", deleted_at=timezone.now())
    DirectoryHostFactory(account=other_account, username="ava@contoso.com")
    # Has a username, so its e-mail does not stand in for it.
    DirectoryHostFactory(account=account, username="carl@contoso.com", email="ben@CONTOSO.com")
    live = Host.objects.filter(account=account, deleted_at__isnull=True)
    for value in ("AVA@contoso.com", "Ben@Contoso.com", "nobody@contoso.com", ""):
        orm = live.filter(
            (Q(username__iexact=value) & ~Q(username="")) | Q(username="", email__iexact=value)
        )
        found = sql.by_unique_value(
            Host,
            account=account,
            field_name="username",
            value=value,
            fallback="email",
            live_field="deleted_at",
        )
        assert sorted(h.pk for h in found) == sorted(h.pk for h in orm)
        assert [values(h) for h in found] == [values(live.get(pk=h.pk)) for h in found]
    assert [
        h.pk
        for h in sql.by_unique_value(
            Host,
            account=account,
            field_name="username",
            value="ava@CONTOSO.com",
            fallback="email",
            live_field="deleted_at",
        )
    ] == [by_name.pk]
    assert [
        h.pk
        for h in sql.by_unique_value(
            Host,
            account=account,
            field_name="username",
            value="BEN@contoso.com",
            fallback="email",
            live_field="deleted_at",
        )
    ] == [by_email.pk]


def test_a_group_by_display_name_any_case(account, other_account):
    group = HostGroupFactory(account=account, name="Reception Desk")
    HostGroupFactory(account=other_account, name="reception desk")
    for value in ("RECEPTION desk", "Other"):
        orm = HostGroup.objects.filter(account=account, name__iexact=value).exclude(name="")
        found = sql.by_unique_value(HostGroup, account=account, field_name="name", value=value)
        assert [values(g) for g in found] == [values(g) for g in orm]
    assert [
        g.pk
        for g in sql.by_unique_value(
            HostGroup, account=account, field_name="name", value="reception DESK", lock=True
        )
    ] == [group.pk]


# ------------------------------------------------------------------ the provisioning log


def test_the_log_insert_writes_the_row_the_orm_writes(account):
    fields = {
        "account_id": account.pk,
        "method": "PATCH",
        "resource_type": "Group",
        "resource_id": str(uuid.uuid4()),
        "resource_name": "Reception",
        "action": "members-added",
        "outcome": ProvisioningEvent.Outcome.SUCCESS,
        "status": 204,
        "reason": "2 members added",
        "token_hint": "abcd",
        "created_at": timezone.now(),
    }
    orm = ProvisioningEvent.objects.create(**fields)
    sql.insert_provisioning_event(fields)
    written = ProvisioningEvent.objects.exclude(pk=orm.pk).get(account=account)
    orm.refresh_from_db()
    # created_at is auto_now_add: the ORM stamps its own time, the INSERT keeps the one given.
    assert written.created_at == fields["created_at"]
    ignored = {"id": None, "created_at": None}
    assert {**values(written), **ignored} == {**values(orm), **ignored}
