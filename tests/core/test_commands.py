"""Operator commands: create_account and seed_demo."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from tests.factories import UserFactory
from visitor_mgmt.models import Account, Host, HostGroup, Membership, Source


def login_request():
    """Login throttling (django-axes) needs the request a login comes with."""
    return RequestFactory().post("/accounts/login/")


pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_account_with_admin():
    out = run(
        "create_account",
        "initech",
        "--name",
        "Initech",
        "--admin-email",
        "boss@initech.example",
        "--admin-password",
        "a-long-Secret-42",
    )
    account = Account.objects.get(slug="initech")
    assert account.name == "Initech"
    user = get_user_model().objects.get(username="boss@initech.example")
    assert user.email == "boss@initech.example"
    assert user.membership.account == account
    assert user.membership.role == Membership.Role.ADMIN
    assert (
        authenticate(login_request(), username="boss@initech.example", password="a-long-Secret-42")
        == user
    )
    assert "Created account initech (Initech)." in out
    assert "a-long-Secret-42" not in out


def test_create_account_without_admin():
    run("create_account", "solo", "--name", "Solo Ltd")
    assert Account.objects.get(slug="solo").memberships.count() == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["acme", "--name", "Again"], "already exists"),
        (["not a slug!", "--name", "X"], "not a valid slug"),
        (["x" * 65, "--name", "X"], "too long"),
        (["newco", "--name", "   "], "needs a name"),
        (["newco", "--name", "N", "--admin-email", "a@b.example"], "both an admin e-mail"),
        (["newco", "--name", "N", "--admin-password", "a-long-Secret-42"], "both an admin e-mail"),
        (
            [
                "newco",
                "--name",
                "N",
                "--admin-email",
                "nope",
                "--admin-password",
                "a-long-Secret-42",
            ],
            "not a valid e-mail",
        ),
        (
            [
                "newco",
                "--name",
                "N",
                "--admin-email",
                "taken@x.example",
                "--admin-password",
                "a-long-Secret-42",
            ],
            "already exists",
        ),
        (
            ["newco", "--name", "N", "--admin-email", "new@x.example", "--admin-password", "short"],
            "too short",
        ),
    ],
)
def test_create_account_failures_are_clear_and_create_nothing(account, args, message):
    UserFactory(username="taken@x.example")
    accounts, users = Account.objects.count(), get_user_model().objects.count()
    with pytest.raises(CommandError, match=message):
        run("create_account", *args)
    assert Account.objects.count() == accounts
    assert get_user_model().objects.count() == users


def test_create_account_needs_a_name():
    with pytest.raises(CommandError):
        run("create_account", "noname")


def _demo_state():
    account = Account.objects.get(slug="demo")
    return {
        "accounts": Account.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "hosts": sorted(Host.objects.filter(account=account).values_list("email", "source")),
        "groups": sorted(
            (g.name, g.source, sorted(g.members.values_list("email", flat=True)))
            for g in HostGroup.objects.filter(account=account)
        ),
    }


def test_seed_demo_creates_the_demo_and_is_idempotent():
    out = run("seed_demo")
    assert out == ""  # quiet by default
    account = Account.objects.get(slug="demo")
    assert account.name == "Demo Company"
    admin = authenticate(
        login_request(), username="admin@demo.example", password="demo-admin-password"
    )
    staff = authenticate(
        login_request(), username="staff@demo.example", password="demo-staff-password"
    )
    assert admin.membership.is_admin and admin.membership.account == account
    assert staff.membership.role == Membership.Role.STAFF
    hosts = Host.objects.filter(account=account)
    assert hosts.filter(source=Source.MANUAL).count() >= 12
    assert hosts.values("department").distinct().count() >= 4
    directory = hosts.filter(source=Source.DIRECTORY)
    assert directory.count() == 3
    assert all(h.username.endswith("@demo.example") for h in directory)
    groups = {g.source: g for g in HostGroup.objects.filter(account=account)}
    assert set(groups) == {Source.MANUAL, Source.DIRECTORY}
    assert groups[Source.MANUAL].members.exists()
    assert groups[Source.DIRECTORY].members.exists()

    first = _demo_state()
    run("seed_demo")
    assert _demo_state() == first


def test_seed_demo_restores_the_printed_passwords():
    run("seed_demo")
    user = get_user_model().objects.get(username="admin@demo.example")
    user.set_password("changed-it")
    user.save()
    run("seed_demo")
    assert authenticate(
        login_request(), username="admin@demo.example", password="demo-admin-password"
    )


def test_demo_logins_work_on_the_pages(client):
    run("seed_demo")
    assert (
        client.post(
            "/accounts/login/",
            {"username": "admin@demo.example", "password": "demo-admin-password"},
        ).status_code
        == 302
    )
    html = client.get("/hosts/").content.decode()
    assert "Managed by Microsoft Entra ID" in html
    assert 'href="/preferences/"' in html
