"""Login throttling (django-axes, database handler) on the product login and the Django
admin login: per account and per client address, a clear page, a lock that expires, and
operator unlock with axes' own commands. Issue 14: 50 wrong passwords, then the right one,
were all accepted."""

from datetime import timedelta

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(username, password, *, ip="198.51.100.7", url=LOGIN):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(url, {"username": username, "password": password})
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def user():
    return UserFactory(username="admin@acme.example")


def test_wrong_passwords_lock_the_account_then_the_right_one_is_refused(user):
    statuses = [attempt(user.username, "wrong")[1].status_code for _ in range(LIMIT)]
    # The form's "didn't match", until the failure that reaches the limit locks.
    assert statuses == [200] * (LIMIT - 1) + [429]
    client, response = attempt(user.username, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert f"after {LIMIT} failed attempts" in page and "Try again in 15 minutes" in page
    assert not logged_in(client)


def test_the_account_lock_holds_from_any_address(user):
    """Per account: failures spread over many addresses (each under the limit) lock it."""
    for n in range(LIMIT):
        attempt(user.username, "wrong", ip=f"203.0.113.{n + 1}")
    client, response = attempt(user.username, PASSWORD, ip="192.0.2.200")
    assert response.status_code == 429 and not logged_in(client)
    # ...and not anybody else's account from those addresses.
    other = UserFactory(username="staff@acme.example")
    client, response = attempt(other.username, PASSWORD, ip="203.0.113.1")
    assert response.status_code == 302 and logged_in(client)


def test_one_address_trying_many_accounts_is_locked(user):
    """Per client address: one wrong password each for many accounts locks the address."""
    for n in range(LIMIT):
        attempt(f"guess{n}@acme.example", "wrong", ip="198.51.100.66")
    client, response = attempt(user.username, PASSWORD, ip="198.51.100.66")
    assert response.status_code == 429 and not logged_in(client)
    client, response = attempt(user.username, PASSWORD, ip="198.51.100.67")
    assert response.status_code == 302 and logged_in(client)


def test_the_lock_expires_after_the_cool_off(user):
    for _ in range(LIMIT):
        attempt(user.username, "wrong")
    assert attempt(user.username, PASSWORD)[1].status_code == 429
    # The failures age past the cool-off (as the clock would move).
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    client, response = attempt(user.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_fewer_failures_than_the_limit_do_not_lock(user):
    for _ in range(LIMIT - 1):
        attempt(user.username, "wrong")
    client, response = attempt(user.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.parametrize(
    "command, args",
    [("axes_reset_username", ["admin@acme.example"]), ("axes_reset", [])],
)
def test_an_operator_unlocks_an_account(user, command, args):
    for n in range(LIMIT):
        attempt(user.username, "wrong", ip=f"203.0.113.{n + 1}")
    assert attempt(user.username, PASSWORD)[1].status_code == 429
    call_command(command, *args, stdout=open("/dev/null", "w"))  # noqa: SIM115
    client, response = attempt(user.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_an_operator_unlocks_an_address(user):
    for n in range(LIMIT):
        attempt(f"guess{n}@acme.example", "wrong", ip="198.51.100.66")
    assert attempt(user.username, PASSWORD, ip="198.51.100.66")[1].status_code == 429
    call_command("axes_reset_ip", "198.51.100.66", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client, response = attempt(user.username, PASSWORD, ip="198.51.100.66")
    assert response.status_code == 302 and logged_in(client)


def test_django_admin_login_is_throttled_too():
    admin = UserFactory(username="root@acme.example", is_staff=True, is_superuser=True)
    statuses = [
        attempt(admin.username, "wrong", url=ADMIN_LOGIN)[1].status_code for _ in range(LIMIT)
    ]
    assert statuses == [200] * (LIMIT - 1) + [429]
    client, response = attempt(admin.username, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert not logged_in(client)
    # The lock is shared with the product login: same account.
    assert attempt(admin.username, PASSWORD)[1].status_code == 429


def test_attempts_are_kept_in_the_database_shared_by_all_app_servers(user):
    """The database handler: a second app server (any process on the same database) sees
    the failures; nothing is held in one process's memory."""
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    for _ in range(3):
        attempt(user.username, "wrong")
    rows = AccessAttempt.objects.filter(username=user.username)
    assert rows.count() == 1 and rows.get().failures_since_start == 3
    # The attempt never stores the password.
    assert "wrong" not in str(rows.get().post_data)


def test_client_address_comes_from_the_proxy_only_when_one_is_configured(user, settings):
    """Without TRUSTED_PROXY_COUNT a client cannot dodge the address lock with a forged
    X-Forwarded-For."""
    for n in range(LIMIT):
        client = Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
        client.post(LOGIN, {"username": f"guess{n}@acme.example", "password": "wrong"})
    client = Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="10.9.9.200")
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "10.9.9.9", "127.0.0.1"),  # no proxy configured: the header is ignored
        (1, "198.51.100.66", "198.51.100.66"),  # nginx appended the client's address
        (1, "6.6.6.6, 198.51.100.66", "198.51.100.66"),  # the client forged an entry
        (2, "6.6.6.6, 198.51.100.66, 10.0.0.5", "198.51.100.66"),  # CDN, then nginx
        (1, "", "127.0.0.1"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert get_client_ip_address(request) == expected


def test_behind_a_proxy_the_lock_is_per_client_not_per_proxy(user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(LIMIT):
        client = Client(
            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.66"
        )
        client.post(LOGIN, {"username": f"guess{n}@acme.example", "password": "wrong"})
    locked = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert locked.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.67")
    assert other.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 302
