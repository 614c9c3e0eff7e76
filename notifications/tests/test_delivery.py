"""notify writes messages with the change; the worker delivers them once, retries what may pass, keeps failures."""

import datetime as dt
import threading

import pytest
from django.core import mail as outbox
from django.db import connection, transaction
from django.utils import timezone

from conftest import make_account
from notifications import services
from notifications.models import Channel, Message, MessageStatus

TEMPLATE = "queueing/emails/booking_reminder"


@pytest.fixture
def context(patient):
    class Booking:  # what the template reads
        label, code, estimated_time = "GIGI-007", "AB12CD34", None
        date = __import__("datetime").date(2026, 12, 2)
        clinic = type("C", (), {"name": "Poli Gigi"})
        doctor = type("D", (), {"name": "drg. Ayu"})
        patient = type("P", (), {"full_name": "Sari Wulandari"})

    return {"booking": Booking, "account": patient, "documents": ["KTP"], "cancel_url": "http://x/batal/"}


def queued(account, context, key=""):
    with transaction.atomic():
        return services.notify(TEMPLATE, account=account, context=context, key=key)


def test_email_is_the_default_channel(patient, context):
    [message] = queued(patient, context)

    assert (message.channel, message.recipient, message.status) == (Channel.EMAIL, patient.email, "pending")
    assert "GIGI-007" in message.body


def test_an_account_that_chose_whatsapp_gets_both_channels_in_digits_only(patient, context):
    services.channels_set(account=patient, email=True, whatsapp=True)

    messages = queued(patient, context)

    assert sorted((m.channel, m.recipient) for m in messages) == [
        ("email", patient.email),
        ("whatsapp", "6281234567890"),
    ]


def test_no_message_survives_a_change_that_rolled_back(patient, context):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(TEMPLATE, account=patient, context=context)
        raise RuntimeError("the booking failed")

    assert not Message.objects.exists()


def test_a_key_is_queued_once_and_the_callers_work_survives_the_duplicate(patient, context):
    queued(patient, context, key="reminder:1")
    with transaction.atomic():
        assert services.notify(TEMPLATE, account=patient, context=context, key="reminder:1") == []
        make_account("lain@example.com", "Lain")  # the caller's transaction is still usable

    assert Message.objects.count() == 1


def test_the_worker_sends_an_email_once(patient, context):
    [message] = queued(patient, context)

    assert services.message_deliver(message.pk) == MessageStatus.SENT
    assert services.message_deliver(message.pk) is None  # a second run finds nothing to do

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1) and message.sent_at
    assert [m.to for m in outbox.outbox] == [[patient.email]]


def test_the_worker_sends_whatsapp_through_the_gateway(patient, context, gateway):
    services.channels_set(account=patient, email=False, whatsapp=True)
    [message] = queued(patient, context)

    assert services.message_deliver(message.pk) == MessageStatus.SENT

    message.refresh_from_db()
    assert message.gateway_id == gateway.sent[0].id
    assert gateway.sent[0].target == "6281234567890" and "GIGI-007" in gateway.sent[0].message


def test_a_gateway_that_is_down_is_retried_then_the_message_arrives(patient, context, gateway):
    services.channels_set(account=patient, email=False, whatsapp=True)
    [message] = queued(patient, context)
    gateway.fault = "down"

    assert services.message_deliver(message.pk) == MessageStatus.PENDING
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "gateway answered HTTP 503")

    gateway.fault = ""
    assert services.message_deliver(message.pk) is None  # not due yet: the pause runs
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert services.messages_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(gateway.sent) == 1


def test_a_refused_number_fails_for_good_with_the_gateways_reason(patient, context, gateway, settings):
    settings.WHATSAPP_TOKEN = "wrong"
    services.channels_set(account=patient, email=False, whatsapp=True)
    [message] = queued(patient, context)

    assert services.message_deliver(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("failed", "invalid token")


def test_after_the_last_retry_a_temporary_failure_is_kept_as_failed(patient, context, gateway):
    services.channels_set(account=patient, email=False, whatsapp=True)
    [message] = queued(patient, context)
    gateway.fault = "disconnected"

    outcomes = []
    for _ in range(len(services.RETRY_PAUSES) + 1):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outcomes.append(services.message_deliver(message.pk))

    assert outcomes[-1] == MessageStatus.FAILED and set(outcomes[:-1]) == {MessageStatus.PENDING}
    assert gateway.sent == []


def test_a_smtp_server_that_is_down_is_retried(patient, context, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    [message] = queued(patient, context)

    assert services.message_deliver(message.pk) == MessageStatus.PENDING
    message.refresh_from_db()
    assert message.last_error.startswith("ConnectionRefusedError")


@pytest.mark.db_tasks  # queued, not sent at commit: the four workers below race for it
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)")
def test_two_workers_at_once_send_a_message_once(context, gateway):
    account = context["account"]
    services.channels_set(account=account, email=False, whatsapp=True)
    [message] = queued(account, context)
    gateway.fault, gateway.slow_seconds = "slow", 0.3
    results, start = [], threading.Barrier(4)

    def worker():
        start.wait()
        results.append(services.message_deliver(message.pk))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]

    assert sorted(map(str, results)) == ["None", "None", "None", "sent"]
    assert len(gateway.sent) == 1


def test_the_text_of_finished_messages_is_forgotten_after_the_retention_period(patient, context, settings):
    settings.MESSAGE_TEXT_RETENTION_DAYS = 30
    old, recent = queued(patient, context, key="a") + queued(patient, context, key="b")
    Message.objects.filter(pk=old.pk).update(status="sent", sent_at=timezone.now())
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    Message.objects.filter(pk=recent.pk).update(status="sent", sent_at=timezone.now())

    assert services.messages_forget_text() == 1

    old.refresh_from_db(), recent.refresh_from_db()
    assert (old.body, old.subject, old.status) == ("", "", "sent")
    assert "GIGI-007" in recent.body
