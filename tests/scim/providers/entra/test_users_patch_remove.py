"""Clearing values: Entra sends Remove (default mode carries the old value, ref-code #87).

docs/identity-providers/entra.md §1.5, §6 (#87: Remove with a value on emails[type eq
"work"].value). A removed
attribute disappears from the GET and from the host; nothing else changes.
"""

import copy

from tests.scim.providers.entra.payloads import tut_user
from tests.scim.support import ENTERPRISE, assert_user, patch_body
from visitor_mgmt.models import Host


def remove_op(mode, path, old_value):
    op = {"op": mode.op("remove"), "path": path}
    if not mode.flag:
        op["value"] = old_value  # the default mode repeats the value being removed
    return op


def test_remove_simple_attribute(entra):
    user = tut_user("rm.title@contoso.com", title="Manager")
    user_id = entra.post_user(user)
    fetched = entra.patch_user(user_id, patch_body(remove_op(entra.mode, "title", "Manager")))
    assert_user(fetched, {k: v for k, v in user.items() if k != "title"}, user_id=user_id)
    assert Host.objects.get(public_id=user_id).title == ""


def test_remove_enterprise_attribute(entra):
    user = tut_user(
        "rm.dept@contoso.com", **{ENTERPRISE: {"department": "Retail", "employeeNumber": "9"}}
    )
    user_id = entra.post_user(user)
    op = remove_op(entra.mode, f"{ENTERPRISE}:department", "Retail")
    fetched = entra.patch_user(user_id, patch_body(op))
    expected = copy.deepcopy(user)
    del expected[ENTERPRISE]["department"]
    assert_user(fetched, expected, user_id=user_id)
    assert Host.objects.get(public_id=user_id).department == ""


def test_remove_work_email_value_with_value_ref_code_87(entra):
    user = tut_user("rm.mail@contoso.com")
    old = user["emails"][0]["value"]
    user_id = entra.post_user(user)
    op = remove_op(entra.mode, 'emails[type eq "work"].value', old)
    fetched = entra.patch_user(user_id, patch_body(op))
    # The work e-mail's value is gone: either the element went or it lost its value.
    remaining = [e for e in fetched.get("emails", []) if e.get("type") == "work"]
    assert all("value" not in e for e in remaining), fetched
    rest = {k: v for k, v in fetched.items() if k != "emails"}
    assert_user(rest, {k: v for k, v in user.items() if k != "emails"}, user_id=user_id)
    assert Host.objects.get(public_id=user_id).email == ""


def test_remove_whole_filtered_element(entra):
    user = tut_user(
        "rm.phone@contoso.com",
        phoneNumbers=[
            {"type": "mobile", "value": "+1 555 0100"},
            {"type": "work", "value": "+1 555 0101"},
        ],
    )
    user_id = entra.post_user(user)
    op = {"op": entra.mode.op("remove"), "path": 'phoneNumbers[type eq "mobile"]'}
    fetched = entra.patch_user(user_id, patch_body(op))
    expected = {**user, "phoneNumbers": [{"type": "work", "value": "+1 555 0101"}]}
    assert_user(fetched, expected, user_id=user_id)
    host = Host.objects.get(public_id=user_id)
    assert (host.mobile, host.alternate_mobile) == ("", "+1 555 0101")


def test_primary_email_feeds_host_email_when_no_work_email(entra):
    """docs/architecture.md §4 mapping: emails[type eq "work"] (or the primary) → e-mail."""
    user = tut_user(
        "primary.home@contoso.com",
        emails=[{"type": "home", "value": "h@contoso.com", "primary": True}],
    )
    user_id = entra.post_user(user)
    assert Host.objects.get(public_id=user_id).email == "h@contoso.com"
