"""Guarantor (payer) types as data: what each needs from the patient (seed 004)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GuarantorKind(models.TextChoices):
    """Which rules apply: code keys on the kind, never on an admin-editable code or name."""

    SELF_PAY = "umum", _("Self-pay (Umum)")
    BPJS_KESEHATAN = "bpjs_kesehatan", _("BPJS Kesehatan")
    BPJS_KETENAGAKERJAAN = "bpjs_ketenagakerjaan", _("BPJS Ketenagakerjaan")
    TASPEN = "taspen", _("TASPEN")
    JPKMKT = "jpkmkt", _("JPKMKT (local government cover)")
    JASA_RAHARJA = "jasa_raharja", _("Jasa Raharja")
    INSURANCE = "asuransi", _("Private insurance or company")


def validate_document_list(value: object) -> None:
    """Required documents are a JSON list of non-empty strings (printed as a checklist)."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError(_("Enter a list of document names."), code="invalid_documents")
    for item in value:  # PostgreSQL's jsonb cannot store "\u0000": a database error otherwise
        ProhibitNullCharactersValidator()(item)


def validate_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(
            _("Not a valid regular expression: %(error)s"), code="invalid_pattern", params={"error": exc}
        ) from exc


class DocumentKind(models.TextChoices):
    """Letters a patient sends with a booking (stored by queueing, named here with the guarantors)."""

    REFERRAL_LETTER = "referral_letter", _("Referral letter")
    DOCTOR_LETTER = "doctor_letter", _("Doctor's letter (SKD)")
    GUARANTEE_LETTER = "guarantee_letter", _("Guarantee letter")


class GuarantorType(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=GuarantorKind.choices, default=GuarantorKind.SELF_PAY)
    # Data, not UI: written in Indonesian for patients, like the document names.
    description = models.TextField(_("notes for the patient"), blank=True)
    needs_card_number = models.BooleanField(_("needs a card number"), default=False)
    card_number_label = models.CharField(_("card number label"), max_length=60, blank=True)
    card_number_pattern = models.CharField(
        _("card number pattern"),
        max_length=100,
        blank=True,
        validators=[validate_pattern],
        help_text=_("A regular expression, e.g. ^[0-9]{13}$"),
    )
    needs_referral = models.BooleanField(_("needs a referral"), default=False)
    required_documents = models.JSONField(
        _("required documents"), default=list, blank=True, validators=[validate_document_list]
    )
    needs_letter_upload = models.BooleanField(
        _("asks for a photo of the letter when booking"),
        default=False,
        help_text=_("The booking form then asks for the referral, guarantee or doctor's letter (JPEG, PNG or PDF)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("guarantor type")
        verbose_name_plural = _("guarantor types")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=GuarantorKind.values),
                name="guarantors_guarantortype_kind_valid",
                violation_error_code="invalid_kind",
                violation_error_message=_("Unknown kind of guarantor."),
            ),
            # A card number the form cannot check is a card number nobody checks.
            models.CheckConstraint(
                condition=Q(needs_card_number=False) | ~Q(card_number_pattern=""),
                name="guarantors_guarantortype_card_pattern_when_needed",
                violation_error_code="card_pattern_required",
                violation_error_message=_("A guarantor that asks for a card number needs a card number format."),
            ),
            # The BPJS eligibility check starts from the card number.
            models.CheckConstraint(
                condition=~Q(kind=GuarantorKind.BPJS_KESEHATAN) | Q(needs_card_number=True),
                name="guarantors_guarantortype_bpjs_needs_card",
                violation_error_code="bpjs_needs_card",
                violation_error_message=_("BPJS Kesehatan always asks for the card number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_bpjs_kesehatan(self) -> bool:
        return self.kind == GuarantorKind.BPJS_KESEHATAN

    def card_number_matches(self, value: str) -> bool:
        return bool(self.card_number_pattern) and re.fullmatch(self.card_number_pattern, value) is not None


class ClinicDocumentRule(models.Model):
    """Extra papers one clinic asks for (e.g. a doctor's letter, SKD), for one or every guarantor."""

    # queueing's clinic code, kept as text so guarantors never imports queueing (STYLE.md).
    clinic_code = models.CharField(_("clinic code"), max_length=20)
    guarantor_type = models.ForeignKey(
        GuarantorType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clinic_rules",
        verbose_name=_("guarantor type"),
        help_text=_("Empty: applies to every guarantor."),
    )
    documents = models.JSONField(_("extra documents"), default=list, blank=True, validators=[validate_document_list])
    needs_letter_upload = models.BooleanField(_("asks for a photo of the letter when booking"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["clinic_code", "guarantor_type__sort_order"]
        verbose_name = _("clinic document rule")
        verbose_name_plural = _("clinic document rules")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic_code", "guarantor_type"],
                condition=Q(guarantor_type__isnull=False),
                name="guarantors_clinicdocumentrule_unique_per_type",
                violation_error_code="rule_exists",
                violation_error_message=_("This clinic already has a document rule for this guarantor."),
            ),
            models.UniqueConstraint(
                fields=["clinic_code"],
                condition=Q(guarantor_type__isnull=True),
                name="guarantors_clinicdocumentrule_unique_for_all",
                violation_error_code="rule_exists",
                violation_error_message=_("This clinic already has a document rule for every guarantor."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_code} / {self.guarantor_type or '*'}"
