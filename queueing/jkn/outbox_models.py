"""The Mobile JKN outbox: every change BPJS Antrean must hear about, one row each (queueing/jkn/outbox.py).

Declared here and imported by queueing/models.py, so Django sees it as a queueing model.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility


class OutboxKind(models.TextChoices):
    ADD = "add", _("Booking (antrean/add)")
    TASK = "task", _("Task time (antrean/updatewaktu)")
    CANCEL = "cancel", _("Cancellation (antrean/batal)")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Refused by BPJS")


# The order BPJS needs per booking: add, then the tasks by number (99 after any of them), then batal.
SEQ_ADD, SEQ_TASK_99, SEQ_CANCEL = 0, 90, 100


class OutboxEvent(models.Model):
    """One call BPJS must receive, written in the same transaction as the change it reports."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+", verbose_name=_("facility"))
    booking = models.ForeignKey(
        "queueing.Booking", on_delete=models.PROTECT, related_name="outbox_events", verbose_name=_("booking")
    )
    kodebooking = models.CharField(_("booking code"), max_length=16)
    kind = models.CharField(_("kind"), max_length=8, choices=OutboxKind.choices)
    seq = models.PositiveSmallIntegerField(_("order within the booking"))
    task_id = models.PositiveSmallIntegerField(_("task"), null=True, blank=True)
    waktu_ms = models.BigIntegerField(_("task time (epoch ms)"), null=True, blank=True)
    # What was sent (add: built at the first send from the booking; cancel: the reason).
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # The claim: a worker sends a row only while it holds an unexpired claim (a lease), so a
    # worker killed mid-send leaves the row to another after the lease.
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_code = models.CharField(_("BPJS code"), max_length=8, blank=True)
    last_message = models.CharField(_("BPJS message or error"), max_length=500, blank=True)
    duplicate = models.BooleanField(_("BPJS had it already (208)"), default=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        app_label = "queueing"
        ordering = ["id"]
        verbose_name = _("Mobile JKN outbox row")
        verbose_name_plural = _("Mobile JKN outbox")
        constraints = [
            # Each booking's add, each task and the cancellation are recorded once.
            models.UniqueConstraint(
                fields=["booking", "seq"],
                name="queueing_outboxevent_once_per_booking",
                violation_error_code="already_recorded",
                violation_error_message=_("This change was already recorded for BPJS."),
            ),
            models.CheckConstraint(
                condition=Q(kind=OutboxKind.TASK, task_id__isnull=False, waktu_ms__isnull=False)
                | (~Q(kind=OutboxKind.TASK) & Q(task_id__isnull=True)),
                name="queueing_outboxevent_task_has_id_and_time",
                violation_error_code="task_incomplete",
                violation_error_message=_("A task row needs its task id and time."),
            ),
            models.CheckConstraint(
                condition=Q(status=OutboxStatus.DELIVERED, delivered_at__isnull=False)
                | (~Q(status=OutboxStatus.DELIVERED) & Q(delivered_at__isnull=True)),
                name="queueing_outboxevent_delivered_has_time",
                violation_error_code="delivered_time",
                violation_error_message=_("A delivered row has its delivery time, and only it."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status=OutboxStatus.PENDING),
                name="queueing_outbox_due_idx",
            ),
            models.Index(fields=["status", "facility"], name="queueing_outbox_status_idx"),
        ]

    def __str__(self) -> str:
        what = f"task {self.task_id}" if self.kind == OutboxKind.TASK else self.kind
        return f"{self.kodebooking} {what} ({self.status})"
