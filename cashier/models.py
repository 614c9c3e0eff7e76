"""The cashier (seed 003 step 7, seed 004 "KASIR"): tariffs, service areas, payments and receipt numbers.

Money is whole rupiah in integer columns: the rupiah has no minor unit in use, and a float
would turn Rp 15.000 into 14999.999... on the way back from a sum.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from guarantors.models import GuarantorKind


class PatientVisit(models.TextChoices):
    """Kunjungan baru: no earlier served visit of the patient at this facility; otherwise lama."""

    NEW = "new", _("New patient (kunjungan baru)")
    RETURNING = "returning", _("Returning patient (kunjungan lama)")
    ANY = "any", _("New or returning")


class TariffCondition(models.TextChoices):
    """Seed 003 step 7: retribution for patients without identity documents or from outside the area."""

    STANDARD = "standard", _("Standard")
    NON_RESIDENT = "non_resident", _("No identity document, or lives outside the service area")


class Tariff(models.Model):
    """What a visit costs at a facility, by guarantor kind, new or returning patient, and condition.

    No matching active tariff means nothing to pay at the cashier (BPJS Kesehatan, or a puskesmas
    whose residents are seen free of charge).
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("facility"))
    name = models.CharField(
        _("name on the receipt"), max_length=100, help_text=_("e.g. Retribusi pendaftaran, Konsultasi dokter")
    )
    guarantor_kind = models.CharField(_("guarantor kind"), max_length=32, choices=GuarantorKind.choices)
    visit = models.CharField(_("patient"), max_length=16, choices=PatientVisit.choices, default=PatientVisit.ANY)
    condition = models.CharField(
        _("condition"), max_length=16, choices=TariffCondition.choices, default=TariffCondition.STANDARD
    )
    amount = models.PositiveIntegerField(_("amount (rupiah)"))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["facility__sort_order", "guarantor_kind", "condition", "visit"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "guarantor_kind", "visit", "condition"],
                condition=Q(active=True),
                name="cashier_tariff_one_active_per_case",
                violation_error_code="tariff_exists",
                violation_error_message=_("This facility already has an active tariff for this case."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="cashier_tariff_amount_not_negative",
                violation_error_code="amount_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(guarantor_kind__in=GuarantorKind.values)
                & Q(visit__in=PatientVisit.values)
                & Q(condition__in=TariffCondition.values),
                name="cashier_tariff_choices_valid",
                violation_error_code="invalid_choice",
                violation_error_message=_("Unknown guarantor kind, patient or condition."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} · {self.name} · Rp {self.amount:,}".replace(",", ".")


class ServiceArea(models.Model):
    """A facility's working area (wilayah kerja): a regency, or one district of it.

    Patients whose address lies outside every area row of the facility pay the non-resident
    tariff (seed 003). A facility with no rows has no area rule.
    """

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="service_areas", verbose_name=_("facility")
    )
    regency = models.CharField(_("regency/city"), max_length=100)
    district = models.CharField(
        _("district (kecamatan)"), max_length=100, blank=True, help_text=_("Empty: the whole regency.")
    )

    class Meta:
        ordering = ["facility__sort_order", "regency", "district"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "regency", "district"],
                name="cashier_servicearea_unique",
                violation_error_code="area_exists",
                violation_error_message=_("This area is already listed for this facility."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} · {self.regency}{' · ' + self.district if self.district else ''}"


class ReceiptCounter(models.Model):
    """The last receipt number handed out at a facility in a year; written only by cashier/counters.py."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+", verbose_name=_("facility"))
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number handed out"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "year"],
                name="cashier_receiptcounter_facility_year_unique",
                violation_error_code="counter_exists",
                violation_error_message=_("This facility already has a receipt counter for this year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.year}: {self.last_number}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    QRIS = "qris", _("QRIS")
    DEBIT = "debit", _("Debit card (EDC)")
    TRANSFER = "transfer", _("Bank transfer")
    WAIVED = "waived", _("Waived")


NON_CASH_METHODS = (PaymentMethod.QRIS, PaymentMethod.DEBIT, PaymentMethod.TRANSFER)


class PaymentQuerySet(models.QuerySet):
    def delete(self):
        raise ValidationError(_("Payments are never deleted; void them with a reason."), code="no_delete")

    def active(self) -> PaymentQuerySet:
        return self.filter(voided_at__isnull=True)


class Payment(models.Model):
    """A fee taken (or waived) for one visit, with its receipt number. Never deleted, never changed:
    a mistake is voided with a reason by a cashier supervisor, and the receipt number stays used.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+", verbose_name=_("facility"))
    booking = models.ForeignKey(
        "queueing.Booking", on_delete=models.PROTECT, related_name="payments", verbose_name=_("visit")
    )
    receipt_year = models.PositiveSmallIntegerField(_("receipt year"))
    receipt_number = models.PositiveIntegerField(_("receipt number"))
    # What was charged and why, copied when paid: a later change of the tariff changes no receipt.
    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tariff")
    )
    description = models.CharField(_("description"), max_length=100)
    visit = models.CharField(_("patient"), max_length=16, choices=PatientVisit.choices)
    condition = models.CharField(_("condition"), max_length=16, choices=TariffCondition.choices)
    amount = models.PositiveIntegerField(_("amount (rupiah)"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    waive_reason = models.CharField(_("reason for waiving"), max_length=300, blank=True)
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("cashier")
    )
    created_at = models.DateTimeField(_("paid at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voided by"),
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        # No change or delete permission exists: a payment is written once and voided through the page.
        default_permissions = ("add", "view")
        permissions = [("void_payment", _("Can void a payment (cashier supervisor)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "receipt_year", "receipt_number"],
                name="cashier_payment_receipt_unique",
                violation_error_code="receipt_taken",
                violation_error_message=_("This receipt number is already used."),
            ),
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(voided_at__isnull=True),
                name="cashier_payment_one_active_per_booking",
                violation_error_code="already_paid",
                violation_error_message=_("This visit is already paid."),
            ),
            models.CheckConstraint(
                condition=Q(receipt_number__gte=1) & Q(amount__gte=0),
                name="cashier_payment_numbers_positive",
                violation_error_code="number_not_positive",
                violation_error_message=_("Receipt numbers start at 1 and amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values)
                & Q(visit__in=[PatientVisit.NEW, PatientVisit.RETURNING])
                & Q(condition__in=TariffCondition.values),
                name="cashier_payment_choices_valid",
                violation_error_code="invalid_choice",
                violation_error_message=_("Unknown method, patient or condition."),
            ),
            models.CheckConstraint(
                condition=~Q(method__in=NON_CASH_METHODS) | ~Q(reference=""),
                name="cashier_payment_non_cash_has_reference",
                violation_error_code="reference_required",
                violation_error_message=_("A non-cash payment needs its reference number."),
            ),
            models.CheckConstraint(
                condition=(Q(method=PaymentMethod.WAIVED) & ~Q(waive_reason=""))
                | (~Q(method=PaymentMethod.WAIVED) & Q(waive_reason="")),
                name="cashier_payment_waiver_has_reason",
                violation_error_code="waive_reason_required",
                violation_error_message=_("A waiver needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
                name="cashier_payment_void_complete",
                violation_error_code="void_reason_required",
                violation_error_message=_("A void needs who, when and a reason."),
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | Q(voided_at__gte=F("created_at")),
                name="cashier_payment_void_after_payment",
                violation_error_code="void_before_payment",
                violation_error_message=_("A payment cannot be voided before it was made."),
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "created_at"], name="cashier_payment_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_label} · Rp {self.amount}"

    @property
    def receipt_label(self) -> str:
        """'2026/000123': the year first, as the number restarts each year."""
        return f"{self.receipt_year}/{self.receipt_number:06d}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_waiver(self) -> bool:
        return self.method == PaymentMethod.WAIVED

    @property
    def amount_received(self) -> int:
        return 0 if self.is_waiver else self.amount

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Payments are never deleted; void them with a reason."), code="no_delete")
