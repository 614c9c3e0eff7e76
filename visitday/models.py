"""The floor of the outpatient department on the visit day (issue 12).

- TicketLine: a queue at the registration counters ("A" Pendaftaran Umum, "B" Antrian BPJS,
  "P" priority), per facility; LineSettings: the facility's priority call ratio.
- TicketDay: the per-line-per-day counter row that numbers tickets (visitday/counters.py writes it).
- Ticket: one paper ticket from the kiosk (A-012), waiting → called → done, with its times.
- Loket: a registration counter ("Loket 2") and the lines it usually serves.
- Call: one call or recall of a number at a place (a counter or a clinic): what the waiting-room
  display shows and announces. Written only by visitday.services.call_record.
- TicketBooking: which bookings a ticket led to (a family registered together shares one ticket).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility


class TicketLine(models.Model):
    """A kind of counter ticket a kiosk hands out; its letter starts every label (A-012)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="ticket_lines")
    letter = models.CharField(
        _("letter"), max_length=3, help_text=_("Printed and spoken before the number, e.g. A for A-012.")
    )
    name = models.CharField(_("name"), max_length=100)
    priority = models.BooleanField(
        _("priority line"),
        default=False,
        help_text=_("Elderly (60+), people with disabilities and pregnant women: called before the regular lines."),
    )
    asks_clinic = models.BooleanField(
        _("asks for the clinic"), default=False, help_text=_("The kiosk asks which clinic the patient is going to.")
    )
    clinic = models.ForeignKey(
        "queueing.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clinic"),
        help_text=_("A line for one clinic only (optional)."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["facility", "sort_order", "letter"]
        verbose_name = _("ticket line")
        verbose_name_plural = _("ticket lines")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "letter"],
                name="visitday_ticketline_letter_unique",
                violation_error_code="letter_taken",
                violation_error_message=_("This facility already has a line with this letter."),
            ),
            models.CheckConstraint(
                condition=Q(letter__regex=r"^[A-Z]{1,3}$"),
                name="visitday_ticketline_letter_format",
                violation_error_code="letter_format",
                violation_error_message=_("Use one to three capital letters."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.name}"


class LineSettings(models.Model):
    """A facility's calling rule at the counters."""

    facility = models.OneToOneField(Facility, on_delete=models.CASCADE, related_name="line_settings")
    regular_per_priority = models.PositiveSmallIntegerField(
        _("regular tickets per priority ticket"),
        default=0,
        help_text=_(
            "0: a waiting priority ticket is always called first. 3: one priority ticket, then up to three "
            "regular ones, and so on (counted per counter)."
        ),
    )

    # Seed 002: "dipanggil setelah beberapa nomor kemudian" (visitday/call_order.py).
    late_gap = models.PositiveSmallIntegerField(
        _("late arrivals wait behind"),
        default=3,
        help_text=_(
            "A patient who checks in after their number was called at the clinic is called after this many "
            "other patients."
        ),
    )

    class Meta:
        verbose_name = _("counter calling settings")
        verbose_name_plural = _("counter calling settings")

    def __str__(self) -> str:
        return str(self.facility)


class TicketDay(models.Model):
    """The last ticket number handed out for a line on a day (never goes down: numbers are never reused)."""

    line = models.ForeignKey(TicketLine, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "date"], name="visitday_ticketday_line_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}@{self.date}: #{self.last_number}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SKIPPED = "skipped", _("Skipped (callable again)")
    DONE = "done", _("Done")
    ABSENT = "absent", _("Not present")


class Ticket(models.Model):
    """One counter ticket. Its number and label come from the line it was printed for (`issued_line`);
    a clerk may move it to another `line`, where it keeps its place by `taken_at`."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="tickets")
    issued_line = models.ForeignKey(TicketLine, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(TicketLine, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("line"))
    moved_from = models.ForeignKey(
        TicketLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("moved from")
    )
    clinic = models.ForeignKey(
        "queueing.Clinic", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clinic")
    )
    date = models.DateField(_("date"))
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=12)
    status = models.CharField(_("status"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    waiting_ahead = models.PositiveIntegerField(_("waiting ahead when printed"), default=0)
    taken_at = models.DateTimeField(_("printed at"))
    called_at = models.DateTimeField(_("first called at"), null=True, blank=True)
    done_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    moved_at = models.DateTimeField(_("moved at"), null=True, blank=True)
    loket = models.ForeignKey(
        "visitday.Loket", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("counter")
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["date", "taken_at", "id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["issued_line", "date", "number"],
                name="visitday_ticket_number_unique_per_line_day",
                violation_error_code="number_taken",
                violation_error_message=_("This ticket number is already taken on this day."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="visitday_ticket_number_positive", violation_error_code="number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values),
                name="visitday_ticket_status_valid",
                violation_error_code="invalid_status",
            ),
            models.CheckConstraint(
                condition=Q(status=TicketStatus.WAITING) | Q(called_at__isnull=False),
                name="visitday_ticket_called_has_time",
                violation_error_code="called_at_missing",
            ),
        ]
        indexes = [
            models.Index(fields=["line", "date", "status", "taken_at"], name="visitday_ticket_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.label


class Loket(models.Model):
    """A registration counter; clerks pick one (and the lines they serve today) on the calling page."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="lokets")
    name = models.CharField(_("name"), max_length=40, help_text=_("Shown and spoken, e.g. Loket 2."))
    lines = models.ManyToManyField(TicketLine, blank=True, related_name="lokets", verbose_name=_("lines served"))
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["facility", "sort_order", "name"]
        verbose_name = _("registration counter")
        verbose_name_plural = _("registration counters")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "name"],
                name="visitday_loket_name_unique",
                violation_error_code="name_taken",
                violation_error_message=_("This facility already has a counter with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    COUNTER = "counter", _("Registration counter")
    CLINIC = "clinic", _("Clinic")


class CallKind(models.TextChoices):
    CALL = "call", _("Call")
    RECALL = "recall", _("Recall")


class Call(models.Model):
    """One call of a number to a place: the display shows the latest per place and announces each once."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="calls")
    place_kind = models.CharField(_("place"), max_length=8, choices=PlaceKind.choices)
    place_name = models.CharField(_("place name"), max_length=100, help_text=_("Loket 2, Poli Gigi"))
    # The doctor or room when a clinic runs several sessions a day (each has its own numbers).
    detail = models.CharField(_("doctor or room"), max_length=150, blank=True)
    label = models.CharField(_("number called"), max_length=20)
    kind = models.CharField(_("kind"), max_length=8, choices=CallKind.choices, default=CallKind.CALL)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="calls")
    booking = models.ForeignKey(
        "queueing.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    loket = models.ForeignKey(Loket, on_delete=models.PROTECT, null=True, blank=True, related_name="calls")
    clinic = models.ForeignKey("queueing.Clinic", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(place_kind__in=PlaceKind.values) & Q(kind__in=CallKind.values),
                name="visitday_call_kinds_valid",
                violation_error_code="invalid_kind",
            ),
            models.CheckConstraint(
                condition=Q(place_kind=PlaceKind.COUNTER, ticket__isnull=False)
                | Q(place_kind=PlaceKind.CLINIC, booking__isnull=False),
                name="visitday_call_has_subject",
                violation_error_code="subject_missing",
            ),
        ]
        indexes = [models.Index(fields=["facility", "-id"], name="visitday_call_recent_idx")]

    def __str__(self) -> str:
        return f"{self.label} → {self.place_name}"


class TicketBooking(models.Model):
    """A booking registered or checked in from a ticket (its print and call times are BPJS tasks 1 and 2)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="bookings")
    booking = models.OneToOneField("queueing.Booking", on_delete=models.PROTECT, related_name="ticket_link")
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket booking")
        verbose_name_plural = _("ticket bookings")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.booking_id}"
