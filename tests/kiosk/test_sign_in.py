"""Signing in at the kiosk and notifying hosts (after commit, retried when a send fails)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.factories import (
    AccountFactory,
    HostFactory,
    HostGroupFactory,
    HostGroupMembershipFactory,
)
from tests.kiosk.helpers import visitor
from visitor_mgmt.models import Visit
from visitor_mgmt.services.hosts import host_delete, host_update
from visitor_mgmt.services.visits import visit_notifications_retry, visit_sign_in

pytestmark = pytest.mark.django_db


def sign_in(client, account, capture, follow=True, **choice):
    """POST the sign-in (its on-commit callbacks run as the request ends), then follow."""
    with capture(execute=True):
        response = client.post(f"/kiosk/{account.slug}/sign-in/", {**visitor(), **choice})
    if follow and response.status_code == 302:
        return client.get(response["Location"])
    return response


# --- the kiosk flow over HTTP (no JavaScript) ------------------------------------------


def test_full_no_js_flow_signs_in_and_notifies_the_host(
    kiosk_client, account, host, django_capture_on_commit_callbacks
):
    start = kiosk_client.get(f"/kiosk/{account.slug}/")
    assert b'name="visitor_name"' in start.content
    step2 = kiosk_client.post(f"/kiosk/{account.slug}/host/", visitor())
    assert step2.status_code == 200
    assert b"whom are you visiting" in step2.content
    assert b'type="hidden" name="visitor_name" value="Vera Visitor"' in step2.content
    results = kiosk_client.post(f"/kiosk/{account.slug}/host/", {**visitor(), "q": "jane"})
    assert str(host.public_id).encode() in results.content

    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, follow=False, host=host.public_id
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/kiosk/{account.slug}/welcome/?t=")
    welcome = kiosk_client.get(response["Location"])
    assert b"Welcome, Vera!" in welcome.content
    assert b"Jane Doe has been notified" in welcome.content

    visit = Visit.objects.get()
    assert visit.account == account
    assert visit.host == host
    assert visit.host_name == "Jane Doe"
    assert (visit.visitor_name, visit.visitor_email, visit.visitor_company) == (
        "Vera Visitor",
        "vera@visitor.example",
        "Initech",
    )
    assert visit.notification_status == Visit.Notification.SENT
    assert visit.notification_attempts == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jane.doe@acme.example", "jane.private@acme.example"]
    assert message.subject == "Vera Visitor is here to see you"
    assert "Vera Visitor (Initech) has arrived" in message.body
    assert message.reply_to == ["vera@visitor.example"]


def test_visitor_name_is_required(kiosk_client, account, host):
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", visitor(visitor_name="   "))
    assert response.status_code == 200
    assert b"Please enter your name" in response.content
    response = kiosk_client.post(
        f"/kiosk/{account.slug}/sign-in/", {**visitor(visitor_name=""), "host": host.public_id}
    )
    assert b"Please enter your name" in response.content
    assert not Visit.objects.exists()


def test_bad_visitor_email_is_a_form_error(kiosk_client, account):
    response = kiosk_client.post(f"/kiosk/{account.slug}/host/", visitor(visitor_email="x@"))
    assert response.status_code == 200
    assert b"valid email" in response.content


def test_email_and_company_are_optional(
    kiosk_client, account, host, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kiosk_client.post(
            f"/kiosk/{account.slug}/sign-in/",
            {"visitor_name": "Solo", "host": str(host.public_id)},
        )
    visit = Visit.objects.get()
    assert (visit.visitor_email, visit.visitor_company) == ("", "")
    assert mail.outbox[0].reply_to == []


def test_picking_an_unavailable_host_is_a_clear_error(kiosk_client, account, host):
    host_update(host=host, is_active=False)
    other = HostFactory(account=AccountFactory())
    for value in (host.public_id, other.public_id, "not-a-uuid"):
        response = kiosk_client.post(
            f"/kiosk/{account.slug}/sign-in/", {**visitor(), "host": value}
        )
        assert response.status_code == 400
        assert b"not available any more" in response.content
    assert not Visit.objects.exists()


def test_get_on_form_steps_goes_back_to_the_start(kiosk_client, account):
    for path in ("host/", "sign-in/"):
        response = kiosk_client.get(f"/kiosk/{account.slug}/{path}")
        assert response.status_code == 302
        assert response["Location"] == f"/kiosk/{account.slug}/"


def test_welcome_page_needs_a_valid_token(kiosk_client, account):
    response = kiosk_client.get(f"/kiosk/{account.slug}/welcome/?t=forged")
    assert response.status_code == 302


def test_welcome_token_of_another_account_is_ignored(
    kiosk_client, account, host, django_capture_on_commit_callbacks
):
    from django.test import Client

    from visitor_mgmt.kiosk.services import kiosk_device_create

    other = AccountFactory()
    other_host = HostFactory(account=other)
    _, key = kiosk_device_create(account=other, name="Other desk")
    other_client = Client()
    other_client.post(f"/kiosk/{other.slug}/activate/", {"key": key})
    response = sign_in(
        other_client,
        other,
        django_capture_on_commit_callbacks,
        follow=False,
        host=other_host.public_id,
    )
    token = response["Location"].split("?t=", 1)[1]
    response = kiosk_client.get(f"/kiosk/{account.slug}/welcome/?t={token}")
    assert response.status_code == 302


# --- groups and reception ---------------------------------------------------------------


def test_group_pick_notifies_every_active_live_member_once(
    kiosk_client, account, django_capture_on_commit_callbacks
):
    group = HostGroupFactory(account=account, name="Support")
    a = HostFactory(account=account, email="a@acme.example", alternate_email="a2@acme.example")
    b = HostFactory(account=account, email="b@acme.example")
    shared = HostFactory(account=account, email="b@acme.example")  # same mailbox as b
    inactive = HostFactory(account=account, email="inactive@acme.example")
    deleted = HostFactory(account=account, email="deleted@acme.example")
    no_email = HostFactory(account=account, email="")
    for member in (a, b, shared, inactive, deleted, no_email):
        HostGroupMembershipFactory(group=group, host=member)
    host_update(host=inactive, is_active=False)
    host_delete(host=deleted)

    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, group=group.public_id
    )
    assert b"Everyone in Support has been notified" in response.content

    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == [("a@acme.example", "a2@acme.example"), ("b@acme.example",)]
    assert all(m.subject == "Vera Visitor is here to see Support" for m in mail.outbox)
    visit = Visit.objects.get()
    assert visit.host is None
    assert visit.host_group == group
    assert visit.host_group_name == "Support"
    assert visit.notification_status == Visit.Notification.SENT


def test_group_of_another_account_cannot_be_picked(kiosk_client, account):
    group = HostGroupFactory(account=AccountFactory())
    HostGroupMembershipFactory(group=group)
    response = kiosk_client.post(
        f"/kiosk/{account.slug}/sign-in/", {**visitor(), "group": group.public_id}
    )
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_let_reception_know_uses_the_fallback_email(
    kiosk_client, account, django_capture_on_commit_callbacks
):
    account.kiosk_fallback_email = "reception@acme.example"
    account.save()
    response = sign_in(kiosk_client, account, django_capture_on_commit_callbacks, reception="1")
    assert b"Reception has been notified" in response.content
    assert [m.to for m in mail.outbox] == [["reception@acme.example"]]
    assert "did not find the person" in mail.outbox[0].body
    visit = Visit.objects.get()
    assert (visit.host, visit.host_group, visit.host_name) == (None, None, "")
    assert visit.notification_status == Visit.Notification.SENT


def test_reception_without_fallback_email_is_refused(kiosk_client, account):
    response = kiosk_client.post(f"/kiosk/{account.slug}/sign-in/", {**visitor(), "reception": "1"})
    assert response.status_code == 400
    assert b"Reception has no e-mail address" in response.content
    assert not Visit.objects.exists()


def test_a_choice_is_required(kiosk_client, account):
    response = kiosk_client.post(f"/kiosk/{account.slug}/sign-in/", visitor())
    assert b"Please choose whom you are visiting" in response.content
    assert not Visit.objects.exists()


# --- the service's rules -----------------------------------------------------------------


def test_service_refuses_hosts_it_must_not_notify(account, host):
    other_host = HostFactory(account=AccountFactory())
    with pytest.raises(ValidationError):
        visit_sign_in(account=account, visitor_name="V", host=other_host)
    host_update(host=host, is_active=False)
    with pytest.raises(ValidationError):
        visit_sign_in(account=account, visitor_name="V", host=host)
    with pytest.raises(ValueError):
        visit_sign_in(account=account, visitor_name="V")
    assert not Visit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_notification_is_sent_after_commit_only(account, host):
    # A real transaction: nothing is captured or faked.
    visit = visit_sign_in(account=account, visitor_name="Committed", host=host)
    assert [m.subject for m in mail.outbox] == ["Committed is here to see you"]
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.SENT

    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        visit_sign_in(account=account, visitor_name="Rolled Back", host=host)
        assert mail.outbox == []  # not before commit...
        raise RuntimeError("the caller's transaction fails")
    assert mail.outbox == []  # ...and never after a rollback
    assert not Visit.objects.filter(visitor_name="Rolled Back").exists()


def test_notification_waits_for_the_outer_transaction(
    account, host, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit_sign_in(account=account, visitor_name="Later", host=host)
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_host_deactivated_before_the_send_is_not_notified(
    account, host, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit = visit_sign_in(account=account, visitor_name="V", host=host)
    host_update(host=host, is_active=False)
    callbacks[0]()
    assert mail.outbox == []
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.NONE


# --- failed sends and retries --------------------------------------------------------------


def test_failed_send_is_recorded_and_never_blocks_the_visitor(
    kiosk_client, account, host, failing_smtp, django_capture_on_commit_callbacks
):
    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, host=host.public_id
    )
    assert response.status_code == 200
    assert b"Welcome, Vera!" in response.content
    assert b"could not reach Jane Doe" in response.content
    visit = Visit.objects.get()
    assert visit.notification_status == Visit.Notification.FAILED
    assert visit.notification_attempts == 1
    assert "Connection" in visit.notification_error or "refused" in visit.notification_error


def test_retry_command_sends_failed_notifications(
    account, host, failing_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_sign_in(account=account, visitor_name="Retry Me", host=host)
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.FAILED

    # Still failing: a second attempt is recorded.
    out = StringIO()
    call_command("retry_visit_notifications", stdout=out)
    assert "Retried 1: 0 sent, 1 failed" in out.getvalue()
    visit.refresh_from_db()
    assert visit.notification_attempts == 2

    # The mail server is back (a working backend): the retry delivers.
    failing_smtp.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()
    call_command("retry_visit_notifications", stdout=out)
    assert "Retried 1: 1 sent" in out.getvalue()
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.SENT
    assert visit.notification_attempts == 3
    assert visit.notification_error == ""
    assert [m.subject for m in mail.outbox] == ["Retry Me is here to see you"]

    # Sent visits are not sent again.
    call_command("retry_visit_notifications", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_retries_are_bounded(account, host, failing_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_sign_in(account=account, visitor_name="V", host=host)
    for _ in range(10):
        visit_notifications_retry(max_attempts=5)
    visit.refresh_from_db()
    assert visit.notification_attempts == 5
    assert visit.notification_status == Visit.Notification.FAILED
    assert visit_notifications_retry(max_attempts=5)["retried"] == 0


def test_retry_picks_up_lost_pending_sends_but_not_fresh_ones(account, host, working_email):
    fresh = Visit.objects.create(account=account, host=host, host_name="Jane Doe", visitor_name="F")
    lost = Visit.objects.create(account=account, host=host, host_name="Jane Doe", visitor_name="L")
    Visit.objects.filter(pk=lost.pk).update(signed_in_at=timezone.now() - timedelta(minutes=30))
    ancient = Visit.objects.create(
        account=account, host=host, host_name="Jane Doe", visitor_name="A"
    )
    Visit.objects.filter(pk=ancient.pk).update(
        signed_in_at=timezone.now() - timedelta(days=3),
        notification_status=Visit.Notification.FAILED,
    )
    counts = visit_notifications_retry()
    assert counts["retried"] == 1
    assert [m.subject for m in mail.outbox] == ["L is here to see you"]
    fresh.refresh_from_db()
    assert fresh.notification_status == Visit.Notification.PENDING


def test_retry_command_rejects_bad_max_attempts():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retry_visit_notifications", "--max-attempts", "0")


# --- signing out ----------------------------------------------------------------------------


def test_sign_out_by_name(kiosk_client, account, host, django_capture_on_commit_callbacks):
    sign_in(kiosk_client, account, django_capture_on_commit_callbacks, host=host.public_id)
    page = kiosk_client.get(f"/kiosk/{account.slug}/sign-out/")
    assert b'name="visitor_name"' in page.content
    response = kiosk_client.post(
        f"/kiosk/{account.slug}/sign-out/", {"visitor_name": "  vera   VISITOR "}
    )
    assert b"Goodbye, Vera!" in response.content
    assert Visit.objects.get().signed_out_at is not None


def test_sign_out_with_unknown_name(kiosk_client, account):
    response = kiosk_client.post(f"/kiosk/{account.slug}/sign-out/", {"visitor_name": "Nobody"})
    assert b"could not find anyone signed in today" in response.content


def test_sign_out_ignores_other_accounts_yesterday_and_signed_out_visits(
    kiosk_client, account, host
):
    other = AccountFactory()
    Visit.objects.create(account=other, visitor_name="Vera Visitor")
    old = Visit.objects.create(account=account, host=host, visitor_name="Vera Visitor")
    Visit.objects.filter(pk=old.pk).update(signed_in_at=timezone.now() - timedelta(days=2))
    Visit.objects.create(
        account=account, host=host, visitor_name="Vera Visitor", signed_out_at=timezone.now()
    )
    response = kiosk_client.post(
        f"/kiosk/{account.slug}/sign-out/", {"visitor_name": "Vera Visitor"}
    )
    assert b"could not find anyone signed in today" in response.content
    assert Visit.objects.filter(signed_out_at__isnull=True).count() == 2


def test_sign_out_with_two_matches_asks_whom_without_listing_anything(kiosk_client, account, host):
    """Issue 14: the page listed today's visits of that name with their hosts to whoever
    stood at the tablet. Now it lists nothing; the visitor names whom they visit."""
    first = Visit.objects.create(
        account=account, host=host, host_name="Jane Doe", visitor_name="Vera Visitor"
    )
    second = Visit.objects.create(
        account=account, host=None, host_group_name="Support", visitor_name="Vera Visitor"
    )
    url = f"/kiosk/{account.slug}/sign-out/"
    page = kiosk_client.post(url, {"visitor_name": "Vera Visitor"}).content.decode()
    assert "tell us whom you are visiting" in page
    assert 'name="visiting"' in page
    for secret in ("Jane", "Doe", "Support", f'value="{first.pk}"', f'value="{second.pk}"'):
        assert secret not in page
    assert not Visit.objects.filter(signed_out_at__isnull=False).exists()

    # A wrong answer signs nobody out and reveals nothing either.
    page = kiosk_client.post(url, {"visitor_name": "Vera Visitor", "visiting": "Finance"})
    assert "does not match a visit" in page.content.decode()
    assert "Jane" not in page.content.decode() and "Support" not in page.content.decode()
    assert not Visit.objects.filter(signed_out_at__isnull=False).exists()
    # A visit id (the old form's field) does nothing.
    kiosk_client.post(url, {"visitor_name": "Vera Visitor", "visit": second.pk})
    assert not Visit.objects.filter(signed_out_at__isnull=False).exists()

    response = kiosk_client.post(url, {"visitor_name": "Vera Visitor", "visiting": "support"})
    assert b"Goodbye, Vera!" in response.content
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.signed_out_at is not None
    assert first.signed_out_at is None


def test_sign_out_by_part_of_the_hosts_name_or_reception(kiosk_client, account, host):
    jane = Visit.objects.create(
        account=account, host=host, host_name="Jane Doe", visitor_name="Vera Visitor"
    )
    desk = Visit.objects.create(account=account, visitor_name="Vera Visitor")
    url = f"/kiosk/{account.slug}/sign-out/"
    kiosk_client.post(url, {"visitor_name": "vera visitor", "visiting": "  JANE "})
    jane.refresh_from_db()
    assert jane.signed_out_at is not None
    # One open visit left: the name alone is enough again.
    response = kiosk_client.post(url, {"visitor_name": "Vera Visitor"})
    assert b"Goodbye, Vera!" in response.content
    desk.refresh_from_db()
    assert desk.signed_out_at is not None


def test_reception_is_an_answer_too(kiosk_client, account, host):
    Visit.objects.create(account=account, host=host, host_name="Jane Doe", visitor_name="Al Bo")
    desk = Visit.objects.create(account=account, visitor_name="Al Bo")
    url = f"/kiosk/{account.slug}/sign-out/"
    kiosk_client.post(url, {"visitor_name": "Al Bo", "visiting": "reception"})
    desk.refresh_from_db()
    assert desk.signed_out_at is not None


def test_the_sign_out_page_lists_nobody(kiosk_client, account, host):
    Visit.objects.create(account=account, host=host, host_name="Jane Doe", visitor_name="Vera V")
    page = kiosk_client.get(f"/kiosk/{account.slug}/sign-out/").content.decode()
    assert "Vera" not in page and "Jane" not in page


def test_the_welcome_page_is_shown_once(
    kiosk_client, account, host, django_capture_on_commit_callbacks
):
    """Issue 14: the previous visitor's welcome URL could be reopened from the tablet's
    history for 10 minutes, showing their name and host."""
    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, follow=False, host=host.public_id
    )
    url = response["Location"]
    first = kiosk_client.get(url)
    assert b"Welcome, Vera!" in first.content
    again = kiosk_client.get(url)
    assert again.status_code == 302
    assert again["Location"] == f"/kiosk/{account.slug}/"
    page = kiosk_client.get(again["Location"]).content.decode()
    assert "Vera" not in page and "Jane" not in page


def test_the_welcome_link_expires_within_a_minute(
    kiosk_client, account, host, django_capture_on_commit_callbacks
):
    from django.core import signing

    from visitor_mgmt.kiosk.views import VISIT_TOKEN_MAX_AGE, VISIT_TOKEN_SALT

    assert VISIT_TOKEN_MAX_AGE <= 60
    response = sign_in(
        kiosk_client, account, django_capture_on_commit_callbacks, follow=False, host=host.public_id
    )
    token = response["Location"].split("?t=", 1)[1]
    data = signing.loads(token, salt=VISIT_TOKEN_SALT)
    # The same content signed VISIT_TOKEN_MAX_AGE + 1 seconds ago is refused.
    signer = signing.TimestampSigner(salt=VISIT_TOKEN_SALT, algorithm="sha256")
    signer.timestamp = lambda: signing.b62_encode(
        int(timezone.now().timestamp()) - VISIT_TOKEN_MAX_AGE - 1
    )
    old = signer.sign_object(data, compress=False)
    assert signing.loads(old, salt=VISIT_TOKEN_SALT, max_age=3600) == data  # valid, but old
    stale = kiosk_client.get(f"/kiosk/{account.slug}/welcome/?t={old}")
    assert stale.status_code == 302


def test_a_mail_server_that_never_answers_fails_the_send_not_the_visit(
    account, host, settings, django_capture_on_commit_callbacks
):
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts connections, never says hello
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        settings.EMAIL_TIMEOUT = 1
        with django_capture_on_commit_callbacks(execute=True):
            visit = visit_sign_in(account=account, visitor_name="Patient", host=host)
    visit.refresh_from_db()
    assert visit.notification_status == Visit.Notification.FAILED
    assert "timed out" in visit.notification_error
