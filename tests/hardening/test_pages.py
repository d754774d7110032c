"""Pages and the JSON API with malformed input: every URL of the app, as an admin, with
absurd query parameters (negative, huge, NUL, broken UTF-8, very long) and form values
(NUL, very long) answers without a 5xx, on SQLite and PostgreSQL alike."""

from django.test import Client
from django.urls import get_resolver

from tests.factories import HostFactory, HostGroupFactory, VisitFactory
from tests.hardening.test_security import _urls, concrete

QUERIES = [
    "?page=-1&q=%00",
    "?page=99999999999999999999&q=" + "x" * 5000,
    "?page=1.5&q=%ED%A0%80&status=%00&type=zzz&resource_type=%00&outcome=%00",
    "?date=9999-99-99&since=x&from=%00&to=-1&format=%00&sort=%00&order=-",
]
FORM = {
    "q": "\x00",
    "name": "n\x00",
    "first_name": "x" * 10_000,
    "last_name": "\x00",
    "email": "\x00@x.y",
    "visitor_name": "v\x00",
    "enabled": "\x00",
    "page": "-1",
}


def test_no_url_answers_malformed_input_with_a_5xx(account, admin_user):
    host = HostFactory(account=account)
    HostGroupFactory(account=account)
    VisitFactory(account=account, host=host)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    urls = sorted({concrete(r) for r in _urls(get_resolver())})
    assert len(urls) > 50
    failures = []
    for url in urls:
        if url.startswith("/scim/v2/"):
            continue  # SCIM has its own property tests
        for query in QUERIES:
            status = client.get(url + query).status_code
            if status >= 500:
                failures.append(("GET", url + query[:40], status))
        status = client.post(url, FORM).status_code
        if status >= 500:
            failures.append(("POST", url, status))
    assert not failures, failures
