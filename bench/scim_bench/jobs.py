"""The SCIM requests the phases send, each a job the load client runs and checks."""

import json
import uuid
from urllib.parse import quote

from .config import ENTERPRISE_URN, GROUP_URN, PATCH_URN, USER_URN


def user_body(user_name):
    local = user_name.split("@")[0]
    return {
        "schemas": [USER_URN, ENTERPRISE_URN],
        "externalId": str(uuid.uuid4()),
        "userName": user_name,
        "active": True,
        "displayName": local,
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"givenName": "Bench", "familyName": local},
        "title": "Engineer",
        ENTERPRISE_URN: {"department": "Bench", "employeeNumber": local[-6:]},
    }


def filter_path(resource, expression, extra=""):
    q = quote(expression, safe="").replace("%20", "+")  # Entra's encoding
    return f"/scim/v2/{resource}?{extra}filter={q}"


def healthz_job(client):
    raw = client.encode("GET", "/healthz", auth=False)

    def job(c):
        status, _ = c.send(raw)
        return status, status == 200

    return job


def post_user_job(client, user_name, ids):
    raw = client.encode("POST", "/scim/v2/Users", user_body(user_name))

    def job(c):
        status, payload = c.send(raw)
        ok = status == 201
        if ok:
            ids[user_name] = json.loads(payload)["id"]
        return status, ok

    return job


def filter_user_job(client, user_name, expect_total):
    raw = client.encode("GET", filter_path("Users", f'userName eq "{user_name}"'))

    def job(c):
        status, payload = c.send(raw)
        return status, status == 200 and json.loads(payload)["totalResults"] == expect_total

    return job


def add_members_job(client, group_id, user_ids):
    body = {
        "schemas": [PATCH_URN],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": u} for u in user_ids]}],
    }
    raw = client.encode("PATCH", f"/scim/v2/Groups/{group_id}", body)

    def job(c):
        status, _ = c.send(raw)
        return status, status == 204

    return job


def sync_user_job(client, user_name, ids):
    """Entra's initial cycle for one user: query by the matching attribute, then create."""
    query, post = filter_user_job(client, user_name, 0), post_user_job(client, user_name, ids)

    def job(c):
        s1, ok1 = query(c)
        s2, ok2 = post(c)
        return (s2 if ok1 else s1), ok1 and ok2

    return job


def sync_group_job(client, name, ids):
    query = client.encode(
        "GET",
        filter_path("Groups", f'displayName eq "{name}"', "excludedAttributes=members&"),
    )
    post = client.encode("POST", "/scim/v2/Groups", {"schemas": [GROUP_URN], "displayName": name})

    def job(c):
        s1, payload = c.send(query)
        ok1 = s1 == 200 and json.loads(payload)["totalResults"] == 0
        s2, payload = c.send(post)
        ok2 = s2 == 201
        if ok2:
            ids[name] = json.loads(payload)["id"]
        return (s2 if ok1 else s1), ok1 and ok2

    return job


def create_group(client, name):
    status, payload = client.request(
        "POST", "/scim/v2/Groups", {"schemas": [GROUP_URN], "displayName": name}
    )
    if status != 201:
        raise SystemExit(f"could not create a group: {status} {payload[:300]!r}")
    return json.loads(payload)["id"]
