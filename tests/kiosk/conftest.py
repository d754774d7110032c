import pytest
from django.core.cache import cache
from django.test import Client

from tests.browser_support import chromium, new_page, plain_http_cookies  # noqa: F401
from tests.kiosk.helpers import closed_port
from visitor_mgmt.kiosk.services import kiosk_device_create


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the (process-local) cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def device_and_key(account):
    return kiosk_device_create(account=account, name="Front desk")


@pytest.fixture
def kiosk_client(account, device_and_key):
    """A browser enabled as the account's kiosk, through the real activation page."""
    _, raw_key = device_and_key
    client = Client()
    response = client.post(f"/kiosk/{account.slug}/activate/", {"key": raw_key})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def failing_smtp(settings):
    """A real SMTP backend pointed at a closed local port: every send fails to connect."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return settings


@pytest.fixture
def working_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings
