"""Bearer-token authentication: every failure is the same 401 SCIM error."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from scim_hosts.access.bearer import UNAUTHORIZED_DETAIL
from scim_hosts.access.tokens import (
    account_key_of,
    end_grace,
    grace_token,
    purge_retired_tokens,
    revoke_token,
    rotate_token,
    set_enabled,
)
from scim_hosts.models import ProvisioningEvent, RetiredScimToken, ScimToken
from tests.factories import ScimTokenFactory
from tests.scim.support import ERROR, SCIM_JSON, TOKEN, ScimClient

EXPECTED_401 = {
    "schemas": [ERROR],
    "status": "401",
    "detail": UNAUTHORIZED_DETAIL,
}


def assert_401(resp):
    assert resp.status_code == 401
    assert resp["Content-Type"] == SCIM_JSON
    assert resp["WWW-Authenticate"].startswith("Bearer")
    assert json.loads(resp.content) == EXPECTED_401


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Bearer {TOKEN} extra",
        f"Basic {TOKEN}",
        "Basic dXNlcjpwYXNz",
        f"Token {TOKEN}",
        TOKEN,
        "Bearer vmscim_unknown-token-000000000000000000000000000000000000",
        "Bearer not-our-prefix-0000000000000000000000000000000000000000",
        "Bearer vmscim_" + "x" * 500,
        f"Bearer {TOKEN[:-1]}",
    ],
    ids=lambda h: repr(h)[:40],
)
def test_bad_credentials_get_one_identical_401(client, token, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    assert_401(client.get("/scim/v2/Users", **extra))


def test_scheme_is_case_insensitive(client, token):
    resp = client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"bearer {TOKEN}")
    assert resp.status_code == 200


def test_rotated_token_is_401_at_once(api, account):
    assert api.get("/Users").status_code == 200
    _, new = rotate_token(account=account)
    assert_401(api.get("/Users"))
    assert api.get("/Users", token=new).status_code == 200


def test_disabled_integration_is_401_and_reenabling_restores(api, account):
    set_enabled(account=account, enabled=False)
    assert_401(api.get("/Users"))
    assert_401(api.post("/Users", {"userName": "x@acme.test"}))
    set_enabled(account=account, enabled=True)
    assert api.get("/Users").status_code == 200


def test_session_cookie_never_authenticates(admin_client, token):
    assert_401(admin_client.get("/scim/v2/Users"))
    assert_401(admin_client.post("/scim/v2/Users", {"userName": "x"}, content_type=SCIM_JSON))


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/Users"),
        ("POST", "/Users"),
        ("GET", "/Users/00000000-0000-0000-0000-000000000000"),
        ("PATCH", "/Users/00000000-0000-0000-0000-000000000000"),
        ("PUT", "/Users/00000000-0000-0000-0000-000000000000"),
        ("DELETE", "/Users/00000000-0000-0000-0000-000000000000"),
        ("GET", "/Groups"),
        ("POST", "/Groups/.search"),
        ("POST", "/Users/.search"),
        ("GET", "/ServiceProviderConfig"),
        ("GET", "/Schemas"),
        ("GET", "/ResourceTypes"),
        ("GET", "/Bulk"),
        ("GET", "/no/such/endpoint"),
        ("GET", "/"),
    ],
)
def test_every_endpoint_requires_the_token(api, method, path):
    assert_401(api.request(method, path, {"userName": "x"}, token=None))


def test_unauthenticated_request_writes_nothing(api, account):
    api.post("/Users", {"userName": "x@acme.test"}, token="vmscim_wrong")
    assert not account.hosts.exists()
    assert not account.provisioning_events.exists()


def test_token_decides_the_account(client, account, other_account):
    ScimTokenFactory(account=other_account, raw_token="vmscim_other-0123456789abcdefghijkl")
    ScimTokenFactory(account=account, raw_token=TOKEN)
    ScimClient(client, "vmscim_other-0123456789abcdefghijkl").create_user("bob@globex.test")
    assert other_account.hosts.count() == 1
    assert account.hosts.count() == 0


def test_last_used_is_written_at_most_once_a_minute(api, token, django_assert_num_queries):
    assert token.last_used_at is None
    api.get("/Users")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/Users")
    token.refresh_from_db()
    assert token.last_used_at == first
    ScimToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get("/Users")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()


def test_the_auth_hook_also_guards_django_scim2s_own_views(rf, token):
    """settings: AUTH_CHECK_MIDDLEWARE = ScimBearerTokenAuth wraps the library's dispatch."""
    from django_scim.views import ServiceProviderConfigView

    view = ServiceProviderConfigView.as_view()
    assert_401(view(rf.get("/scim/v2/ServiceProviderConfig")))
    request = rf.get("/scim/v2/ServiceProviderConfig", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    response = view(request)
    assert response.status_code == 200
    assert request.scim_account == token.account


# ------------------------------------------------------------------ the token lookup's state


def test_ending_or_revoking_one_accounts_grace_leaves_the_others(
    api, other_api, account, other_account, admin_user
):
    """Tenant isolation of the token services: ending a grace period or disconnecting one
    account never touches another account's previous token."""
    _, new = rotate_token(account=account, grace=timedelta(hours=1))
    _, other_new = rotate_token(account=other_account, grace=timedelta(hours=1))
    assert api.get("/Users").status_code == 200  # both previous tokens still work
    assert other_api.get("/Users").status_code == 200

    assert end_grace(account=account, actor=admin_user) == 1
    assert_401(api.get("/Users"))
    assert other_api.get("/Users").status_code == 200
    event = ProvisioningEvent.objects.get(account=account, action="grace-ended")
    assert (event.actor, event.reason) == (
        admin_user,
        f"Previous token ending …{TOKEN[-4:]} stopped early",
    )
    assert end_grace(account=account) == 0  # nothing left to end

    revoke_token(account=account, now=timezone.now())
    assert_401(api.get("/Users", token=new))
    assert other_api.get("/Users").status_code == 200
    assert other_api.get("/Users", token=other_new).status_code == 200


def test_the_grace_token_shown_is_the_accounts_own(account, other_account, token, other_token):
    """Tenant isolation: another account's rotation in its grace period is not this one's."""
    rotate_token(account=other_account, grace=timedelta(hours=1))
    assert grace_token(account) is None
    assert grace_token(other_account).hint == other_token.hint
    rotate_token(account=account, grace=timedelta(hours=1))
    assert grace_token(account).hint == token.hint


def test_revoking_stops_a_grace_token_at_once(api, account):
    long_ago = timezone.now() - timedelta(days=10)
    old = RetiredScimToken.objects.create(
        account=account, token_hash="c" * 64, hint="cccc", retired_at=long_ago, works_until=long_ago
    )
    rotate_token(account=account, grace=timedelta(hours=24))
    assert api.get("/Users").status_code == 200
    now = timezone.now()
    revoke_token(account=account, now=now)
    old.refresh_from_db()
    assert old.works_until == long_ago  # an ended token keeps its end (the 30 days run on)
    assert_401(api.get("/Users"))
    assert not RetiredScimToken.objects.filter(account=account, works_until__gt=now).exists()


def test_retired_tokens_are_forgotten_after_thirty_days(account):
    now = timezone.now()
    for hint, days in (("aaaa", 29), ("bbbb", 31)):
        RetiredScimToken.objects.create(
            account=account,
            token_hash=hint * 16,
            hint=hint,
            retired_at=now,
            works_until=now - timedelta(days=days),
        )
    assert purge_retired_tokens(now=now) == 1
    assert list(RetiredScimToken.objects.values_list("hint", flat=True)) == ["aaaa"]


def test_reenabling_forgets_the_refusals_disabling_keeps_them(account, token):
    failed_at = timezone.now() - timedelta(minutes=5)
    ScimToken.objects.filter(pk=token.pk).update(last_failure_at=failed_at)
    set_enabled(account=account, enabled=False)
    assert ScimToken.objects.get(pk=token.pk).last_failure_at == failed_at
    set_enabled(account=account, enabled=True)
    token = ScimToken.objects.get(pk=token.pk)
    assert (token.enabled, token.last_failure_at) == (True, None)


@pytest.mark.parametrize(
    "raw,key",
    [
        ("vmscim_0123456789abcdef_secret", "0123456789abcdef"),
        ("vmscim_0123456789ABCDEF_secret", ""),
        ("vmscim_0123456789abcde_secret", ""),
        ("vmscim_0123456789abcdef_", ""),
        ("vmscim_old-style-token-without-a-key", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_account_key_of(raw, key):
    assert account_key_of(raw) == key


REFUSAL_QUERIES = 5  # on both databases


@pytest.mark.parametrize("kind", ["replaced", "wrong-secret"])
def test_a_refused_token_costs_a_fixed_number_of_queries(
    client, account, django_assert_num_queries, kind
):
    """The failure path reads the row it finds with its account in one statement (never a
    query per relation), then logs the refusal for that account."""
    _, first = rotate_token(account=account)
    _, second = rotate_token(account=account)
    raw = first if kind == "replaced" else second.rsplit("_", 1)[0] + "_" + "x" * 43
    with django_assert_num_queries(REFUSAL_QUERIES):
        assert_401(client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}"))
