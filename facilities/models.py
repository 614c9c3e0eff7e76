"""Health facilities (RSUD, puskesmas, clinic) served by one deployment, and the staff who work there.

The ground floor beside `accounts`: this app imports no other app. Everything that happens at a
place (clinics and through them schedules, quotas and bookings; booking settings; counters)
points at a Facility; a staff member's memberships say where they work.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FacilityKind(models.TextChoices):
    RSUD = "rsud", _("Regional hospital (RSUD)")
    PUSKESMAS = "puskesmas", _("Community health centre (puskesmas)")
    KLINIK = "klinik", _("Clinic (klinik)")


class FacilityTimeZone(models.TextChoices):
    """Indonesia's three zones: a facility in Bali or Papua must not book on Jakarta's clock."""

    WIB = "Asia/Jakarta", _("WIB (Western Indonesia, UTC+7)")
    WITA = "Asia/Makassar", _("WITA (Central Indonesia, UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (Eastern Indonesia, UTC+9)")


class FacilityQuerySet(models.QuerySet):
    def active(self) -> FacilityQuerySet:
        return self.filter(active=True)


class Facility(models.Model):
    """One place where patients are seen, with its own clock and its own numbering."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=FacilityKind.choices, default=FacilityKind.RSUD)
    bpjs_ppk_code = models.CharField(_("BPJS provider code (kode PPK)"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=32, choices=FacilityTimeZone.choices, default=FacilityTimeZone.WIB
    )
    mrn_digits = models.PositiveSmallIntegerField(
        _("medical record number width"),
        default=8,
        help_text=_("Digits of this facility's medical record numbers; shorter input is zero-padded."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name", "pk"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="facilities_facility_name_unique",
                violation_error_code="name_taken",
                violation_error_message=_("A facility with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(time_zone__in=FacilityTimeZone.values),
                name="facilities_facility_time_zone_valid",
                violation_error_code="invalid_time_zone",
                violation_error_message=_("Choose WIB, WITA or WIT."),
            ),
            models.CheckConstraint(
                condition=Q(mrn_digits__gte=4, mrn_digits__lte=16),
                name="facilities_facility_mrn_digits_range",
                violation_error_code="mrn_digits_range",
                violation_error_message=_("A medical record number has between 4 and 16 digits."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self, now: dt.datetime | None = None) -> dt.datetime:
        """The wall-clock time at this facility (the one function every "now" at a facility goes through)."""
        return timezone.localtime(now or timezone.now(), self.tzinfo)

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        """The date at this facility: "today" for booking windows, cut-offs, registers and slips."""
        return self.local_now(now).date()

    def make_aware(self, value: dt.datetime) -> dt.datetime:
        """A naive wall-clock time at this facility made aware (a practice's start, a cut-off)."""
        return timezone.make_aware(value, self.tzinfo)


def default_facility() -> Facility:
    """The deployment's first facility, made from the HOSPITAL_* settings when there is none yet.

    A single-facility deployment (and every existing caller that predates facilities) never names
    one: new clinics and settings land here. With several facilities the admin chooses explicitly.
    """
    facility = Facility.objects.order_by("pk").first()
    if facility is None:
        facility, _created = Facility.objects.get_or_create(
            name=settings.HOSPITAL_NAME,
            defaults={"address": settings.HOSPITAL_ADDRESS, "phone": settings.HOSPITAL_PHONE},
        )
    return facility


def default_facility_id() -> int:
    """Model-field default for every `facility` foreign key."""
    return default_facility().pk


class FacilityRole(models.TextChoices):
    CLERK = "clerk", _("Registration clerk")
    NURSE = "nurse", _("Nurse")
    KIOSK = "kiosk", _("Kiosk")
    SCREEN = "screen", _("Calling screen")
    HEALTH_OFFICE = "health_office", _("Health office (aggregated figures only)")
    # The cashier (seed 004 "KASIR"): takes consultation fees and retributions; the supervisor also voids.
    CASHIER = "cashier", _("Cashier")
    CASHIER_SUPERVISOR = "cashier_supervisor", _("Cashier supervisor")


class FacilityMembership(models.Model):
    """A staff user works at a facility in a role; a user may hold several (facilities or roles)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facility_memberships", verbose_name=_("user")
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("facility")
    )
    role = models.CharField(_("role"), max_length=24, choices=FacilityRole.choices, default=FacilityRole.CLERK)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["facility__sort_order", "facility__name", "role"]
        verbose_name = _("facility membership")
        verbose_name_plural = _("facility memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "facility", "role"],
                name="facilities_facilitymembership_unique",
                violation_error_code="membership_exists",
                violation_error_message=_("This user already has this role at this facility."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=FacilityRole.values),
                name="facilities_facilitymembership_role_valid",
                violation_error_code="invalid_role",
                violation_error_message=_("Unknown role."),
            ),
        ]
        indexes = [models.Index(fields=["user", "facility"], name="facilities_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.facility} · {self.get_role_display()}"


class MrnCounter(models.Model):
    """The last medical record number a facility handed out: one row per facility.

    Every facility numbers its own medical records (issue 11). The row is written only by
    facilities/counters.py (mrn_counter_take), with one `UPDATE ... RETURNING` inside the
    registering transaction: a rollback gives the number back, two clerks never get the same
    one, and numbers only go up. A row of its own rather than a column on Facility: saving a
    facility in the admin rewrites every column and would put a stale number back.
    """

    facility = models.OneToOneField(
        Facility,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="mrn_counter",
        verbose_name=_("facility"),
    )
    last_number = models.BigIntegerField(_("last number handed out"), default=0)

    class Meta:
        verbose_name = _("medical record number counter")
        verbose_name_plural = _("medical record number counters")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_number__gte=0),
                name="facilities_mrncounter_not_negative",
                violation_error_code="mrn_counter_negative",
                violation_error_message=_("The medical record number counter cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id}: {self.last_number}"
