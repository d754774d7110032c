import os

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import HostFactory
from tests.kiosk.helpers import closed_port
from visitor_mgmt.services.kiosk import kiosk_device_create

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (it is: the loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


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
def host(account):
    return HostFactory(
        account=account,
        first_name="Jane",
        last_name="Doe",
        display_name="Jane Doe",
        email="jane.doe@acme.example",
        alternate_email="jane.private@acme.example",
        mobile="+15550001111",
        alternate_mobile="+15550002222",
        department="Finance",
    )


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
