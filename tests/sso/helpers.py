import html
import re
import urllib.parse

from django.conf import settings


def start(client, email, **extra):
    """Screen 1: the work e-mail. Returns the response (a redirect to the provider)."""
    return client.post("/sso/start/", {"email": email, **extra})


def provider_url(response):
    """Where the product sends the browser on to: the provider's authorization URL."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    match = re.search(r'<a id="sso-continue" href="([^"]+)"', page)
    assert match, page
    url = html.unescape(match.group(1))
    assert response["Refresh"] == f"0;url={url}"
    return url


def local_path(url):
    """The product's URL the provider sent the browser back to, as a test-client path."""
    assert url.startswith(settings.PUBLIC_BASE_URL + "/sso/callback/"), url
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client, provider, email, sub=None):
    """The whole flow as a browser runs it; returns the product's answer to the callback."""
    response = start(client, email)
    back = provider.authorize(provider_url(response), sub or email)
    return client.get(local_path(back))


def query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
