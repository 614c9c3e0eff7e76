"""Clinics, practice schedules, daily quotas and queue bookings (SOP 000 I, SOP 002)."""

from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, default_facility_id
from guarantors.models import DocumentKind, GuarantorKind
from portal.lib.uploads import private_path

# Booking codes are read aloud at the counter and typed on phones: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8  # 31**8 ~ 8.5e11: unguessable by enumeration, short enough to read out


FACILITY_HAS_SCHEDULES = _(
    "It still has practice schedules at another facility: end those first (or add a new row at the new facility)."
)


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


class Weekday(models.IntegerChoices):
    """Python's date.weekday() numbering."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Clinic(models.Model):
    """A polyclinic (poli), e.g. GIGI for dental, at one facility."""

    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        related_name="clinics",
        verbose_name=_("facility"),
        default=default_facility_id,
    )
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    bpjs_code = models.CharField(_("BPJS clinic code"), max_length=8, blank=True)
    # Mobile JKN names a clinic by its BPJS sub-specialty code (kodepoli in WS RS calls, HFIS
    # kodesubspesialis); for most clinics it is the same as the poli code, so empty means "same".
    bpjs_subspecialty_code = models.CharField(
        _("BPJS sub-specialty code"),
        max_length=8,
        blank=True,
        help_text=_("The code Mobile JKN sends as kodepoli (HFIS kodesubspesialis); empty: the BPJS clinic code."),
    )
    prefix = models.CharField(
        _("queue label prefix"), max_length=8, help_text=_("Printed before the number, e.g. GIGI-007.")
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        constraints = [
            # Every puskesmas has its UMUM and GIGI: a code is unique within its facility.
            models.UniqueConstraint(
                fields=["facility", "code"],
                name="queueing_clinic_code_unique_per_facility",
                violation_error_code="code_taken",
                violation_error_message=_("This facility already has a clinic with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The database refuses it too (trigger queueing_clinic_keeps_facility, migration 0016).
        if self.pk is not None and self.facility_id is not None:
            elsewhere = Schedule.objects.filter(clinic=self).exclude(doctor__facility_id=self.facility_id)
            if elsewhere.exists():
                raise ValidationError(
                    {"facility": ValidationError(FACILITY_HAS_SCHEDULES, code="facility_has_schedules")}
                )


class Doctor(models.Model):
    """A doctor (or midwife) practising at one facility; one who also works elsewhere has a row there too."""

    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        related_name="doctors",
        verbose_name=_("facility"),
        default=default_facility_id,
    )
    name = models.CharField(_("name"), max_length=150)
    bpjs_code = models.CharField(_("BPJS doctor code"), max_length=16, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("doctor")
        verbose_name_plural = _("doctors")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The database refuses it too (trigger queueing_doctor_keeps_facility, migration 0016).
        if self.pk is not None and self.facility_id is not None:
            elsewhere = Schedule.objects.filter(doctor=self).exclude(clinic__facility_id=self.facility_id)
            if elsewhere.exists():
                raise ValidationError(
                    {"facility": ValidationError(FACILITY_HAS_SCHEDULES, code="facility_has_schedules")}
                )


class Schedule(models.Model):
    """A doctor's weekly practice session at a clinic."""

    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("doctor"))
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("clinic"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    total_quota = models.PositiveSmallIntegerField(_("total quota"))
    online_quota = models.PositiveSmallIntegerField(
        _("online quota"), help_text=_("Places offered online; the rest stay for the counter.")
    )
    jkn_quota = models.PositiveSmallIntegerField(
        _("Mobile JKN quota"),
        default=0,
        help_text=_("Online places kept for Mobile JKN (kuota JKN); the rest of the online quota is for the portal."),
    )
    minutes_per_patient = models.PositiveSmallIntegerField(_("average minutes per patient"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["clinic__sort_order", "weekday", "start_time"]
        verbose_name = _("practice schedule")
        verbose_name_plural = _("practice schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(online_quota__lte=F("total_quota")),
                name="queueing_schedule_online_within_total",
                violation_error_code="online_over_total",
                violation_error_message=_("The online quota cannot exceed the total quota."),
            ),
            models.CheckConstraint(
                condition=Q(jkn_quota__lte=F("online_quota")),
                name="queueing_schedule_jkn_within_online",
                violation_error_code="jkn_over_online",
                violation_error_message=_("The Mobile JKN quota cannot exceed the online quota."),
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="queueing_schedule_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=_("The practice must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(minutes_per_patient__gte=1),
                name="queueing_schedule_minutes_positive",
                violation_error_code="minutes_not_positive",
                violation_error_message=_("Minutes per patient must be at least 1."),
            ),
            models.UniqueConstraint(
                fields=["doctor", "weekday", "start_time"],
                name="queueing_schedule_doctor_slot_unique",
                violation_error_code="doctor_slot_taken",
                violation_error_message=_("This doctor already has a practice starting at this time on this day."),
            ),
        ]
        indexes = [models.Index(fields=["clinic", "weekday"], name="queueing_sched_clinic_day_idx")]

    def __str__(self) -> str:
        return f"{self.clinic} · {self.doctor} · {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self) -> None:
        # The database refuses it too (trigger queueing_schedule_same_facility, migration 0016).
        # On a new doctor's page the doctor is not saved yet: its form's instance is cached here.
        has_doctor = self.doctor_id is not None or Schedule.doctor.is_cached(self)
        if has_doctor and self.clinic_id is not None and self.doctor.facility_id is not None:
            if self.doctor.facility_id != self.clinic.facility_id:
                raise ValidationError(
                    {
                        "clinic": ValidationError(
                            _("This clinic is at %(clinic_facility)s, but the doctor works at %(doctor_facility)s."),
                            code="other_facility",
                            params={
                                "clinic_facility": self.clinic.facility,
                                "doctor_facility": self.doctor.facility,
                            },
                        )
                    }
                )

    def estimated_time(self, number: int) -> dt.time:
        """SOP: number n is expected at start + (n-1) x average minutes."""
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time)
        return (start + dt.timedelta(minutes=(number - 1) * self.minutes_per_patient)).time()

    @property
    def jampraktek(self) -> str:
        """BPJS's "HH:MM-HH:MM" (no seconds), how Mobile JKN names this session."""
        return f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"


class ExceptionScope(models.TextChoices):
    HOSPITAL = "hospital", _("Whole hospital")  # the whole facility (the stored value predates facilities)
    CLINIC = "clinic", _("One clinic")
    DOCTOR = "doctor", _("One doctor")


class ScheduleException(models.Model):
    """A day on which the hospital, a clinic or a doctor does not practise (holiday, leave)."""

    # The facility closed (scope "hospital"), or the one of the clinic or doctor's schedules hit.
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        related_name="schedule_exceptions",
        verbose_name=_("facility"),
        default=default_facility_id,
    )
    date = models.DateField(_("date"))
    scope = models.CharField(_("applies to"), max_length=16, choices=ExceptionScope.choices)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("clinic"))
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("doctor"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="hospital", clinic__isnull=True, doctor__isnull=True)
                    | Q(scope="clinic", clinic__isnull=False, doctor__isnull=True)
                    | Q(scope="doctor", clinic__isnull=True, doctor__isnull=False)
                ),
                name="queueing_scheduleexception_scope_matches_target",
                violation_error_code="scope_mismatch",
                violation_error_message=_("The clinic and doctor chosen do not match the scope."),
            ),
        ]
        indexes = [models.Index(fields=["date"], name="queueing_exc_date_idx")]

    def __str__(self) -> str:
        target = self.clinic or self.doctor or _("whole hospital")
        return f"{self.date:%Y-%m-%d} · {target} · {self.reason}"

    def clean(self) -> None:
        # A clinic's closure belongs to the clinic's facility, a doctor's leave to the doctor's.
        if self.clinic_id is not None:
            self.facility_id = self.clinic.facility_id
        elif self.doctor_id is not None:
            self.facility_id = self.doctor.facility_id

    def covers(self, schedule: Schedule) -> bool:
        """Whether this closes `schedule` (whose clinic should be loaded, for its facility)."""
        return (
            (self.scope == ExceptionScope.HOSPITAL and self.facility_id == schedule.clinic.facility_id)
            or (self.scope == ExceptionScope.CLINIC and self.clinic_id == schedule.clinic_id)
            or (self.scope == ExceptionScope.DOCTOR and self.doctor_id == schedule.doctor_id)
        )


class BookingMode(models.TextChoices):
    INSTANT = "instant", _("Instant: the number is given on confirmation (SOP 000)")
    VERIFICATION = "verification", _("Verification: a clerk verifies, then the number is given (SOP 002)")


class BookingSettings(models.Model):
    """A facility's booking window and mode; one row per facility."""

    facility = models.OneToOneField(
        Facility,
        on_delete=models.PROTECT,
        related_name="booking_settings",
        verbose_name=_("facility"),
        default=default_facility_id,
    )

    earliest_days_ahead = models.PositiveSmallIntegerField(
        _("earliest day ahead"), default=1, help_text=_("0 allows booking for today until the same-day cut-off.")
    )
    latest_days_ahead = models.PositiveSmallIntegerField(_("latest day ahead"), default=14)
    opening_time = models.TimeField(
        _("opening time"),
        default=dt.time(0, 0),
        help_text=_("The latest day of the window opens for booking at this time each day."),
    )
    same_day_cutoff = models.TimeField(_("same-day booking cut-off"), default=dt.time(10, 0))
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancel cut-off (hours before practice starts)"), default=2
    )
    mode = models.CharField(_("mode"), max_length=16, choices=BookingMode.choices, default=BookingMode.INSTANT)
    reminder_hour = models.PositiveSmallIntegerField(
        _("reminder hour"),
        default=16,
        validators=[MaxValueValidator(23)],
        help_text=_("Patients get a reminder the day before their visit from this hour (facility time, 0-23)."),
    )

    class Meta:
        verbose_name = _("booking settings")
        verbose_name_plural = _("booking settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest_days_ahead__lte=F("latest_days_ahead")),
                name="queueing_bookingsettings_window_ordered",
                violation_error_code="window_reversed",
                violation_error_message=_("The earliest day ahead cannot be later than the latest."),
            ),
            models.CheckConstraint(
                condition=Q(reminder_hour__lte=23),
                name="queueing_bookingsettings_reminder_hour_valid",
                violation_error_code="reminder_hour",
                violation_error_message=_("The reminder hour must be between 0 and 23."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Booking settings: %(facility)s") % {"facility": self.facility})

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        _SETTINGS_CACHE.clear()

    @classmethod
    def load(cls, facility_id: int | None = None) -> BookingSettings:
        """The facility's settings (the default facility's without one), made with defaults if missing."""
        obj, _created = cls.objects.select_related("facility").get_or_create(
            facility_id=facility_id or default_facility_id()
        )
        return obj

    @classmethod
    def current(cls, facility_id: int | None = None) -> BookingSettings:
        """The facility's row as this process saw it at most SETTINGS_TTL seconds ago; treat it as read-only.

        Every booking reads these settings, thousands a minute at opening time, and they change
        a few times a year: another server process sees a change within a few seconds. The row
        carries its facility (its clock), so no caller pays a query for it.
        """
        cached = _SETTINGS_CACHE.get(facility_id)
        if cached is None or cached[0] < time.monotonic():
            cached = _SETTINGS_CACHE[facility_id] = (time.monotonic() + SETTINGS_TTL, cls.load(facility_id))
        return cached[1]


SETTINGS_TTL = 5.0
_SETTINGS_CACHE: dict[int | None, tuple[float, BookingSettings]] = {}


class DayQuota(models.Model):
    """The counter row for one schedule on one date: the hot row every booking updates.

    `last_number` is the last queue number handed out and never goes down, so numbers are never
    reused; `active_count` is the number of places taken and goes down on cancel/reject.
    `quota` is the schedule's online quota copied when the row is made, so the database can
    check `active_count <= quota` inside the row.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="day_quotas")
    date = models.DateField(_("date"))
    quota = models.PositiveSmallIntegerField(_("online quota"))
    last_number = models.PositiveIntegerField(_("last number given"), default=0)
    active_count = models.PositiveIntegerField(_("places taken"), default=0)
    closed = models.BooleanField(_("closed by an exception"), default=False)
    # The counter's side (walk-ins, moves, paper forms entered afterwards; queueing.desk.services).
    # `total_quota` is the schedule's total, copied the first time the counter uses the row;
    # online places count in `active_count`, counter places in `counter_count`.
    total_quota = models.PositiveSmallIntegerField(_("total quota"), null=True, blank=True)
    counter_count = models.PositiveIntegerField(_("counter places taken"), default=0)
    # Mobile JKN's share of the online quota (kuota JKN), copied from the schedule; its places
    # count in `active_count` too, and in `jkn_count`. The portal takes only the other online
    # places (quota - jkn_quota), so the two channels never eat each other's share.
    jkn_quota = models.PositiveSmallIntegerField(_("Mobile JKN quota"), default=0)
    jkn_count = models.PositiveIntegerField(_("Mobile JKN places taken"), default=0)

    class Meta:
        verbose_name = _("day quota")
        verbose_name_plural = _("day quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "date"],
                name="queueing_dayquota_schedule_date_unique",
                violation_error_code="day_quota_exists",
                violation_error_message=_("This schedule already has a quota for this date."),
            ),
            models.CheckConstraint(
                condition=Q(active_count__lte=F("quota")),
                name="queueing_dayquota_within_quota",
                violation_error_code="quota_exceeded",
                violation_error_message=_("The places taken cannot exceed the quota."),
            ),
            models.CheckConstraint(
                condition=Q(active_count__gte=0) & Q(last_number__gte=0),
                name="queueing_dayquota_counters_not_negative",
                violation_error_code="counter_negative",
                violation_error_message=_("Counters cannot be negative."),
            ),
            # Online and counter places together never exceed the total quota (and no counter
            # place is taken before the total is known).
            models.CheckConstraint(
                condition=Q(total_quota__isnull=True, counter_count=0)
                | Q(total_quota__isnull=False, total_quota__gte=F("active_count") + F("counter_count")),
                name="queueing_dayquota_within_total",
                violation_error_code="total_exceeded",
                violation_error_message=_("Online and counter places together cannot exceed the total quota."),
            ),
            models.CheckConstraint(
                condition=Q(jkn_quota__lte=F("quota")),
                name="queueing_dayquota_jkn_quota_within_online",
                violation_error_code="jkn_over_online",
                violation_error_message=_("The Mobile JKN quota cannot exceed the online quota."),
            ),
            models.CheckConstraint(
                condition=Q(jkn_count__lte=F("jkn_quota")) & Q(jkn_count__lte=F("active_count")),
                name="queueing_dayquota_jkn_within_quota",
                violation_error_code="jkn_quota_exceeded",
                violation_error_message=_("The Mobile JKN places taken cannot exceed the Mobile JKN quota."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id}@{self.date}: {self.active_count}/{self.quota} (#{self.last_number})"

    @property
    def places_left(self) -> int:
        return max(self.quota - self.active_count, 0)


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested (waiting for verification)")
    VERIFIED = "verified", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("Did not come")


# A booking in one of these holds a place in the day quota and the patient's day.
HOLDING_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.VERIFIED,
    BookingStatus.CHECKED_IN,
    BookingStatus.SERVED,
    BookingStatus.NO_SHOW,
)
NUMBERED_STATUSES = (BookingStatus.VERIFIED, BookingStatus.CHECKED_IN, BookingStatus.SERVED, BookingStatus.NO_SHOW)
# The patient may still cancel these.
CANCELLABLE_STATUSES = (BookingStatus.REQUESTED, BookingStatus.VERIFIED)


class BookingChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    PAPER = "paper", _("Paper form, entered afterwards")
    MOBILE_JKN = "mobile_jkn", _("Mobile JKN")


class VisitKind(models.TextChoices):
    """PCare's jenis kunjungan (seed 001 step 11; `kunjSakit` true/false in PCare's pendaftaran)."""

    SICK = "sakit", _("Sick visit (kunjungan sakit)")
    HEALTHY = "sehat", _("Healthy visit (kunjungan sehat)")


class CareKind(models.TextChoices):
    """PCare's perawatan (seed 001 step 12), stored as PCare's kdTkp codes."""

    OUTPATIENT = "10", _("Outpatient (rawat jalan)")
    INPATIENT = "20", _("Inpatient (rawat inap)")


class BpjsVisitKind(models.TextChoices):
    """BPJS Antrean's jeniskunjungan."""

    FKTP_REFERRAL = "1", _("Referral from primary care (rujukan FKTP)")
    INTERNAL_REFERRAL = "2", _("Internal referral")
    CONTROL = "3", _("Follow-up visit (kontrol)")
    HOSPITAL_REFERRAL = "4", _("Referral from another hospital")


class Booking(models.Model):
    """One queue place for one patient on one schedule-day. Never deleted: status changes only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("booking code"), max_length=CODE_LENGTH, default=new_booking_code, editable=False)
    # The confirm form's one-time token: a double-clicked confirm finds the first booking.
    confirm_token = models.UUIDField(default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        "families.Patient", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("patient")
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("booked by")
    )
    day_quota = models.ForeignKey(DayQuota, on_delete=models.PROTECT, related_name="bookings")
    date = models.DateField(_("exam date"))
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("clinic"))
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("doctor"))
    number = models.PositiveIntegerField(_("queue number"), null=True, blank=True)
    label = models.CharField(_("queue label"), max_length=20, blank=True)
    estimated_time = models.TimeField(_("estimated time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    reject_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    guarantor = models.ForeignKey(
        "guarantors.GuarantorType", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("guarantor")
    )
    card_number = models.CharField(_("card number"), max_length=32, blank=True)
    referral_number = models.CharField(_("referral number"), max_length=32, blank=True)
    guarantor_verified = models.BooleanField(_("guarantor verified"), default=False)
    guarantor_check = models.JSONField(_("guarantor check result"), default=dict, blank=True)
    # Set when a JPKMKT patient agreed to book under an active BPJS card instead (seed 004):
    # the desk sees which cover the person first asked for.
    guarantor_switched_from = models.ForeignKey(
        "guarantors.GuarantorType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guarantor first chosen"),
    )
    affected = models.BooleanField(_("affected by a schedule change"), default=False)
    affected_note = models.CharField(_("schedule change note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The counter desk (queueing.desk.services). `registered_at` is when the registration really
    # happened: the same as created_at, except for paper forms entered after an outage (SOP 001).
    channel = models.CharField(
        _("registered via"), max_length=16, choices=BookingChannel.choices, default=BookingChannel.ONLINE
    )
    registered_at = models.DateTimeField(_("registered at (real time)"), default=timezone.now)
    counter_place = models.BooleanField(
        _("counter place"),
        default=False,
        help_text=_("Counted in the counter's share of the quota (walk-in, moved, paper form), not the online one."),
    )
    desk_note = models.CharField(_("counter note"), max_length=200, blank=True)
    # A puskesmas's counter registration in PCare's terms (seed 001 steps 11-14); empty online.
    visit_kind = models.CharField(_("visit type"), max_length=8, choices=VisitKind.choices, blank=True)
    care_kind = models.CharField(_("care"), max_length=2, choices=CareKind.choices, blank=True)
    complaint = models.CharField(_("complaint (keluhan)"), max_length=300, blank=True)
    # BPJS Antrean's jeniskunjungan (1 FKTP referral, 2 internal referral, 3 control, 4 inter-hospital),
    # as Mobile JKN sent it; empty for other channels.
    bpjs_visit_kind = models.CharField(
        _("BPJS visit kind (jenis kunjungan)"), max_length=1, choices=BpjsVisitKind.choices, blank=True
    )

    class Meta:
        ordering = ["-date", "clinic__sort_order", "number"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="queueing_booking_code_unique",
                violation_error_code="unique",
                violation_error_message=_("A booking with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["confirm_token"],
                name="queueing_booking_confirm_token_unique",
                violation_error_code="unique",
                violation_error_message=_("This booking was already confirmed."),
            ),
            models.UniqueConstraint(
                fields=["patient", "date"],
                condition=Q(status__in=HOLDING_STATUSES),
                name="queueing_booking_one_active_per_patient_day",
                violation_error_code="already_booked",
                violation_error_message=_("This patient already has a queue for that day."),
            ),
            models.UniqueConstraint(
                fields=["day_quota", "number"],
                condition=Q(number__isnull=False),
                name="queueing_booking_number_unique_per_day",
                violation_error_code="number_taken",
                violation_error_message=_("This queue number is already taken on this day."),
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1),
                name="queueing_booking_number_positive",
                violation_error_code="number_not_positive",
                violation_error_message=_("The queue number must be at least 1."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=NUMBERED_STATUSES) | Q(number__isnull=False),
                name="queueing_booking_numbered_when_confirmed",
                violation_error_code="number_missing",
                violation_error_message=_("A verified booking needs a queue number."),
            ),
            models.CheckConstraint(
                condition=Q(visit_kind__in=["", *VisitKind.values]) & Q(care_kind__in=["", *CareKind.values]),
                name="queueing_booking_pcare_kinds_valid",
                violation_error_code="invalid_pcare_kind",
                violation_error_message=_("Unknown visit type or care."),
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.REJECTED) | ~Q(reject_reason=""),
                name="queueing_booking_rejection_has_reason",
                violation_error_code="reason_required",
                violation_error_message=_("A rejection needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["date", "clinic", "status"], name="queueing_booking_day_idx"),
            models.Index(fields=["account", "-date"], name="queueing_booking_acct_idx"),
            models.Index(fields=["status", "date"], name="queueing_booking_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label or _('(no number yet)')}"

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def patient_mrn(self) -> str | None:
        """The patient's medical record number at this booking's facility (None: new there).

        Lists prefetch `patient__records` so that this costs no query per row.
        """
        return self.patient.mrn_at(self.clinic.facility_id)

    @property
    def holds_jkn_place(self) -> bool:
        """Counted in the day's Mobile JKN places (until the counter moves it to its own share)."""
        return self.channel == BookingChannel.MOBILE_JKN and not self.counter_place

    @property
    def is_cancellable_status(self) -> bool:
        return self.status in CANCELLABLE_STATUSES

    @property
    def guarantor_is_self_pay(self) -> bool:
        """A self-paying (umum) patient has no guarantor to verify."""
        return self.guarantor.kind == GuarantorKind.SELF_PAY

    @property
    def guarantor_unverified(self) -> bool:
        """BPJS could not be asked when booking (slow, down): the desk checks the card and referral."""
        return (self.guarantor_check or {}).get("status") == "unverified"


class BookingEvent(models.Model):
    """One status change of a booking: who, when, from what to what, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=BookingStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=BookingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Queue labels before and after, when a change gives a new number (moving clinic, SOP 002 step 8).
    from_label = models.CharField(_("old number"), max_length=20, blank=True)
    to_label = models.CharField(_("new number"), max_length=20, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status or '-'} -> {self.to_status}"


def booking_document_path(instance: BookingDocument, filename: str) -> str:
    """A random name on the private storage: nothing guessable, nothing personal in the path."""
    return private_path("booking-documents", filename)


class BookingDocument(models.Model):
    """A referral letter, doctor's letter (SKD) or guarantee letter sent with a booking; private storage."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="documents", verbose_name=_("booking"))
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=booking_document_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("booking document")
        verbose_name_plural = _("booking documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values),
                name="queueing_bookingdocument_kind_valid",
                violation_error_code="invalid_kind",
                violation_error_message=_("Unknown kind of document."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.uploaded_at:%Y-%m-%d})"


class Task(models.IntegerChoices):
    """BPJS Antrean's task ids (updatewaktu): the steps of a visit, each timed once per booking."""

    ADMISSION_WAIT = 1, _("1 · waiting for admission")
    ADMISSION_SERVICE = 2, _("2 · admission service")
    CLINIC_WAIT = 3, _("3 · waiting for the clinic")
    CLINIC_SERVICE = 4, _("4 · clinic service (called)")
    CLINIC_DONE = 5, _("5 · clinic done")
    CANCELLED = 99, _("99 · cancelled or did not come")


class TaskTime(models.Model):
    """When one BPJS Antrean task happened for one booking, in Unix epoch milliseconds (one row each).

    Written only by queueing.task_times.task_record, which keeps each time strictly later than the
    task before it (BPJS refuses equal times).
    """

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="task_times", verbose_name=_("booking"))
    task_id = models.PositiveSmallIntegerField(_("task"), choices=Task.choices)
    at_ms = models.BigIntegerField(_("time (epoch ms)"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["booking", "at_ms", "task_id"]
        verbose_name = _("task time")
        verbose_name_plural = _("task times")
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "task_id"],
                name="queueing_tasktime_one_per_booking_task",
                violation_error_code="task_recorded",
                violation_error_message=_("This task is already recorded for this booking."),
            ),
            models.CheckConstraint(
                condition=Q(task_id__in=Task.values),
                name="queueing_tasktime_task_valid",
                violation_error_code="invalid_task",
                violation_error_message=_("Unknown task."),
            ),
            models.CheckConstraint(
                condition=Q(at_ms__gt=0),
                name="queueing_tasktime_at_positive",
                violation_error_code="at_not_positive",
                violation_error_message=_("The time must be after 1970."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} task {self.task_id} @ {self.at_ms}"

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.at_ms / 1000, tz=dt.UTC)


# The Mobile JKN bridge's settings live with its endpoints (queueing/jkn/); imported here so that
# Django registers the model with this app.
from queueing.jkn.models import AntreanBridge  # noqa: E402
from queueing.jkn.outbox_models import OutboxEvent, OutboxKind, OutboxStatus  # noqa: E402

__all__ = ["AntreanBridge", "OutboxEvent", "OutboxKind", "OutboxStatus"]
