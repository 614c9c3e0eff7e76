"""One way to tell an account holder something: `notify`, on the channels the account chose;
and `queue_email` for the account's own e-mails (confirmation and reset links, security notices).

Both render the message now (in the language of whoever caused it) and write Message rows inside
the caller's transaction; once that commits, the durable worker is asked to deliver them.
Delivery (`message_deliver`) runs in the worker, never in a request or a transaction: it claims
the row, makes one attempt within a total deadline, and records the outcome; a temporary failure
is retried with growing pauses, a permanent one is kept as failed with its reason. A sweep
(`messages_due`) picks up anything whose worker call was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import fonnte
from notifications.models import Channel, Message, MessageStatus
from portal.lib import mail

logger = logging.getLogger(__name__)

# Pauses before the 2nd, 3rd, ... attempt; after the last one the message is failed for good.
RETRY_PAUSES = (30, 120, 600, 1800, 3600)
# A worker that claimed a message and died: after this long another may take it (at most one
# duplicate for a worker killed mid-send, never a lost message).
CLAIM_LEASE = dt.timedelta(minutes=5)


def channels_for(account) -> list[tuple[str, str]]:
    """(channel, recipient) pairs the account wants and can receive."""
    pairs = []
    if not account.is_active:  # a closed account, or a channel's stand-in account (Mobile JKN)
        return pairs
    if account.notify_by_email and account.email:
        pairs.append((Channel.EMAIL, account.email))
    if account.notify_by_whatsapp and account.phone:
        pairs.append((Channel.WHATSAPP, whatsapp_number(account.phone)))
    return pairs


def whatsapp_number(phone: str) -> str:
    """The account's E.164 phone (+628...) as WhatsApp gateways want it: digits only (628...)."""
    return "".join(ch for ch in phone if ch.isdigit())


def notify(
    template: str, *, account, context: dict[str, Any] | None = None, key: str = "", forget_when_done: bool = False
) -> list[Message]:
    """Queue `template` for `account` on each of its channels; with a `key`, once per key ever.

    `forget_when_done`: the text carries a link that acts for its reader (a review link): it is
    blanked once sent or failed for good, not after the retention period.
    """
    channels = channels_for(account)
    if not channels:
        return []
    subject, body = mail.render(template, dict(context or {}))
    made = []
    for channel, recipient in channels:
        message = Message(
            account=account, channel=channel, template=template, key=key,
            recipient=recipient, subject=subject[:200], body=body, forget_when_done=forget_when_done,
        )  # fmt: skip
        if _queue(message):
            made.append(message)
    return made


def queue_email(template: str, *, to: str, account=None, context: dict[str, Any] | None = None) -> Message:
    """Queue an account e-mail (a confirmation or password-reset link, a security notice) to `to`.

    It goes by e-mail to the address given whatever channels the account chose: a confirmation
    link must reach the address it confirms, which may not be the account's yet. Its text is
    forgotten as soon as it is sent or has failed for good: a link in it could confirm an address
    or set a password for whoever reads the table.
    """
    subject, body = mail.render(template, dict(context or {}))
    message = Message(
        account=account, channel=Channel.EMAIL, template=template, recipient=to,
        subject=subject[:200], body=body, forget_when_done=True,
    )  # fmt: skip
    _queue(message)
    return message


def _queue(message: Message) -> bool:
    """Save the message in the caller's transaction and nudge the worker once that commits;
    False if its once-only key was already queued."""
    if not message.key:
        message.save()  # nothing can collide: one INSERT, no savepoint (the booking rush pays this)
    else:
        try:
            with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's work intact
                message.save()
        except IntegrityError:
            if Message.objects.filter(key=message.key, channel=message.channel).exists():
                return False  # already queued by an earlier run, here or on another server
            raise
    transaction.on_commit(lambda pk=message.pk: message_enqueue(pk), robust=True)
    return True


def message_enqueue(message_id: int, delay: float = 0) -> None:
    """Ask the worker to deliver now (or after `delay` s). Only a nudge: the row's next_attempt_at
    is the real schedule, and the sweep sends anything due that no nudge reached."""
    from notifications.tasks import deliver_message  # the worker's task module imports this one

    task = deliver_message.using(backend=settings.NOTIFICATIONS_TASK_BACKEND)
    if delay:
        if not task.get_backend().supports_defer:
            return  # e.g. the immediate backend of tests: the sweep sends it when due
        task = task.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    task.enqueue(message_id)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE
    )


def _claim(message_id: int) -> Message | None:
    now = timezone.now()
    claimable = _claimable(now)
    taken = Message.objects.filter(claimable, pk=message_id).update(
        status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return Message.objects.get(pk=message_id) if taken else None


class Permanent(Exception):
    """A failure no retry can fix."""


def _send(message: Message) -> str:
    """One attempt; returns the gateway's id; raises Permanent or any other exception (temporary)."""
    if message.channel == Channel.WHATSAPP:
        try:
            return whatsapp_client().send(message.recipient, _whatsapp_text(message))
        except fonnte.WhatsAppRefused as exc:
            raise Permanent(str(exc)) from None
    try:
        mail.send_rendered(message.subject, message.body, [message.recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        raise Permanent(mail.failure_reason(exc)) from None
    return ""


def _whatsapp_text(message: Message) -> str:
    return f"*{message.subject}*\n\n{message.body}" if message.subject else message.body


def whatsapp_client() -> fonnte.FonnteClient:
    url, token = settings.WHATSAPP_URL, settings.WHATSAPP_TOKEN
    if not url and settings.DEBUG and settings.WHATSAPP_EMBEDDED_FAKE:
        from notifications import fake_gateway

        token = token or "dev-token"
        url = fake_gateway.ensure_embedded(token)
    if not url or not token:
        raise fonnte.WhatsAppUnavailable("WHATSAPP_URL or WHATSAPP_TOKEN is not set")
    return fonnte.FonnteClient(url, token, timeout=settings.WHATSAPP_TIMEOUT)


def message_deliver(message_id: int) -> str | None:
    """Deliver one message if it is still waiting; return its status afterwards (None: not ours)."""
    message = _claim(message_id)
    if message is None:
        return None  # sent, failed, or being sent by another worker
    try:
        gateway_id = _send(message)
    except Permanent as exc:
        return _finish(message, MessageStatus.FAILED, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - every other failure is worth another try
        reason = str(exc) if isinstance(exc, fonnte.WhatsAppError) else mail.failure_reason(exc)
        if message.attempts > len(RETRY_PAUSES):
            return _finish(message, MessageStatus.FAILED, error=reason)
        pause = RETRY_PAUSES[message.attempts - 1]
        _finish(message, MessageStatus.PENDING, error=reason, retry_in=pause)
        message_enqueue(message.pk, delay=pause)
        return MessageStatus.PENDING
    return _finish(message, MessageStatus.SENT, gateway_id=gateway_id)


def _finish(message: Message, status: str, *, error: str = "", gateway_id: str = "", retry_in: float = 0) -> str:
    fields: dict[str, Any] = {"status": status, "claimed_at": None, "last_error": error[:250]}
    if retry_in:
        fields["next_attempt_at"] = timezone.now() + dt.timedelta(seconds=retry_in)
    if status == MessageStatus.SENT:
        fields.update(sent_at=timezone.now(), gateway_id=gateway_id[:64], last_error="")
    if message.forget_when_done and status in (MessageStatus.SENT, MessageStatus.FAILED):
        fields.update(subject="", body="")
    # Only the claim we hold is ours to finish (a lease taken over by another worker is theirs).
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_at=message.claimed_at).update(**fields)
    if status == MessageStatus.FAILED:
        logger.warning("message %s (%s) failed for good: %s", message.pk, message.channel, error)
    return status


def messages_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Deliver every message that is due: retries whose pause is over, and any whose worker call
    was lost (a crash between commit and enqueue, a killed worker holding a claim). Run by the
    recurring sweep; returns how many were attempted."""
    ids = list(Message.objects.filter(_claimable(now or timezone.now())).values_list("pk", flat=True)[:limit])
    for message_id in ids:
        message_deliver(message_id)
    return len(ids)


def channels_set(*, account, email: bool, whatsapp: bool) -> None:
    account.notify_by_email, account.notify_by_whatsapp = email, whatsapp
    account.save(update_fields=["notify_by_email", "notify_by_whatsapp"])


def messages_forget_text(now: dt.datetime | None = None) -> int:
    """Blank the text of messages finished more than MESSAGE_TEXT_RETENTION_DAYS ago: it names a
    patient and a visit (UU PDP: keep personal data no longer than needed). The row stays, so
    what was sent to whom and when remains on record."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.MESSAGE_TEXT_RETENTION_DAYS)
    finished = Q(status=MessageStatus.SENT) | Q(status=MessageStatus.FAILED)
    return Message.objects.filter(finished, created_at__lt=cutoff).exclude(body="").update(subject="", body="")
