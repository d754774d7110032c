import urllib.parse

from django.conf import settings


def start(client, email, **extra):
    """Screen 1: the work e-mail. Returns the response (a redirect to the provider)."""
    return client.post("/sso/start/", {"email": email, **extra})


def local_path(url):
    """The product's URL the provider sent the browser back to, as a test-client path."""
    assert url.startswith(settings.PUBLIC_BASE_URL + "/sso/callback/"), url
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client, provider, email, sub=None):
    """The whole flow as a browser runs it; returns the product's answer to the callback."""
    response = start(client, email)
    assert response.status_code == 302, response.content.decode()
    back = provider.authorize(response["Location"], sub or email)
    return client.get(local_path(back))


def query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
