"""Limits: the per-account rate limit (429 + Retry-After), the body size (413), the media
type (415), and oversize values and lists (400 invalidValue naming the attribute).

The rate limit runs against the local-memory cache (the default) and against Redis
(``CACHE_URL`` in production; Redis runs at 127.0.0.1:6379 here and in CI).
"""

import json
import os
import subprocess
import sys
import threading
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches

import config.settings as project_settings
from scim_hosts import ratelimit
from scim_hosts.models import ProvisioningEvent
from tests.factories import HostFactory
from tests.hardening.helpers import app_env
from tests.scim.support import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    PATCH_OP,
    assert_scim_error,
    filter_qs,
)
from visitor_mgmt.models import Host, HostGroup, HostGroupMembership

REDIS_URL = "redis://127.0.0.1:6379/15"
START = 1_000_000.25  # a pinned clock: 0.75 s before the end of a 1-second window


def redis_available():
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def use_redis(settings, location=REDIS_URL):
    # A key prefix of its own: other test runs may share this Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"hardening-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture(params=["locmem", "redis"])
def rate_cache(request, settings):
    """The cache the limiter counts in: Django's local memory, or Redis."""
    if request.param == "redis":
        if not redis_available():
            if os.environ.get("CI"):
                pytest.fail("Redis is not reachable at 127.0.0.1:6379")
            pytest.skip("needs Redis at 127.0.0.1:6379")
        use_redis(settings)
    return caches["default"]


@pytest.fixture
def clock(monkeypatch):
    """Pins the limiter's clock so that a test's requests land in one known window."""
    now = {"t": START}
    monkeypatch.setattr(ratelimit, "clock", lambda: now["t"])
    return now


def statuses(api, n, path="/Users?count=1"):
    return [api.get(path).status_code for _ in range(n)]


# ------------------------------------------------------------------ rate limit


def test_default_limit_and_burst_are_documented_values():
    # The defaults that ship (read from the settings module, not the test overrides).
    assert project_settings.SCIM_RATE_LIMIT == ratelimit.DEFAULT_RATE == 200
    assert project_settings.SCIM_RATE_BURST == ratelimit.DEFAULT_BURST == 100


def test_over_the_budget_is_a_scim_429_with_retry_after(api, account, settings, rate_cache, clock):
    settings.SCIM_RATE_LIMIT, settings.SCIM_RATE_BURST = 5, 0
    assert statuses(api, 5) == [200] * 5
    resp = api.get("/Users")
    body = assert_scim_error(resp, 429)
    assert "5 SCIM requests per second" in body["detail"]
    assert resp["Retry-After"] == "1"  # 0.75 s left in the window, rounded up
    assert statuses(api, 3) == [429] * 3
    # Refused requests are refused for every method, before anything is read or written.
    assert api.post("/Users", {"userName": "late@acme.test"}).status_code == 429
    assert not Host.objects.filter(username="late@acme.test").exists()
    # One provisioning-log row per window, not one per refused request.
    rows = ProvisioningEvent.objects.filter(account=account, status=429)
    assert [(r.action, r.outcome) for r in rows] == [("rate-limited", "failure")]
    clock["t"] += 1  # the next window
    assert statuses(api, 5) == [200] * 5


def test_a_low_rate_still_admits_the_burst(api, settings, rate_cache, clock):
    # 20/s with a burst of 100: a 5-second window of 100 requests.
    settings.SCIM_RATE_LIMIT, settings.SCIM_RATE_BURST = 20, 100
    assert statuses(api, 100) == [200] * 100
    resp = api.get("/Users")
    body = assert_scim_error(resp, 429)
    assert "100 SCIM requests per 5 seconds" in body["detail"]
    assert resp["Retry-After"] == "5"  # ceil(4.75)


def test_the_limit_is_per_account(api, other_api, settings, rate_cache, clock):
    settings.SCIM_RATE_LIMIT, settings.SCIM_RATE_BURST = 3, 0
    assert statuses(api, 4) == [200, 200, 200, 429]
    assert statuses(other_api, 3) == [200] * 3


def test_failed_authentication_is_401_not_counted(api, settings, rate_cache, clock):
    settings.SCIM_RATE_LIMIT, settings.SCIM_RATE_BURST = 2, 0
    for _ in range(5):
        assert api.get("/Users", token="vmscim_wrong").status_code == 401
    assert statuses(api, 3) == [200, 200, 429]


def test_zero_turns_the_limit_off(api, account, settings, clock):
    settings.SCIM_RATE_LIMIT = 0
    assert statuses(api, 50) == [200] * 50
    assert all(ratelimit.hit(account.pk).allowed for _ in range(5000))


def hit_in_parallel(account_id, n):
    barrier = threading.Barrier(n)
    decisions = [None] * n

    def worker(i):
        barrier.wait()
        decisions[i] = ratelimit.hit(account_id)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return decisions


def test_default_admits_a_burst_of_100_parallel_requests(settings, rate_cache):
    settings.SCIM_RATE_LIMIT = project_settings.SCIM_RATE_LIMIT
    settings.SCIM_RATE_BURST = project_settings.SCIM_RATE_BURST
    decisions = hit_in_parallel(f"burst-{uuid.uuid4().hex}", 100)
    assert all(d.allowed for d in decisions)


def test_parallel_requests_are_counted_exactly_once_each(settings, rate_cache, clock):
    settings.SCIM_RATE_LIMIT, settings.SCIM_RATE_BURST = 50, 0
    decisions = hit_in_parallel(f"atomic-{uuid.uuid4().hex}", 120)
    assert sum(d.allowed for d in decisions) == 50
    assert sorted(d.count for d in decisions) == list(range(1, 121))
    assert sum(d.first_refusal for d in decisions) == 1


def test_sustained_entra_pace_is_never_refused(account, settings, rate_cache, clock):
    # 50 requests per second (twice Entra's documented pace) for 30 seconds, plus a burst of
    # 100 in one of those seconds, with the shipped defaults.
    settings.SCIM_RATE_LIMIT = project_settings.SCIM_RATE_LIMIT
    settings.SCIM_RATE_BURST = project_settings.SCIM_RATE_BURST
    refused = 0
    for second in range(30):
        for i in range(150 if second == 7 else 50):
            clock["t"] = START + second + i / 200
            refused += not ratelimit.hit(f"pace-{account.pk}").allowed
    assert refused == 0


def test_a_broken_cache_lets_requests_through(api, settings, caplog):
    settings.SCIM_RATE_LIMIT = 1
    use_redis(settings, "redis://127.0.0.1:1/0")  # nothing listens there
    assert statuses(api, 3) == [200] * 3
    assert "the cache is unavailable" in caplog.text


def test_cache_url_selects_redis():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=app_env(CACHE_URL="redis://127.0.0.1:6379/3", SECRET_KEY="k" * 60),
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    ).stdout.split()
    assert out == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/3"]


# ------------------------------------------------------------------ body size and media type


def test_default_body_limit_is_one_megabyte(api, account):
    assert django_settings.SCIM_MAX_BODY_BYTES == 1024 * 1024
    filler = "x" * (1024 * 1024)
    resp = api.post("/Users", {"userName": "big@acme.test", "x": filler})
    body = assert_scim_error(resp, 413)
    assert "1048576 bytes" in body["detail"]
    user = api.create_user("small@acme.test")
    resp = api.request(
        "PATCH",
        f"/Users/{user['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "x", "value": filler}]},
    )
    assert_scim_error(resp, 413)
    assert not Host.objects.filter(username="big@acme.test").exists()


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "text/html; charset=utf-8",
    ],
)
def test_a_body_that_is_not_json_by_its_media_type_is_415(api, content_type):
    user = api.create_user("typed@acme.test")
    group = api.create_group("Typed")
    body = {"schemas": [CORE_USER], "userName": "wrong-type@acme.test"}
    for method, path in [
        ("POST", "/Users"),
        ("PUT", f"/Users/{user['id']}"),
        ("PATCH", f"/Users/{user['id']}"),
        ("PATCH", f"/Groups/{group['id']}"),
        ("POST", "/Users/.search"),
    ]:
        resp = api.request(method, path, body, content_type=content_type)
        assert_scim_error(resp, 415)
    assert api.user(user["id"])["userName"] == "typed@acme.test"
    assert not Host.objects.filter(username="wrong-type@acme.test").exists()


@pytest.mark.parametrize("content_type", ["application/scim+json", "application/json", ""])
def test_json_media_types_and_none_are_accepted(api, content_type):
    resp = api.post("/Users", {"userName": "ok@acme.test"}, content_type=content_type)
    assert resp.status_code == 201, resp.content


LONG_OVERFLOW = "9" * 45 + "e999"  # the detail quotes its first 40 characters


@pytest.mark.parametrize(
    "literal,reason",
    [
        ("NaN", "NaN is not a JSON value"),
        ("Infinity", "Infinity is not a JSON value"),
        ("-Infinity", "-Infinity is not a JSON value"),
        ("1e999", "the number 1e999 is too large"),
        ("-1e999", "the number -1e999 is too large"),
        (LONG_OVERFLOW, f"the number {LONG_OVERFLOW[:40]} is too large"),
    ],
    ids=["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "long"],
)
def test_numbers_json_does_not_have_are_400(api, literal, reason):
    """RFC 8259 §6 has no NaN or Infinity; a number no float holds is refused too, and the
    detail says which (RFC 7644 §3.12)."""
    raw = f'{{"userName": "num@acme.test", "x": {literal}}}'.encode()
    body = assert_scim_error(api.post("/Users", raw), 400, "invalidSyntax")
    assert body["detail"] == f"The request body is not valid JSON: {reason}."
    assert not Host.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"userName": "s\\ud800@acme.test"}',
        b'{"userName": "s@acme.test", "title": "\\udfff"}',
        b'{"userName": "s@acme.test", "x\\ud83d": 1}',
        b'{"userName": "s@acme.test", "emails": [{"value": "a@b.c", "type": "\\ud800"}]}',
    ],
)
def test_unpaired_surrogates_are_400_on_every_database(api, raw):
    assert_scim_error(api.post("/Users", raw), 400, "invalidValue")
    assert not Host.objects.exists()


def test_unpaired_surrogate_escapes_in_filters_and_paths_are_400(api):
    # Found by the filter property on PostgreSQL: psycopg cannot encode "\ud800" (500).
    resp = api.get("/Users?" + filter_qs('userName eq "\\ud800"'))
    assert "surrogate" in assert_scim_error(resp, 400, "invalidFilter")["detail"]
    resp = api.post("/Users/.search", {"filter": 'userName eq "\\udfff"'})
    assert_scim_error(resp, 400, "invalidFilter")
    user = api.create_user("path@acme.test")
    op = {"op": "add", "path": 'emails[type eq "\\ud800"].value', "value": "a@b.c"}
    assert_scim_error(api.patch_ops(f"/Users/{user['id']}", op), 400, "invalidPath")
    assert api.user(user["id"]).get("emails") is None


def test_numbers_come_back_from_get_as_the_write_answered(api):
    # PostgreSQL's jsonb keeps 7.205759403790831e+16 as 72057594037908310: a float from
    # 1e16 up is stored as that integer on every database, so POST/PATCH == GET.
    raw = b'{"userName": "n@acme.test", "a": 7.205759403790831e+16, "b": 1.5e300, "c": 1e-05,'
    raw += b' "d": 72057594037908310.0, "e": 0.1, "f": -2.5e16, "g": 123456789012345678901234567,'
    raw += b' "i": 1e16, "j": 9999999999999998.0}'  # the boundary, and the float just below it
    resp = api.post("/Users", raw)
    assert resp.status_code == 201
    created = resp.json()
    assert created["a"] == 72057594037908310 and created["f"] == -25000000000000000
    assert created["i"] == 10**16 and isinstance(created["i"], int)
    assert created["j"] == 9999999999999998.0 and isinstance(created["j"], float)
    assert created["b"] == 15 * 10**299 and created["c"] == 1e-05 and created["e"] == 0.1
    assert api.user(created["id"]) == created
    op = {"op": "add", "path": "h", "value": 1}
    body = json.dumps({"schemas": [PATCH_OP], "Operations": [op]}).replace("1}", "9.9e+20}")
    resp = api.request("PATCH", f"/Users/{created['id']}", body.encode())
    assert resp.status_code == 200 and resp.json()["h"] == 990000000000000000000
    assert api.user(created["id"]) == resp.json()


def test_paired_surrogates_are_ordinary_text(api):
    resp = api.post("/Users", b'{"userName": "smile\\ud83d\\ude00@acme.test"}')
    assert resp.status_code == 201
    assert resp.json()["userName"] == "smile\U0001f600@acme.test"


# ------------------------------------------------------------------ long strings, long lists

LONG = "x" * 10_000

COLUMN_PATHS = [
    ("userName", "userName"),
    ("externalId", "externalId"),
    ("displayName", "displayName"),
    ("name.givenName", "name.givenName"),
    ("name.familyName", "name.familyName"),
    ("title", "title"),
    ('emails[type eq "work"].value', "emails"),
    ('emails[type eq "other"].value', "emails"),
    ('phoneNumbers[type eq "mobile"].value', "phoneNumbers"),
    ('phoneNumbers[type eq "work"].value', "phoneNumbers"),
    (f"{ENTERPRISE}:department", "department"),
    (f"{ENTERPRISE}:organization", "organization"),
]


@pytest.mark.parametrize("path,named", COLUMN_PATHS)
def test_a_value_too_long_for_its_column_is_400_naming_it(api, path, named):
    user = api.create_user("long@acme.test")
    before = api.user(user["id"])
    resp = api.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": path, "value": LONG})
    body = assert_scim_error(resp, 400, "invalidValue")
    assert named in body["detail"]
    assert api.user(user["id"]) == before


@pytest.mark.parametrize("attr", ["displayName", "externalId"])
def test_a_group_value_too_long_is_400_naming_it(api, attr):
    body = {"schemas": [CORE_GROUP], "displayName": "G", attr: LONG}
    detail = assert_scim_error(api.post("/Groups", body), 400, "invalidValue")["detail"]
    assert attr in detail
    assert not HostGroup.objects.exists()


@pytest.mark.parametrize("attr", ["emails", "phoneNumbers", "addresses", "roles", "entitlements"])
def test_more_than_100_values_of_an_attribute_is_400_naming_it(api, attr):
    values = [{"type": f"t{i}", "value": f"v{i}@acme.test"} for i in range(101)]
    resp = api.post("/Users", {"userName": "many@acme.test", attr: values})
    assert (
        f'"{attr}" has more than 100 values'
        in assert_scim_error(resp, 400, "invalidValue")["detail"]
    )
    assert api.post("/Users", {"userName": "many@acme.test", attr: values[:100]}).status_code == 201
    user_id = Host.objects.get().public_id
    resp = api.patch_ops(f"/Users/{user_id}", {"op": "add", "path": attr, "value": [values[100]]})
    assert_scim_error(resp, 400, "invalidValue")
    assert len(api.user(user_id)[attr]) == 100


def test_an_emails_list_of_1000_is_400(api):
    emails = [{"type": "work", "value": f"a{i}@acme.test"} for i in range(1000)]
    resp = api.post("/Users", {"userName": "e@acme.test", "emails": emails})
    assert '"emails"' in assert_scim_error(resp, 400, "invalidValue")["detail"]


def test_members_limit_is_1000_distinct_ids_per_request(api, account):
    hosts = HostFactory.create_batch(1001, account=account, source="directory")
    ids = [str(h.public_id) for h in hosts]
    group = api.create_group("Big")
    op = {"op": "add", "path": "members", "value": [{"value": i} for i in ids]}
    resp = api.patch_ops(f"/Groups/{group['id']}", op)
    assert '"members"' in assert_scim_error(resp, 400, "invalidValue")["detail"]
    assert not HostGroupMembership.objects.exists()
    # The same id 5,000 times is one id; 1,000 distinct ids are fine.
    op["value"] = [{"value": ids[0]}] * 5000
    assert api.patch_ops(f"/Groups/{group['id']}", op).status_code == 204
    op["value"] = [{"value": i} for i in ids[:1000]]
    assert api.patch_ops(f"/Groups/{group['id']}", op).status_code == 204
    assert HostGroupMembership.objects.count() == 1000
    # Over several operations of one request, and in POST/PUT bodies, too.
    ops = [{"op": "remove", "path": "members", "value": [{"value": i}]} for i in ids]
    resp = api.request(
        "PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": ops}
    )
    assert_scim_error(resp, 400, "invalidValue")
    body = {"schemas": [CORE_GROUP], "displayName": "Big2", "members": [{"value": i} for i in ids]}
    assert_scim_error(api.post("/Groups", body), 400, "invalidValue")
    resp = api.put(f"/Groups/{group['id']}", {**body, "displayName": "Big"})
    assert_scim_error(resp, 400, "invalidValue")
    assert HostGroupMembership.objects.count() == 1000


def test_a_resource_over_64_kib_is_400_naming_the_largest_attribute(api):
    resp = api.post("/Users", {"userName": "fat@acme.test", "blob": "b" * 70_000})
    detail = assert_scim_error(resp, 400, "invalidValue")["detail"]
    assert '"blob"' in detail and "65536 bytes" in detail
    user = api.create_user("grow@acme.test")
    for i in range(3):  # 3 × 20 KB fits
        op = {"op": "add", "path": f"chunk{i}", "value": "c" * 20_000}
        assert api.patch_ops(f"/Users/{user['id']}", op).status_code == 200
    before = api.user(user["id"])
    op = {"op": "add", "path": "chunk3", "value": "c" * 20_000}
    assert_scim_error(api.patch_ops(f"/Users/{user['id']}", op), 400, "invalidValue")
    assert api.user(user["id"]) == before


def test_resource_size_limit_is_a_setting(api, settings):
    settings.SCIM_MAX_RESOURCE_BYTES = 200
    resp = api.post("/Users", {"userName": "u@acme.test", "x": "y" * 200})
    assert_scim_error(resp, 400, "invalidValue")
    assert api.post("/Users", {"userName": "u@acme.test", "x": "y" * 10}).status_code == 201


# ------------------------------------------------------------------ filter limits


def chain(term, n, joiner):
    return f" {joiner} ".join([term] * (n + 1))  # n operators


@pytest.mark.parametrize("joiner", ["and", "or"])
def test_filters_with_up_to_100_logical_operators_work(api, joiner):
    api.create_user("f@acme.test")
    resp = api.get("/Users?" + filter_qs(chain('userName eq "f@acme.test"', 100, joiner)))
    assert resp.status_code == 200
    assert resp.json()["totalResults"] == 1
    resp = api.get("/Users?" + filter_qs(chain('userName eq "f@acme.test"', 101, joiner)))
    assert "more than 100" in assert_scim_error(resp, 400, "invalidFilter")["detail"]


def test_filters_nested_up_to_20_levels_work(api):
    user = api.create_user("n@acme.test")
    inner = f'userName eq "{user["userName"]}"'
    resp = api.get("/Users?" + filter_qs("not (" * 10 + "not (" * 10 + inner + ")" * 20))
    assert resp.status_code == 200 and resp.json()["totalResults"] == 1
    resp = api.get("/Users?" + filter_qs("(" * 21 + inner + ")" * 21))
    assert "nested too deeply" in assert_scim_error(resp, 400, "invalidFilter")["detail"]
    resp = api.get("/Users?" + filter_qs("not (" * 300 + inner + ")" * 300))
    assert_scim_error(resp, 400, "invalidFilter")


def test_a_search_body_with_a_bad_filter_type_is_400(api):
    for bad in (["x"], {"a": 1}, 5, True):
        resp = api.post("/Users/.search", {"filter": bad})
        assert_scim_error(resp, 400, "invalidValue")
    resp = api.post("/Users/.search", json.dumps({"filter": "userName eq 1"}).encode())
    assert resp.status_code == 200
