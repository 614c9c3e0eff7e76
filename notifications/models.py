"""What the portal tells people, by which channel, and whether it arrived.

Every message is a row written in the same transaction as the change it reports, so a message
is never lost and never sent for a change that rolled back; the durable worker delivers it
(notifications.services.message_deliver) with retries and records the outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families.fields import EncryptedCharField


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=120)
    # Set for messages that must go out once only (e.g. "reminder:<booking id>"): the unique
    # constraint below makes a second job run, on this server or another, a no-op.
    key = models.CharField(_("once-only key"), max_length=100, blank=True)
    recipient = EncryptedCharField(_("recipient"), max_length=254)  # address or number: personal data
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # Set for account e-mails (a confirmation or password-reset link): their text is blanked as soon
    # as they are sent or have failed for good, as a link read from the table could be used.
    forget_when_done = models.BooleanField(_("text forgotten once finished"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=250, blank=True)
    gateway_id = models.CharField(_("gateway message id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When the next attempt is due; the recurring sweep sends whatever is due, so a retry does not
    # depend on the task queue remembering it.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel"],
                condition=~Q(key=""),
                name="notifications_message_once_per_key",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENT) | Q(sent_at__isnull=False),
                name="notifications_message_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notifications_due_idx")]

    def __str__(self) -> str:
        return f"{self.template} ({self.get_channel_display()}, {self.get_status_display()})"
