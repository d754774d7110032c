"""Paths and helpers shared by the SCIM preferences tests."""

import re

PREFERENCES_URL = "/preferences/"
GENERATE_URL = "/preferences/scim/token/generate/"
ROTATE_URL = "/preferences/scim/token/rotate/"
ENABLED_URL = "/preferences/scim/enabled/"
LOG_URL = "/preferences/scim/log/"
MAPPINGS_URL = "/preferences/scim/mappings/"
# Entra's Test Connection query: a user that does not exist → 200 with an empty list.
SCIM_PROBE_URL = "/scim/v2/Users?filter=userName+eq+%22cf4d78e8-cc4f-4d5d-b8b9-183561c0104a%22"

TOKEN_RE = re.compile(r"vmscim_[A-Za-z0-9_\-]+")


def tokens_in(response):
    return TOKEN_RE.findall(response.content.decode())


def scim_get(client, raw_token, url=SCIM_PROBE_URL):
    """A SCIM request as Entra sends it; the session cookie of `client` must not matter."""
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw_token}")


def section_html(client):
    response = client.get(PREFERENCES_URL)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<section class="card pref-section" id="scim"')
    return html[start : html.index("</section>", start)]
