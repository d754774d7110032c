"""What the "SCIM Host Provisioning" preferences read and do, as plain functions.

Views stay thin callers; token issuing itself lives in ``scim_hosts.access.tokens``.
"""

import logging
from datetime import timedelta

from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property

from scim_hosts import health
from scim_hosts.access.tokens import (
    grace_token,
    hash_token,
    log_token_event,
    revoke_token,
    rotate_token,
    tenant_url,
)
from scim_hosts.filters import HostFilterQuery
from scim_hosts.mapping import GROUP_MAPPINGS, USER_MAPPINGS
from scim_hosts.models import ProviderChoice, ProvisioningEvent, ProvisioningIncident, ScimToken
from scim_hosts.providers import PROVIDERS, ProviderKey, account_provider, provider_by_key
from visitor_mgmt.models import HOST_FIELD_LABELS, Account, Host, HostGroup, Source
from visitor_mgmt.selectors.hosts import live_directory_host_count, unmanaged_host_counts
from visitor_mgmt.services.hosts import directory_release

logger = logging.getLogger(__name__)

RECENT_EVENTS = 10
LOG_PAGE_SIZE = 50
# The log page counts events only this far past the page asked for (see LookaheadPaginator).
LOG_COUNT_LOOKAHEAD = 10_000
# Resource types the provisioning log records (SCIM resources, and the integration itself);
# "other" is everything else (e.g. a request that failed before naming a resource).
KNOWN_RESOURCE_TYPES = {"User": "Users", "Group": "Groups", "Token": "Token and settings"}
OTHER_RESOURCE_TYPES = "other"
RESOURCE_TYPE_CHOICES = [*KNOWN_RESOURCE_TYPES.items(), (OTHER_RESOURCE_TYPES, "Other")]

# The raw token is shown in the response to the POST that issued it (see
# preferences.views._show_new_token), carried on the request under this attribute.
NEW_TOKEN_REQUEST_ATTR = "scim_new_token"
# Where earlier versions stashed it in the session; removed from sessions on sight.
LEGACY_NEW_TOKEN_SESSION_KEY = "scim_prefs_new_token"

ACTION_LABELS = {
    "token-generated": "Token generated",
    "token-rotated": "Token rotated",
    "grace-ended": "Previous token stopped",
    "enabled": "Provisioning enabled",
    "disabled": "Provisioning disabled",
    "disconnected": "Provisioning disconnected",
    "provider-chosen": "Identity provider chosen",
    "linked": "Linked existing record",
    "link-conflict": "Link conflict",
    "refused-disabled": "Refused: provisioning disabled",
    "refused-replaced": "Refused: replaced token",
    "refused-revoked": "Refused: revoked token",
    "refused-wrong-secret": "Refused: wrong token",
    "rate-limited": "Rate-limited",
}
# Link conflicts reported by the directory this recently are checked again on every view
# of the section, and shown while they still exist.
CONFLICT_MEMORY = timedelta(days=7)
MAX_CONFLICTS_SHOWN = 10


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


def token_rotate(*, account, actor, grace=timedelta(0)):
    """Replace the account's token; the old one stops working on commit, or after ``grace``."""
    with transaction.atomic():
        _lock_account(account)
        if not ScimToken.objects.filter(account=account).exists():
            raise NoToken
        return rotate_token(account=account, actor=actor, grace=grace)


def disconnect(*, account, actor):
    """Leave the directory: the token (and any grace token) is revoked, and every
    directory-managed host and group becomes manual and editable again. Returns
    (hosts, groups) released. A directory connected later links them again."""
    with transaction.atomic():
        _lock_account(account)
        now = timezone.now()
        retired = revoke_token(account=account, now=now)
        if retired is None:
            raise NoToken
        hosts, groups = directory_release(account=account)
        ProvisioningIncident.objects.filter(account=account).delete()
        log_token_event(
            account=account,
            action="disconnected",
            actor=actor,
            reason=f"Token ending …{retired.hint} revoked; {hosts} host(s) and {groups} "
            "group(s) are manual again",
        )
    logger.info(
        "SCIM provisioning disconnected for account %s by user %s: %s hosts, %s groups released",
        account.pk,
        getattr(actor, "pk", None),
        hosts,
        groups,
    )
    return hosts, groups


def set_provider(*, account, provider_key, actor):
    """Record which identity provider the account provisions from. Returns the Provider.

    Raises ValueError for a key that is not one of ProviderKey. Logged (who, which) like
    every other change to the integration; choosing the current one again changes nothing.
    """
    if provider_key not in PROVIDERS:
        raise ValueError(f"Unknown identity provider: {provider_key!r}")
    with transaction.atomic():
        choice, created = ProviderChoice.objects.select_for_update().get_or_create(
            account=account,
            defaults={"provider": provider_key, "chosen_at": timezone.now(), "chosen_by": actor},
        )
        previous = None if created else choice.provider
        if previous == provider_key:
            return provider_by_key(provider_key)
        if not created:
            choice.provider = provider_key
            choice.chosen_at = timezone.now()
            choice.chosen_by = actor
            choice.save(update_fields=["provider", "chosen_at", "chosen_by"])
        label = ProviderKey(provider_key).label
        was = f" (was {ProviderKey(previous).label})" if previous else ""
        log_token_event(
            account=account,
            action="provider-chosen",
            actor=actor,
            reason=f"Identity provider: {label}{was}",
        )
    return provider_by_key(provider_key)


def link_conflicts(account, *, now=None):
    """Identifiers the directory could not link because several hosts match them, while
    that is still so: [{"user_name": ..., "hosts": [Host, ...]}]."""
    now = now or timezone.now()
    recent = (
        ProvisioningEvent.objects.filter(
            account=account, action="link-conflict", created_at__gte=now - CONFLICT_MEMORY
        )
        .order_by("-created_at", "-id")
        .values_list("resource_name", flat=True)[:100]
    )
    seen, conflicts = set(), []
    for name in recent:
        if name.lower() in seen or len(conflicts) >= MAX_CONFLICTS_SHOWN:
            continue
        seen.add(name.lower())
        hosts = HostFilterQuery.candidates(account, name)
        if len(hosts) > 1:
            conflicts.append({"user_name": name, "hosts": hosts})
    return conflicts


def new_token_to_show(request, *, account, token):
    """The raw token issued by this very request (generate/rotate), to show once; else None.

    It travels on the request object only, from the view that issued it to the page that
    shows it in the same response: never in the session, so no session row holds it.
    It is shown only while it is still the account's current token.
    """
    # Sessions from before this change may still hold a stashed token: drop it.
    request.session.pop(LEGACY_NEW_TOKEN_SESSION_KEY, None)
    raw = getattr(request, NEW_TOKEN_REQUEST_ATTR, None)
    if not isinstance(raw, str) or token is None or token.account_id != account.pk:
        return None
    if hash_token(raw) != token.token_hash:
        return None
    return raw


def account_token(account):
    return ScimToken.objects.select_related("created_by").filter(account=account).first()


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
    provider = account_provider(account)
    new_token = new_token_to_show(request, account=account, token=token)
    # Only shown before connecting (it counts the account's hosts).
    linkable, unlinkable = unmanaged_host_counts(account=account) if token is None else (0, 0)
    return {
        "token": token,
        "provider": provider,
        "provider_choices": ProviderKey.choices,
        "status": health.provisioning_status(account=account, token=token, provider=provider),
        "new_token": new_token,
        "grace_token": grace_token(account) if token else None,
        "tenant_url": tenant_url(),
        # Kept by the host table's triggers (HostTally), not counted: a large tenant has
        # 100,000 of them.
        "directory_hosts": live_directory_host_count(account=account),
        "directory_groups": HostGroup.objects.filter(
            account=account, source=Source.DIRECTORY
        ).count(),
        "linkable_hosts": linkable,
        "unlinkable_hosts": unlinkable,
        "conflicts": link_conflicts(account),
        "alerts_enabled": health.alerts_enabled_for(request.user),
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


def _mapping_rows(mappings, model, sources=None):
    """Rows of one mappings table; ``sources`` (SCIM path -> the provider's attribute)
    replaces Entra's default source column for another provider."""
    rows = []
    for mapping in mappings:
        field_label = None
        if mapping.field:
            # Host fields have the names the host form gives them; others their own.
            field_label = HOST_FIELD_LABELS.get(mapping.field) if model is Host else None
            field_label = field_label or str(model._meta.get_field(mapping.field).verbose_name)
        rows.append(
            {
                "scim_path": mapping.scim_path,
                "source": mapping.entra_source
                if sources is None
                else sources.get(mapping.scim_path, ""),
                "field": mapping.field,
                "field_label": field_label,
                "required": mapping.required,
                "note": mapping.note,
            }
        )
    return rows


def mapping_tables(provider=None):
    """The reference tables of the mappings page, straight from scim_hosts.mapping, with
    the chosen provider's source attributes (Entra's when none)."""
    entra = provider is None or provider.is_entra
    user_sources = None if entra else provider.sources
    group_sources = None if entra else provider.group_sources
    return [
        {
            "key": "users",
            "title": "Users \u2192 hosts",
            "intro": "Each provisioned user becomes a host. Users are matched on userName.",
            "field_heading": "Host field",
            "rows": _mapping_rows(USER_MAPPINGS, Host, user_sources),
        },
        {
            "key": "groups",
            "title": "Groups \u2192 host groups",
            "intro": "Each provisioned group becomes a host group. Groups are matched on "
            "displayName.",
            "field_heading": "Host group field",
            "rows": _mapping_rows(GROUP_MAPPINGS, HostGroup, group_sources),
        },
    ]
