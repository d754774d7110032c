"""The visitor-facing kiosk: sign in (who you are → whom you visit → done) and sign out.

Every step is a plain HTML form. The visitor's details travel between steps as hidden
fields, so the kiosk keeps no server state until the visit is recorded. Pages are never
cached, so the next visitor cannot page back to the previous one's entries.
"""

import uuid

from django.contrib.auth import logout
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from visitor_mgmt.kiosk.device import kiosk_device_required, set_device_cookie
from visitor_mgmt.kiosk.forms import ActivateForm, SignOutForm, VisitorForm
from visitor_mgmt.kiosk.selectors import (
    MIN_QUERY_LENGTH,
    kiosk_display_name,
    kiosk_group_get,
    kiosk_groups,
    kiosk_host_get,
    kiosk_host_search,
)
from visitor_mgmt.kiosk.services import (
    kiosk_device_authenticate,
    search_rate_limited,
    search_retry_after,
)
from visitor_mgmt.selectors.accounts import account_get_by_slug
from visitor_mgmt.selectors.visits import open_visits_today, visit_with_host_get
from visitor_mgmt.services.text import match_key
from visitor_mgmt.services.visits import (
    is_reception_visit,
    visit_goes_to_reception,
    visit_sign_in,
    visit_sign_out,
    visit_welcome_mark_shown,
)

VISIT_TOKEN_SALT = "visitor_mgmt.kiosk.visit"
# The confirmation link is followed at once (a redirect) and works once; this bounds it
# for a visit whose page was never shown.
VISIT_TOKEN_MAX_AGE = 60
# Pages that end a visitor's session return to the start by themselves.
RETURN_AFTER_SECONDS = 20
MAX_SIGN_OUT_MATCHES = 10


def _start(account_slug):
    return redirect("kiosk:start", account_slug=account_slug)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


@never_cache
@kiosk_device_required
def start(request, account_slug):
    return render(request, "kiosk/start.html", {"account": request.account, "form": VisitorForm()})


def _choose_page(request, visitor, *, query="", error="", status=200):
    account = request.account
    searched = len(" ".join(query.split())) >= MIN_QUERY_LENGTH
    results = []
    if searched:
        if search_rate_limited(device=request.kiosk_device):
            error = "Too many searches at once. Please wait a moment and try again."
            status = 429
            searched = False
        else:
            results = kiosk_host_search(account=account, query=query)
    response = render(
        request,
        "kiosk/choose.html",
        {
            "account": account,
            "visitor": visitor,
            "query": query,
            "searched": searched,
            "too_short": bool(query.strip()) and not searched and status != 429,
            "results": results,
            "groups": kiosk_groups(account=account, query=query),
            "reception": bool(account.kiosk_fallback_email),
            "error": error,
            "min_query_length": MIN_QUERY_LENGTH,
        },
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(search_retry_after())
    return response


@never_cache
@kiosk_device_required
def choose(request, account_slug):
    """Step 2: whom are you visiting? (search a host, pick a group, or tell reception)."""
    if request.method != "POST":
        return _start(account_slug)
    form = VisitorForm(request.POST)
    if not form.is_valid():
        return render(request, "kiosk/start.html", {"account": request.account, "form": form})
    return _choose_page(request, form.cleaned_data, query=request.POST.get("q", "")[:200])


@never_cache
@kiosk_device_required
def sign_in(request, account_slug):
    """Record the visit for the chosen host, group or reception; then the confirmation."""
    if request.method != "POST":
        return _start(account_slug)
    account = request.account
    form = VisitorForm(request.POST)
    if not form.is_valid():
        return render(request, "kiosk/start.html", {"account": account, "form": form})
    visitor = form.cleaned_data
    choice = {}
    if "host" in request.POST:
        public_id = _uuid_or_none(request.POST["host"])
        host = kiosk_host_get(account=account, public_id=public_id) if public_id else None
        if host is None:
            return _choose_page(
                request,
                visitor,
                error="That person is not available any more. Please search again.",
                status=400,
            )
        choice = {"host": host}
    elif "group" in request.POST:
        public_id = _uuid_or_none(request.POST["group"])
        group = kiosk_group_get(account=account, public_id=public_id) if public_id else None
        if group is None:
            return _choose_page(
                request, visitor, error="That group is not available any more.", status=400
            )
        choice = {"host_group": group}
    elif "reception" in request.POST:
        choice = {"to_reception": True}
    else:
        return _choose_page(request, visitor, error="Please choose whom you are visiting.")
    try:
        visit = visit_sign_in(account=account, **visitor, **choice)
    except ValidationError as exc:
        return _choose_page(request, visitor, error=" ".join(exc.messages), status=400)
    token = signing.dumps({"v": visit.pk, "a": account.pk}, salt=VISIT_TOKEN_SALT)
    url = reverse("kiosk:welcome", kwargs={"account_slug": account_slug})
    return redirect(f"{url}?t={token}")


@never_cache
@kiosk_device_required
def welcome(request, account_slug):
    """Step 3: "<host> has been notified"."""
    account = request.account
    try:
        data = signing.loads(
            request.GET.get("t", ""), salt=VISIT_TOKEN_SALT, max_age=VISIT_TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        return _start(account_slug)
    if not isinstance(data, dict) or data.get("a") != account.pk:
        return _start(account_slug)
    visit = visit_with_host_get(account=account, visit_id=data.get("v"))
    if visit is None:
        return _start(account_slug)
    # Once only: reopened from the tablet's history, the link shows the start page.
    if not visit_welcome_mark_shown(visit=visit):
        return _start(account_slug)
    if visit_goes_to_reception(visit):
        target = "Reception"
    elif visit.host is not None:
        target = kiosk_display_name(visit.host, short_names=account.kiosk_short_names)
    elif visit.host_group_name:
        target = f"Everyone in {visit.host_group_name}"
    else:
        target = "Your host"
    return render(
        request,
        "kiosk/welcome.html",
        {
            "account": account,
            "visit": visit,
            "target": target,
            "first_name": visit.visitor_name.split()[0],
            "return_after": RETURN_AFTER_SECONDS,
        },
    )


def _visiting_matches(visit, visiting):
    """Whether the visitor's answer to "Whom are you visiting?" names this visit's host,
    group, or reception (part of the name, any case, look-alikes equal)."""
    key = match_key(visiting)
    if len(key) < MIN_QUERY_LENGTH:
        return False
    names = [visit.host_name, visit.host_group_name]
    if visit.host is not None:
        names.append(visit.host.name)
    if is_reception_visit(visit):
        names.append("Reception")
    return any(key in match_key(name) for name in names if name)


@never_cache
@kiosk_device_required
def sign_out(request, account_slug):
    """Leaving: the visitor types the name they signed in with (today's open visits).

    Nothing about other visitors is ever shown: with several open visits of that name, the
    visitor says whom they are visiting, and only a visit matching both is signed out.
    """
    account = request.account
    context = {"account": account, "ask_visiting": False}
    if request.method != "POST":
        context["form"] = SignOutForm()
        return render(request, "kiosk/sign_out.html", context)
    form = SignOutForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "kiosk/sign_out.html", context)
    matches = list(
        open_visits_today(account=account, visitor_name=form.cleaned_data["visitor_name"])
        .select_related("host")
        .only(
            "id",
            "visitor_name",
            "signed_in_at",
            "signed_out_at",
            "host_id",
            "host_group_id",
            "host_name",
            "host_group_name",
            "host__first_name",
            "host__last_name",
            "host__display_name",
        )[:MAX_SIGN_OUT_MATCHES]
    )
    if not matches:
        form.add_error(
            "visitor_name",
            "We could not find anyone signed in today with that name. "
            "Check the spelling, or ask at reception.",
        )
        return render(request, "kiosk/sign_out.html", context)
    chosen = matches[0] if len(matches) == 1 else None
    if chosen is None:
        context["ask_visiting"] = True
        visiting = form.cleaned_data.get("visiting", "")
        if not visiting:
            return render(request, "kiosk/sign_out.html", context)
        # The earliest open visit that matches: namesakes visiting the same host are
        # indistinguishable to the visitor too.
        chosen = next((v for v in matches if _visiting_matches(v, visiting)), None)
        if chosen is None:
            form.add_error(
                "visiting",
                "That does not match a visit under your name today. "
                "Check the name, or ask at reception.",
            )
            return render(request, "kiosk/sign_out.html", context)
    visit_sign_out(visit=chosen)
    return render(
        request,
        "kiosk/signed_out.html",
        {
            "account": account,
            "first_name": chosen.visitor_name.split()[0],
            "return_after": RETURN_AFTER_SECONDS,
        },
    )


@never_cache
def activate(request, account_slug):
    """Turn this browser into a kiosk of the account, with a device key from Preferences.

    Until a valid key is given, the page is the same for any slug, real or not: no account
    name, and the same refusal, so anonymous visitors cannot probe which accounts exist.
    Optionally ends the admin's own session here, so no admin login stays open on a tablet.
    """
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        raw_key = form.cleaned_data["key"].strip()
        account = account_get_by_slug(slug=account_slug)
        device = (
            kiosk_device_authenticate(account=account, raw_key=raw_key)
            if account is not None
            else None
        )
        if device is not None:
            if request.user.is_authenticated and request.POST.get("end_session"):
                logout(request)
            response = _start(account_slug)
            return set_device_cookie(response, device, raw_key)
        form.add_error("key", "That key is not valid for this account, or it was revoked.")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "kiosk/activate.html",
        {"account_slug": account_slug, "form": form},
        status=status,
    )
