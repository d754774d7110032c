"""What the "SCIM Host Provisioning" preferences read and do, as plain functions.

Views stay thin callers; token issuing itself lives in ``scim_hosts.tokens``.
"""

from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property

from scim_hosts.mapping import GROUP_MAPPINGS, USER_MAPPINGS
from scim_hosts.models import ProvisioningEvent, ScimToken
from scim_hosts.tokens import hash_token, rotate_token, tenant_url
from visitor_mgmt.models import Account, Host, HostGroup, Source
from visitor_mgmt.selectors import live_directory_host_count

RECENT_EVENTS = 10
LOG_PAGE_SIZE = 50
# The log page counts events only this far past the page asked for (see LookaheadPaginator).
LOG_COUNT_LOOKAHEAD = 10_000
# Resource types the provisioning log records (SCIM resources, and the integration itself);
# "other" is everything else (e.g. a request that failed before naming a resource).
KNOWN_RESOURCE_TYPES = {"User": "Users", "Group": "Groups", "Token": "Token and settings"}
OTHER_RESOURCE_TYPES = "other"
RESOURCE_TYPE_CHOICES = [*KNOWN_RESOURCE_TYPES.items(), (OTHER_RESOURCE_TYPES, "Other")]

# The raw token travels from the POST to the next page render through the session, once.
NEW_TOKEN_SESSION_KEY = "scim_prefs_new_token"
NEW_TOKEN_MAX_AGE_SECONDS = 600

ACTION_LABELS = {
    "token-generated": "Token generated",
    "token-rotated": "Token rotated",
    "enabled": "Provisioning enabled",
    "disabled": "Provisioning disabled",
}


class TokenAlreadyExists(Exception):
    """The account has a token; replacing it is a rotation, which needs confirmation."""


class NoToken(Exception):
    """The account has no token yet; there is nothing to rotate."""


def _lock_account(account):
    # Serialises token changes of one account, so two admins clicking "Generate token"
    # at once get one token and one clear message, not two tokens or an IntegrityError.
    list(Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True))


def token_generate(*, account, actor):
    """Issue the account's first token. Returns (ScimToken, raw token)."""
    with transaction.atomic():
        _lock_account(account)
        if ScimToken.objects.filter(account=account).exists():
            raise TokenAlreadyExists
        return rotate_token(account=account, actor=actor)


def token_rotate(*, account, actor):
    """Replace the account's token; the old one stops working on commit."""
    with transaction.atomic():
        _lock_account(account)
        if not ScimToken.objects.filter(account=account).exists():
            raise NoToken
        return rotate_token(account=account, actor=actor)


def stash_new_token(session, *, account, raw_token):
    session[NEW_TOKEN_SESSION_KEY] = {
        "account": account.pk,
        "token": raw_token,
        "at": timezone.now().timestamp(),
    }


def pop_new_token(session, *, account, token):
    """The raw token stashed by the last generate/rotate, once; None afterwards.

    It is shown only while it is still the account's current token (another admin may
    have rotated since) and only for a few minutes after it was issued.
    """
    data = session.pop(NEW_TOKEN_SESSION_KEY, None)
    if not isinstance(data, dict) or token is None or data.get("account") != account.pk:
        return None
    raw = data.get("token")
    age = timezone.now().timestamp() - float(data.get("at") or 0)
    if not isinstance(raw, str) or not 0 <= age <= NEW_TOKEN_MAX_AGE_SECONDS:
        return None
    if hash_token(raw) != token.token_hash:
        return None
    return raw


def account_token(account):
    return ScimToken.objects.select_related("created_by").filter(account=account).first()


def integration_status(token):
    if token is None:
        return {"key": "not-configured", "label": "Not configured", "badge": "warn"}
    if token.enabled:
        return {"key": "active", "label": "Active", "badge": "active"}
    return {"key": "disabled", "label": "Disabled", "badge": "disabled"}


def _label_events(events):
    for event in events:
        label = ACTION_LABELS.get(event.action) or event.action.replace("-", " ")
        event.action_label = label[:1].upper() + label[1:]
    return events


def events_for_account(account):
    return ProvisioningEvent.objects.filter(account=account).select_related("actor")


def recent_events(account, limit=RECENT_EVENTS):
    return _label_events(list(events_for_account(account)[:limit]))


def section_context(request, account):
    """Context of the Preferences section (a bounded number of queries)."""
    token = account_token(account)
    new_token = pop_new_token(request.session, account=account, token=token)
    return {
        "token": token,
        "status": integration_status(token),
        "new_token": new_token,
        "tenant_url": tenant_url(),
        # Kept by the host table's triggers (HostTally), not counted: a large tenant has
        # 100,000 of them.
        "directory_hosts": live_directory_host_count(account=account),
        "directory_groups": HostGroup.objects.filter(
            account=account, source=Source.DIRECTORY
        ).count(),
        "events": recent_events(account),
    }


class LookaheadPaginator(Paginator):
    """A Paginator that counts rows only up to LOG_COUNT_LOOKAHEAD past the requested page.

    The largest tenant of a SaaS keeps a million log rows for 90 days; an exact COUNT(*)
    over them costs tens of milliseconds on every page view, more than the page itself.
    Counting at most (page × size + lookahead) rows keeps page 1 as cheap for it as for a
    small account; ``capped`` says the true number is larger (the page says "more than"),
    and each older page counts further on, so every page stays reachable.
    """

    def __init__(self, object_list, per_page, *, page=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            number = max(1, int(page))
        except (TypeError, ValueError):
            number = 1
        self.count_limit = number * per_page + LOG_COUNT_LOOKAHEAD
        self.capped = False

    @cached_property
    def count(self):
        counted = self.object_list[: self.count_limit + 1].count()
        self.capped = counted > self.count_limit
        return min(counted, self.count_limit)


def log_page(*, account, outcome="", resource_type="", page=None):
    """One page (LOG_PAGE_SIZE rows, newest first) of the account's provisioning log."""
    events = events_for_account(account)
    if outcome:
        events = events.filter(outcome=outcome)
    if resource_type == OTHER_RESOURCE_TYPES:
        events = events.exclude(resource_type__in=list(KNOWN_RESOURCE_TYPES))
    elif resource_type:
        events = events.filter(resource_type=resource_type)
    page_obj = LookaheadPaginator(events, LOG_PAGE_SIZE, page=page).get_page(page)
    page_obj.object_list = _label_events(list(page_obj.object_list))
    return page_obj


def _mapping_rows(mappings, model):
    rows = []
    for mapping in mappings:
        field_label = None
        if mapping.field:
            field_label = str(model._meta.get_field(mapping.field).verbose_name)
        rows.append(
            {
                "scim_path": mapping.scim_path,
                "entra_source": mapping.entra_source,
                "field": mapping.field,
                "field_label": field_label,
                "required": mapping.required,
                "note": mapping.note,
            }
        )
    return rows


def mapping_tables():
    """The reference tables of the mappings page, straight from scim_hosts.mapping."""
    return [
        {
            "key": "users",
            "title": "Users \u2192 hosts",
            "intro": "Each provisioned user becomes a host. Users are matched on userName.",
            "field_heading": "Host field",
            "rows": _mapping_rows(USER_MAPPINGS, Host),
        },
        {
            "key": "groups",
            "title": "Groups \u2192 host groups",
            "intro": "Each provisioned group becomes a host group. Groups are matched on "
            "displayName.",
            "field_heading": "Host group field",
            "rows": _mapping_rows(GROUP_MAPPINGS, HostGroup),
        },
    ]
