"""The hospital's patient index and the links between accounts and patients."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import BloodType, Education, MaritalStatus, Occupation, Religion, Sex


class Relationship(models.TextChoices):
    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class Patient(models.Model):
    """One person in the hospital's patient index (a row of the medical-record register)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mrn = models.CharField(_("medical record number"), max_length=20, null=True, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    kk_number = models.CharField(_("family card number (KK)"), max_length=16, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    address_street = models.CharField(_("street address"), max_length=200, blank=True)
    address_rt = models.CharField(_("RT"), max_length=3, blank=True)
    address_rw = models.CharField(_("RW"), max_length=3, blank=True)
    address_village = models.CharField(_("village (kelurahan/desa)"), max_length=100, blank=True)
    address_district = models.CharField(_("district (kecamatan)"), max_length=100, blank=True)
    address_regency = models.CharField(_("regency/city"), max_length=100, blank=True)
    address_province = models.CharField(_("province"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    religion = models.CharField(_("religion"), max_length=16, choices=Religion.choices, blank=True)
    blood_type = models.CharField(_("blood type"), max_length=8, choices=BloodType.choices, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=16, choices=MaritalStatus.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=150, blank=True)
    bpjs_number = models.CharField(_("BPJS Kesehatan number"), max_length=13, blank=True)
    nik_mismatch = models.BooleanField(
        _("NIK does not match birth date/sex"), default=False,
        help_text=_("The person confirmed the data matches the ID card; the clerk should check it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(fields=["mrn"], condition=Q(mrn__isnull=False), name="families_patient_mrn_unique"),
            models.UniqueConstraint(fields=["nik"], condition=~Q(nik=""), name="families_patient_nik_unique"),
            models.CheckConstraint(
                condition=Q(nik="") | Q(nik__regex=r"^[0-9]{16}$"), name="families_patient_nik_16_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["full_name"], name="families_patient_name_idx"),
            models.Index(fields=["birth_date"], name="families_patient_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_nik(self) -> str:
        """3302**********0001: enough for a person to recognise, not enough to misuse."""
        return f"{self.nik[:4]}{'*' * 8}{self.nik[-4:]}" if len(self.nik) == 16 else ""


class AccountPatient(models.Model):
    """An account may book for a patient: the family link (SOP 000 E/F)."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_links")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="account_links")
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(fields=["account", "patient"], name="families_accountpatient_unique"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(relationship="self"), name="families_accountpatient_one_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} -> {self.patient_id} ({self.relationship})"
