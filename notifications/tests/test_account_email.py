"""Account e-mails (queue_email): written with the change, sent by the worker to the address given, text forgotten once done.

The mail server is a real SMTP server on loopback (portal/tests/smtp.py); messages are delivered at
commit by the immediate task backend (root conftest.py), as the worker would.
"""

from __future__ import annotations

import pytest
from django.core import mail as outbox
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from notifications import services
from notifications.models import Channel, Message, MessageStatus

pytestmark = pytest.mark.django_db

TEMPLATE = "registration/password_reset"
LINK = "https://antrean.rsud.example/akun/reset/MQ/secret-token/"


@pytest.fixture
def queue(patient, django_capture_on_commit_callbacks):
    """Queue the reset-link e-mail for Sari, as a request would; returns the row after the commit."""

    def queue_one(to: str = "sari@example.com") -> Message:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            message = services.queue_email(TEMPLATE, to=to, account=patient, context={"user": patient, "link": LINK})
        message.refresh_from_db()
        return message

    return queue_one


def pause_over() -> None:
    Message.objects.update(next_attempt_at=timezone.now())


def test_it_goes_by_email_to_the_address_given_whatever_channels_the_account_chose(patient, queue):
    services.channels_set(account=patient, email=False, whatsapp=True)

    message = queue(to="sari.baru@example.com")

    assert (message.channel, message.recipient, message.account) == (Channel.EMAIL, "sari.baru@example.com", patient)
    assert Message.objects.count() == 1  # nothing on WhatsApp
    [sent] = outbox.outbox
    assert sent.to == ["sari.baru@example.com"] and LINK in sent.body


def test_it_waits_for_the_commit_and_is_dropped_on_rollback(patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.queue_email(TEMPLATE, to="sari@example.com", account=patient, context={"user": patient, "link": LINK})
        assert outbox.outbox == []
        with pytest.raises(RuntimeError), transaction.atomic():
            services.queue_email(TEMPLATE, to="joko@example.com", context={"user": patient, "link": LINK})
            raise RuntimeError("the write failed")

    assert [m.to for m in outbox.outbox] == [["sari@example.com"]]
    assert Message.objects.count() == 1


def test_it_is_written_in_the_language_of_whoever_asked(patient, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        with translation.override("id"):
            services.queue_email(
                "accounts/emails/password_changed_notice",
                to=patient.email,
                account=patient,
                context={"user": patient, "reset_link": "http://example.test/reset/"},
            )

    assert outbox.outbox[0].subject.startswith("Kata sandi akun Anda")


def test_its_text_is_forgotten_as_soon_as_it_is_sent(smtp_server, queue):
    message = queue()

    [sent] = smtp_server.messages
    assert sent["To"] == "sari@example.com" and LINK in sent.get_content()
    assert (message.status, message.attempts, message.subject, message.body) == ("sent", 1, "", "")
    assert message.recipient == "sari@example.com" and message.template == TEMPLATE  # still on record


def test_a_mail_server_that_is_down_keeps_it_waiting_with_the_reason_and_the_sweep_sends_it_once_back(
    smtp_server, queue
):
    smtp_server.stop()
    message = queue()

    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error.startswith("ConnectionRefusedError") and "sari@" not in message.last_error
    assert LINK in message.body  # kept until it is sent

    smtp_server.start()
    pause_over()
    assert services.messages_due() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts, message.body) == ("sent", 2, "")
    assert [m["To"] for m in smtp_server.messages] == ["sari@example.com"]


def test_a_refused_message_is_retried(smtp_server, queue):
    smtp_server.refuse = True
    message = queue()

    assert (message.status, message.last_error) == ("pending", "SMTPDataError 451")
    assert smtp_server.messages == []

    smtp_server.refuse = False
    pause_over()
    assert services.messages_due() == 1
    message.refresh_from_db()
    assert message.status == "sent" and LINK in smtp_server.messages[0].get_content()


def test_a_mail_server_that_never_answers_is_given_up_on_and_tried_again_later(silent_smtp_port, queue):
    message = queue()

    assert message.status == "pending" and message.next_attempt_at > timezone.now()
    assert message.last_error.startswith(("TimeoutError", "SMTPServerDisconnected"))


def test_its_text_is_forgotten_when_it_fails_for_good(smtp_server, queue):
    smtp_server.stop()
    message = queue()
    for _ in services.RETRY_PAUSES:
        pause_over()
        services.messages_due()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", len(services.RETRY_PAUSES) + 1)
    assert (message.subject, message.body) == ("", "")
    assert message.last_error.startswith("ConnectionRefusedError")


def test_send_again_in_the_admin_skips_a_message_whose_text_was_forgotten(client, admin_user, patient, queue):
    forgotten = queue()
    kept = Message.objects.create(
        account=patient, channel=Channel.EMAIL, template="queueing/emails/booking_reminder",
        recipient=patient.email, subject="Pengingat", body="Besok pukul 08.00", status=MessageStatus.FAILED,
    )  # fmt: skip
    Message.objects.filter(pk=forgotten.pk).update(status=MessageStatus.FAILED, sent_at=None)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:notifications_message_changelist"),
        {"action": "send_again", "_selected_action": [forgotten.pk, kept.pk]},
        follow=True,
    )

    forgotten.refresh_from_db(), kept.refresh_from_db()
    assert forgotten.status == "failed" and kept.status == "sent"
    assert [str(m) for m in response.context["messages"]] == [  # the admin speaks Indonesian
        "1 pesan diantrekan ulang.",
        "1 pesan tidak dikirim ulang: isinya sudah dihapus.",
    ]
