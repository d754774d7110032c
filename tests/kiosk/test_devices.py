"""Kiosk devices: enabling from Preferences, the device cookie, revoking, settings."""

import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import AccountFactory, MembershipFactory
from visitor_mgmt.kiosk.device import COOKIE_NAME
from visitor_mgmt.kiosk.services import kiosk_device_create
from visitor_mgmt.models import Account, KioskDevice, Membership

pytestmark = pytest.mark.django_db

KIOSK_PAGES = ["", "sign-out/"]


@pytest.mark.parametrize("page", KIOSK_PAGES)
def test_kiosk_pages_need_an_enabled_device(client, account, page):
    response = client.get(f"/kiosk/{account.slug}/{page}")
    assert response.status_code == 403
    assert b"This device is not enabled" in response.content


def test_kiosk_posts_and_api_need_an_enabled_device(client, account, host):
    for path in ("host/", "sign-in/"):
        response = client.post(
            f"/kiosk/{account.slug}/{path}", {"visitor_name": "X", "host": str(host.public_id)}
        )
        assert response.status_code == 403
    response = client.get(f"/kiosk/{account.slug}/api/hosts/?q=Jane")
    assert response.status_code == 403
    assert "Jane" not in response.content.decode()


def test_an_admin_login_is_not_a_kiosk_device(admin_client, account):
    assert admin_client.get(f"/kiosk/{account.slug}/").status_code == 403
    assert admin_client.get(f"/kiosk/{account.slug}/api/hosts/?q=ja").status_code == 403


def test_unknown_account_looks_the_same_as_a_disabled_device(client):
    response = client.get("/kiosk/no-such-account/")
    assert response.status_code == 403
    assert b"This device is not enabled" in response.content


def test_enabled_device_opens_the_kiosk(kiosk_client, account):
    response = kiosk_client.get(f"/kiosk/{account.slug}/")
    assert response.status_code == 200
    assert b"Please sign in" in response.content
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_device_cookie_is_signed_http_only_and_long_lived(account, device_and_key):
    _, raw_key = device_and_key
    client = Client()
    response = client.post(f"/kiosk/{account.slug}/activate/", {"key": raw_key})
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["path"] == "/kiosk/"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"


def test_device_of_another_account_is_refused(account, device_and_key):
    other = AccountFactory(slug="globex")
    _, raw_key = device_and_key
    client = Client()
    # The key does not activate another account's kiosk...
    response = client.post(f"/kiosk/{other.slug}/activate/", {"key": raw_key})
    assert response.status_code == 400
    # ...and this account's cookie does not open the other account's kiosk.
    client.post(f"/kiosk/{account.slug}/activate/", {"key": raw_key})
    assert client.get(f"/kiosk/{account.slug}/").status_code == 200
    assert client.get(f"/kiosk/{other.slug}/").status_code == 403
    assert client.get(f"/kiosk/{other.slug}/api/hosts/?q=ab").status_code == 403


def test_wrong_key_is_refused(client, account):
    response = client.post(f"/kiosk/{account.slug}/activate/", {"key": "vmkiosk_nope"})
    assert response.status_code == 400
    assert b"not valid" in response.content
    assert COOKIE_NAME not in response.cookies


def test_tampered_cookie_is_refused(account, device_and_key):
    device, raw_key = device_and_key
    client = Client()
    client.cookies[COOKIE_NAME] = f"{device.pk}:{raw_key}"  # right content, no signature
    assert client.get(f"/kiosk/{account.slug}/").status_code == 403


def test_revoking_a_device_locks_it_out_at_once(kiosk_client, account, device_and_key):
    device, _ = device_and_key
    assert kiosk_client.get(f"/kiosk/{account.slug}/").status_code == 200
    admin = MembershipFactory(account=account, role=Membership.Role.ADMIN).user
    admin_client = Client()
    admin_client.force_login(admin)
    response = admin_client.post(f"/preferences/kiosk/devices/{device.pk}/revoke/")
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert kiosk_client.get(f"/kiosk/{account.slug}/").status_code == 403
    assert kiosk_client.get(f"/kiosk/{account.slug}/api/hosts/?q=ja").status_code == 403


def test_last_seen_is_recorded(kiosk_client, account, device_and_key):
    device, _ = device_and_key
    kiosk_client.get(f"/kiosk/{account.slug}/")
    device.refresh_from_db()
    assert device.last_seen_at is not None


def test_admin_enables_a_device_and_sees_the_key_once(admin_client, admin_user, account):
    response = admin_client.get("/preferences/")
    page = response.content.decode()
    assert 'id="kiosk"' in page
    assert "Enable a device" in page

    response = admin_client.post("/preferences/kiosk/devices/", {"name": "Lobby tablet"})
    assert response.status_code == 200
    page = response.content.decode()
    raw_key = re.search(r'id="kiosk-device-key" value="([^"]+)"', page).group(1)
    assert raw_key.startswith("vmkiosk_")
    assert "Open kiosk on this device" in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]

    device = KioskDevice.objects.get(account=account)
    assert device.name == "Lobby tablet"
    assert device.created_by == admin_user
    # Only the hash is stored; the key never shows again.
    assert device.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in str(KioskDevice.objects.filter(pk=device.pk).values().get())
    listing = admin_client.get("/preferences/").content.decode()
    assert "Lobby tablet" in listing
    assert raw_key not in listing


def test_open_kiosk_on_this_device_ends_the_admin_session(admin_client, account):
    response = admin_client.post("/preferences/kiosk/devices/", {"name": "Tablet"})
    raw_key = re.search(r'id="kiosk-device-key" value="([^"]+)"', response.content.decode())[1]
    # The "Open kiosk on this device" button posts the key and end_session.
    response = admin_client.post(
        f"/kiosk/{account.slug}/activate/", {"key": raw_key, "end_session": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/kiosk/{account.slug}/"
    # The kiosk runs; the admin login is gone from this browser.
    assert admin_client.get(f"/kiosk/{account.slug}/").status_code == 200
    assert admin_client.get("/preferences/").status_code == 302


def test_activation_without_end_session_keeps_the_admin_signed_in(admin_client, account):
    _, raw_key = kiosk_device_create(account=account, name="Laptop test")
    admin_client.post(f"/kiosk/{account.slug}/activate/", {"key": raw_key})
    assert admin_client.get("/preferences/").status_code == 200


def test_staff_cannot_manage_devices_or_settings(staff_client, account):
    assert staff_client.post("/preferences/kiosk/devices/", {"name": "X"}).status_code == 403
    device, _ = kiosk_device_create(account=account, name="Desk")
    assert staff_client.post(f"/preferences/kiosk/devices/{device.pk}/revoke/").status_code == 403
    response = staff_client.post("/preferences/kiosk/settings/", {"short_names": "on"})
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.revoked_at is None
    assert KioskDevice.objects.count() == 1


def test_admin_cannot_revoke_another_accounts_device(admin_client):
    other = AccountFactory()
    device, _ = kiosk_device_create(account=other, name="Theirs")
    assert admin_client.post(f"/preferences/kiosk/devices/{device.pk}/revoke/").status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None


def test_device_needs_a_name(admin_client, account):
    response = admin_client.post("/preferences/kiosk/devices/", {"name": "   "})
    assert response.status_code == 302
    assert not KioskDevice.objects.exists()


def test_revoked_devices_are_listed_separately(admin_client, account):
    device, _ = kiosk_device_create(account=account, name="Old tablet")
    device.revoked_at = timezone.now()
    device.save()
    page = admin_client.get("/preferences/").content.decode()
    assert "Revoked: Old tablet" in page


def test_admin_saves_kiosk_settings(admin_client, account):
    response = admin_client.post(
        "/preferences/kiosk/settings/",
        {"short_names": "on", "fallback_email": "reception@acme.example"},
    )
    assert response.status_code == 302
    account = Account.objects.get(pk=account.pk)
    assert account.kiosk_short_names is True
    assert account.kiosk_fallback_email == "reception@acme.example"
    page = admin_client.get("/preferences/").content.decode()
    assert 'value="reception@acme.example"' in page

    admin_client.post("/preferences/kiosk/settings/", {"fallback_email": ""})
    account.refresh_from_db()
    assert account.kiosk_short_names is False
    assert account.kiosk_fallback_email == ""


def test_invalid_fallback_email_is_a_form_error(admin_client, account):
    response = admin_client.post("/preferences/kiosk/settings/", {"fallback_email": "nope"})
    assert response.status_code == 400
    assert b"valid email address" in response.content
    account.refresh_from_db()
    assert account.kiosk_fallback_email == ""


def _without_tokens(content, slug):
    """The page with what differs by nature removed: the CSRF token and the slug in the URL."""
    page = content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return page.replace(f"/kiosk/{slug}/", "/kiosk/<slug>/")


def test_activate_page_looks_the_same_for_real_and_unknown_slugs(account, device_and_key):
    """Anonymous visitors cannot tell which accounts exist: same status, same page (no
    account name) for GET and for a wrong key, until a valid device key is given."""
    _, raw_key = device_and_key
    client = Client()
    real = client.get(f"/kiosk/{account.slug}/activate/")
    unknown = client.get("/kiosk/no-such-company/activate/")
    assert real.status_code == unknown.status_code == 200
    assert account.name.encode() not in real.content
    assert _without_tokens(real.content, account.slug) == _without_tokens(
        unknown.content, "no-such-company"
    )
    real = client.post(f"/kiosk/{account.slug}/activate/", {"key": "vmkiosk_wrong"})
    unknown = client.post("/kiosk/no-such-company/activate/", {"key": "vmkiosk_wrong"})
    assert real.status_code == unknown.status_code == 400
    assert _without_tokens(real.content, account.slug) == _without_tokens(
        unknown.content, "no-such-company"
    )
    # A valid key of this account's device reveals the kiosk (and its name) as before.
    unknown = client.post("/kiosk/no-such-company/activate/", {"key": raw_key})
    assert unknown.status_code == 400
    valid = client.post(f"/kiosk/{account.slug}/activate/", {"key": raw_key})
    assert valid.status_code == 302
    assert account.name.encode() in client.get(valid["Location"]).content
