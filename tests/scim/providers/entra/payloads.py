"""Request bodies worded as Microsoft Entra ID words them.

A ``Mode`` is one Entra tenant's wording: default mode (capitalised ops, ``"False"``
strings, value-list member removal) or the ``aadOptscim062020`` flag in its Tenant URL
(lower-case ops, booleans, path-less dotted-key replaces, ``members[value eq "x"]``
removal), as Microsoft documents for its SCIM provisioning service.
"""

from dataclasses import dataclass

from tests.scim.support import CORE_USER, ENTERPRISE


@dataclass(frozen=True)
class Mode:
    """How one Entra tenant words its PATCH requests (docs/identity-providers/entra.md §3)."""

    name: str

    @property
    def flag(self):
        return self.name == "flag"

    def op(self, name):
        return name.lower() if self.flag else name.capitalize()

    def boolean(self, value):
        if self.flag:
            return bool(value)
        return "True" if value else "False"

    def add_members(self, *ids):
        if self.flag:
            return {"op": "add", "path": "members", "value": [{"value": i} for i in ids]}
        return {"op": "Add", "path": "members", "value": [{"$ref": None, "value": i} for i in ids]}

    def remove_member(self, member_id):
        if self.flag:
            return {"op": "remove", "path": f'members[value eq "{member_id}"]'}
        return {"op": "Remove", "path": "members", "value": [{"value": member_id}]}

    def replace_many(self, attrs):
        """Replace several single-valued attributes: one op per path, or one path-less op."""
        if self.flag:
            return [{"op": "replace", "value": dict(attrs)}]
        return [{"op": "Replace", "path": k, "value": v} for k, v in attrs.items()]


DEFAULT = Mode("default")
FLAGGED = Mode("flag")


def tut_user(user_name="Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", **overrides):
    """TUT "Create User" sample body (docs/identity-providers/entra.md §1.3)."""
    body = {
        "schemas": [CORE_USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [
            {
                "primary": True,
                "type": "work",
                "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com",
            }
        ],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": "givenName familyName",
            "familyName": "familyName",
            "givenName": "givenName",
        },
        "roles": [],
    }
    body.update(overrides)
    return body


def minimal_user(user_name):
    return {"schemas": [CORE_USER], "userName": user_name}
