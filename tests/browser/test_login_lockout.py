"""The login lockout page (django-axes) in a real browser: what it says, and WCAG (axe-core)."""

import pytest

from tests.browser_support import axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_login_lockout_page_is_accessible(new_page, settings):
    user = UserFactory(username="admin@acme.example")
    settings.AXES_FAILURE_LIMIT = 2
    page = new_page()
    for _ in range(2):
        page.goto("/accounts/login/")
        page.get_by_label("E-mail").fill(user.username)
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Too many failed logins").wait_for()
    assert axe_violations(page) == []
    assert page.problems == []
