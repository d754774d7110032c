"""The exact words an admin reads after switching provisioning on or off."""

from django.contrib.messages import get_messages

from scim_hosts.models import ScimToken
from tests.preferences.helpers import ENABLED_URL


def test_enabling_before_a_token_exists_says_exactly_what_to_do(admin_client):
    response = admin_client.post(ENABLED_URL, {"enabled": "true"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Generate a token before enabling provisioning."
    ]
    assert not ScimToken.objects.exists()
