"""Write rules in visitor_mgmt.services.hosts that the pages, CSV and API rely on."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import DirectoryHostFactory, HostFactory, HostGroupFactory
from visitor_mgmt.models import HostGroup, Source
from visitor_mgmt.services import hosts as services

pytestmark = pytest.mark.django_db


def test_people_written_hosts_need_a_name(account):
    with pytest.raises(ValidationError) as exc:
        services.host_create(account=account, email="x@acme.example")
    assert "first_name" in exc.value.message_dict
    host = services.host_create(account=account, display_name="Front Desk")
    with pytest.raises(ValidationError):
        services.host_update(host=host, display_name="")


def test_directory_hosts_follow_the_directory(account):
    # The directory may send a user without a name or with a shared e-mail.
    HostFactory(account=account, email="shared@acme.example")
    host = services.host_create(
        account=account, source=Source.DIRECTORY, email="shared@acme.example", username="u1"
    )
    services.host_update(host=host, via_directory=True, first_name="", email="SHARED@acme.example")


def test_email_is_unique_among_live_hosts_of_an_account(account, other_account):
    first = HostFactory(account=account, email="dup@acme.example")
    with pytest.raises(ValidationError) as exc:
        services.host_create(account=account, first_name="A", email="DUP@acme.example")
    assert "email" in exc.value.message_dict
    # Another account, or a deleted host, does not count.
    services.host_create(account=other_account, first_name="A", email="dup@acme.example")
    services.host_delete(host=first)
    services.host_create(account=account, first_name="A", email="dup@acme.example")


def test_update_checks_email_only_when_it_changes(account):
    a = HostFactory(account=account, email="a@acme.example")
    HostFactory(account=account, email="b@acme.example")
    services.host_update(host=a, title="Boss")  # unchanged e-mail is not re-checked
    services.host_update(host=a, email="A@ACME.example")  # its own, other case
    with pytest.raises(ValidationError):
        services.host_update(host=a, email="b@acme.example")


def test_reactivate(account):
    host = HostFactory(account=account, is_active=False)
    services.host_reactivate(host=host)
    host.refresh_from_db()
    assert host.is_active


def test_directory_host_refuses_people_writes(account):
    host = DirectoryHostFactory(account=account)
    for call in (
        lambda: services.host_update(host=host, title="X"),
        lambda: services.host_deactivate(host=host),
        lambda: services.host_reactivate(host=host),
        lambda: services.host_delete(host=host),
    ):
        with pytest.raises(services.DirectoryManagedError, match="Microsoft Entra ID"):
            call()


def test_group_names_unique_ignoring_case_for_people(account):
    services.host_group_create(account=account, name="Sales")
    with pytest.raises(ValidationError):
        services.host_group_create(account=account, name=" sales ")
    other = services.host_group_create(account=account, name="Ops")
    with pytest.raises(ValidationError):
        services.host_group_update(group=other, name="SALES")
    services.host_group_update(group=other, name="OPS")  # own name, other case
    assert HostGroup.objects.get(pk=other.pk).name == "OPS"


def test_group_name_race_is_a_validation_error_not_a_500(account, monkeypatch):
    HostGroupFactory(account=account, name="Race")
    # Simulate the parallel request: the pre-check sees nothing, the constraint fires.
    monkeypatch.setattr(services, "host_group_name_in_use", lambda **kwargs: False)
    with pytest.raises(ValidationError, match="already exists"):
        services.host_group_create(account=account, name="race")
    assert HostGroup.objects.filter(account=account).count() == 1
