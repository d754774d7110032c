"""SCIM requests skip the session, authentication and messages middleware; pages keep them."""

from django.conf import settings

from tests.scim.performance.conftest import statements


def test_scim_answers_set_no_cookie_and_do_not_vary_on_it(admin_client, api):
    # A logged-in browser session alongside: it must neither be read nor touched.
    resp = api.get("/Users")
    assert resp.status_code == 200
    assert "Cookie" not in resp.get("Vary", "")
    assert not resp.cookies
    resp = api.post("/Users", {"userName": "cookie@acme.test"})
    assert resp.status_code == 201
    assert "Cookie" not in resp.get("Vary", "") and not resp.cookies


def test_scim_request_reads_no_session(admin_client, api):
    sqls, resp = statements(lambda: api.get("/ServiceProviderConfig"))
    assert resp.status_code == 200
    assert not any("django_session" in s or "auth_user" in s for s in sqls)


def test_a_session_still_does_not_authenticate_scim(admin_client):
    resp = admin_client.get("/scim/v2/Users")
    assert resp.status_code == 401


def test_pages_keep_sessions_and_messages(admin_client):
    resp = admin_client.get("/hosts/")
    assert resp.status_code == 200
    assert resp.wsgi_request.user.is_authenticated
    assert hasattr(resp.wsgi_request, "_messages")
    assert "Cookie" in resp.get("Vary", "")


def test_django_checks_still_find_the_middleware():
    names = settings.MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" in names
    assert "visitor_mgmt.middleware.SessionMiddleware" in names
