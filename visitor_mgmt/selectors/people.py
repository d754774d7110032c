"""Reads of an account's people: every query is scoped to one account."""

from visitor_mgmt.models import Membership, PeopleEvent

RECENT_PEOPLE_EVENTS = 50


def people_list(*, account):
    """The account's members with their user and invitation, by e-mail."""
    return (
        Membership.objects.filter(account=account)
        .select_related("user", "invitation")
        .order_by("user__email", "user__username", "pk")
    )


def people_get(*, account, membership_id):
    """One member of ``account``; Membership.DoesNotExist for anyone else's."""
    return people_list(account=account).get(pk=membership_id)


def people_events(*, account, limit=RECENT_PEOPLE_EVENTS):
    """The latest changes to the account's people, newest first."""
    return PeopleEvent.objects.filter(account=account).order_by("-created_at", "-id")[:limit]


def person_status(membership):
    """ "Invited", "Deactivated" or "Active", as the People page shows it."""
    invitation = getattr(membership, "invitation", None)
    if not membership.user.is_active:
        return "Deactivated"
    if invitation is not None and invitation.is_pending:
        return "Invited"
    return "Active"
