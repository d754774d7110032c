"""The SCIM attribute mappings reference page is rendered from scim_hosts.mapping."""

from html import escape

import pytest

from scim_hosts.mapping import GROUP_MAPPINGS, USER_MAPPINGS
from tests.preferences.helpers import MAPPINGS_URL

pytestmark = pytest.mark.django_db


def page(client):
    response = client.get(MAPPINGS_URL)
    assert response.status_code == 200
    return response.content.decode()


def table(html, key):
    start = html.index(f'aria-labelledby="mappings-{key}"')
    return html[start : html.index("</table>", start)]


def test_every_user_attribute_is_listed_with_its_source(admin_client):
    users = table(page(admin_client), "users")
    for mapping in USER_MAPPINGS:
        assert f"<code>{escape(mapping.scim_path)}</code>" in users
        assert f"<code>{escape(mapping.entra_source)}</code>" in users
        if mapping.field:
            assert f"<code>{mapping.field}</code>" in users
        if mapping.note:
            assert escape(mapping.note) in users
    assert users.count("accepted, not used") == sum(m.field is None for m in USER_MAPPINGS)
    assert users.count("<td>Required</td>") == sum(m.required for m in USER_MAPPINGS)


def test_every_group_attribute_is_listed(admin_client):
    groups = table(page(admin_client), "groups")
    for mapping in GROUP_MAPPINGS:
        assert f"<code>{escape(mapping.scim_path)}</code>" in groups
    assert "Host group field" in groups
    assert groups.count("<tr>") == len(GROUP_MAPPINGS) + 1  # + header row


def test_fields_are_named_for_people(admin_client):
    users = table(page(admin_client), "users")
    # The names the host form uses, next to the field names of the CSV template and API.
    assert 'Work phone <span class="muted">(<code>alternate_mobile</code>)' in users
    assert "Mobile (SMS)" in users
    assert "First name" in users
