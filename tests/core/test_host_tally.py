"""HostTally: the number of an account's live hosts, kept by database triggers.

Whoever writes the host table (services, bulk inserts, raw SQL, queryset updates, cascades),
the tally must equal ``COUNT(*)`` of the account's live hosts, or SCIM's totalResults lies.
"""

import importlib
import random

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import AccountFactory, DirectoryHostFactory, HostFactory
from visitor_mgmt.models import Host, HostTally, Source
from visitor_mgmt.selectors.hosts import live_directory_host_count, live_host_count
from visitor_mgmt.services import hosts as host_services
from visitor_mgmt.services.csv_import import hosts_import_csv

pytestmark = pytest.mark.django_db


def counted(account):
    return Host.objects.filter(account=account, deleted_at__isnull=True).count()


def counted_directory(account):
    live = Host.objects.filter(account=account, deleted_at__isnull=True)
    return live.filter(source=Source.DIRECTORY).count()


def assert_exact(*accounts):
    for account in accounts:
        assert live_host_count(account=account) == counted(account), account.slug
        assert live_directory_host_count(account=account) == counted_directory(account)


def test_a_new_account_has_no_hosts(account):
    assert live_host_count(account=account) == 0
    assert not HostTally.objects.filter(account=account).exists()


def test_services_factories_and_bulk_inserts_count(account, other_account):
    host_services.host_create(account=account, first_name="Ann", email="ann@acme.test")
    HostFactory.create_batch(3, account=account)
    DirectoryHostFactory(account=other_account)
    Host.objects.bulk_create(
        [Host(account=account, first_name=f"B{i}", source=Source.DIRECTORY) for i in range(25)]
    )
    assert live_host_count(account=account) == 29
    assert live_host_count(account=other_account) == 1
    assert_exact(account, other_account)


def test_a_csv_import_counts(account):
    data = b"first_name,last_name,email\nAda,Lovelace,ada@acme.test\nAlan,Turing,alan@acme.test\n"
    assert hosts_import_csv(account=account, data=data).committed
    assert live_host_count(account=account) == 2


def test_raw_sql_inserts_count(account):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO visitor_mgmt_host (account_id, public_id, first_name, last_name,"
            " display_name, email, alternate_email, mobile, alternate_mobile, title, department,"
            " organization, is_active, source, username, external_id, directory_data,"
            " created_at, updated_at, deleted_at)"
            " VALUES (%s, %s, 'Raw', '', '', '', '', '', '', '', '', '', %s, 'manual', '', '',"
            " '{}', %s, %s, NULL)",
            [
                account.pk,
                "0b7c6a36-8d2f-4d3e-9a52-9b0c1f0e1a11",
                True,
                timezone.now(),
                timezone.now(),
            ],
        )
    assert live_host_count(account=account) == 1


def test_a_tombstone_leaves_the_count_and_a_hard_delete_of_it_changes_nothing(account):
    hosts = HostFactory.create_batch(3, account=account)
    host_services.host_delete(host=hosts[0])
    assert live_host_count(account=account) == 2
    Host.objects.filter(pk=hosts[0].pk).delete()  # already a tombstone: no change
    assert live_host_count(account=account) == 2
    Host.objects.filter(pk=hosts[1].pk).delete()  # a live host removed for good
    assert live_host_count(account=account) == 1
    assert_exact(account)


def test_saves_that_leave_liveness_alone_change_nothing(account):
    host = HostFactory(account=account)
    host.title = "Changed"
    host.save()  # every column written, deleted_at included, unchanged
    host_services.host_deactivate(host=host)  # inactive hosts are still listed
    assert live_host_count(account=account) == 1


def test_restoring_and_moving_hosts_count(account, other_account):
    hosts = HostFactory.create_batch(4, account=account)
    Host.objects.filter(pk__in=[h.pk for h in hosts[:2]]).update(deleted_at=timezone.now())
    assert live_host_count(account=account) == 2
    Host.objects.filter(pk=hosts[0].pk).update(deleted_at=None)
    assert live_host_count(account=account) == 3
    Host.objects.filter(pk__in=[hosts[0].pk, hosts[1].pk, hosts[2].pk]).update(
        account=other_account
    )  # two live hosts and a tombstone move
    assert live_host_count(account=account) == 1
    assert live_host_count(account=other_account) == 2
    assert_exact(account, other_account)


def test_deleting_an_account_removes_its_tally(account, other_account):
    HostFactory.create_batch(2, account=account)
    HostFactory(account=other_account)
    account.delete()
    assert not HostTally.objects.filter(account_id=account.pk).exists()
    assert live_host_count(account=other_account) == 1


def test_any_sequence_of_writes_keeps_the_tally_exact(account, other_account):
    rng = random.Random(20261126)
    accounts = [account, other_account, AccountFactory(slug="third")]
    for step in range(150):
        live = list(Host.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True))
        dead = list(Host.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True))
        action = rng.choice(
            ["create", "directory", "bulk", "tombstone", "restore", "move", "delete", "source"]
        )
        if action == "create" or not live:
            HostFactory(account=rng.choice(accounts))
        elif action == "directory":
            DirectoryHostFactory(account=rng.choice(accounts))
        elif action == "source":  # a manual host linked to the directory, or the reverse
            Host.objects.filter(pk__in=rng.sample(live, min(2, len(live)))).update(
                source=rng.choice([Source.MANUAL, Source.DIRECTORY, Source.CSV])
            )
        elif action == "bulk":
            Host.objects.bulk_create(
                [Host(account=rng.choice(accounts), first_name=f"S{step}") for _ in range(3)]
            )
        elif action == "tombstone":
            Host.objects.filter(pk__in=rng.sample(live, min(2, len(live)))).update(
                deleted_at=timezone.now()
            )
        elif action == "restore" and dead:
            Host.objects.filter(pk=rng.choice(dead)).update(deleted_at=None)
        elif action == "move":
            Host.objects.filter(pk=rng.choice(live + dead)).update(account=rng.choice(accounts))
        elif action == "delete":
            Host.objects.filter(pk=rng.choice(live + dead)).delete()
    assert_exact(*accounts)


def test_the_migration_backfills_existing_hosts(account, other_account):
    HostFactory.create_batch(5, account=account)
    host_services.host_delete(host=HostFactory(account=account))
    HostFactory(account=other_account)
    HostTally.objects.all().delete()  # as before the migration
    migration = importlib.import_module("visitor_mgmt.migrations.0003_host_tally")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert live_host_count(account=account) == 5
    assert live_host_count(account=other_account) == 1


def test_the_directory_count_follows_source_liveness_and_account(account, other_account):
    manual = HostFactory(account=account)
    directory = DirectoryHostFactory.create_batch(3, account=account)
    assert live_directory_host_count(account=account) == 3
    Host.objects.filter(pk=manual.pk).update(source=Source.DIRECTORY)  # linked
    assert live_directory_host_count(account=account) == 4
    Host.objects.filter(pk=directory[0].pk).update(deleted_at=timezone.now())  # tombstoned
    Host.objects.filter(pk=directory[0].pk).update(source=Source.MANUAL)  # dead: no change
    assert live_directory_host_count(account=account) == 3
    Host.objects.filter(pk=directory[1].pk).update(account=other_account)
    assert live_directory_host_count(account=account) == 2
    assert live_directory_host_count(account=other_account) == 1
    Host.objects.filter(pk=directory[2].pk).delete()
    assert live_directory_host_count(account=account) == 1
    assert live_host_count(account=account) == 1
    assert_exact(account, other_account)


def test_migration_0004_backfills_directory_hosts(account, other_account):
    DirectoryHostFactory.create_batch(4, account=account)
    HostFactory.create_batch(2, account=account)
    host_services.host_delete(host=DirectoryHostFactory(account=account), via_directory=True)
    DirectoryHostFactory(account=other_account)
    HostTally.objects.update(directory_hosts=0)  # as before the migration
    migration = importlib.import_module("visitor_mgmt.migrations.0006_host_tally_directory_hosts")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert live_directory_host_count(account=account) == 4
    assert live_directory_host_count(account=other_account) == 1
