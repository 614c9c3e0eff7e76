"""The hospital's patient index and the links between accounts and patients."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import BloodType, Education, MaritalStatus, Occupation, Religion, Sex
from facilities.models import default_facility_id
from families.fields import BlindIndexField, EncryptedCharField
from families.validators import age_on
from portal.lib.uploads import EXTENSIONS, private_path

# What a member's record must hold before booking (SOP 000 I.2 "data keluarga telah dilengkapi");
# the new-member form marks exactly these with *.
REQUIRED_PATIENT_FIELDS: tuple[str, ...] = (
    "full_name",
    "nik",
    "sex",
    "birth_place",
    "birth_date",
    "address_street",
    "address_village",
    "address_district",
    "address_regency",
    "address_province",
    "phone",
    "religion",
    "blood_type",
    "marital_status",
    "education",
    "occupation",
    "mother_name",
)


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
    # Deprecated mirror of the record at the default facility (PatientRecord is the truth):
    # kept so that a single-facility deployment and older callers read `patient.mrn` as before.
    # PatientRecord.save writes it; saving a changed `mrn` here writes that record. Read a
    # facility's number with `mrn_at(facility_id)`.
    mrn = models.CharField(_("medical record number"), max_length=20, null=True, blank=True)
    # Identity numbers are encrypted at rest (families/fields.py); filter(nik=...) and
    # filter(kk_number=...) are answered by the blind indexes beside them.
    nik = EncryptedCharField(_("NIK"), max_length=16, blank=True)
    nik_index = BlindIndexField(source="nik")
    kk_number = EncryptedCharField(_("family card number (KK)"), max_length=16, blank=True)
    kk_index = BlindIndexField(source="kk_number", db_index=True)
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
    bpjs_number = EncryptedCharField(_("BPJS Kesehatan number"), max_length=13, blank=True)
    # Mobile JKN finds a patient by card number (queueing/jkn); not unique: old records repeat cards.
    bpjs_index = BlindIndexField(source="bpjs_number", db_index=True)
    nik_mismatch = models.BooleanField(
        _("NIK does not match birth date/sex"),
        default=False,
        help_text=_("The person confirmed the data matches the ID card; the clerk should check it."),
    )
    # Flags for the registration clerk (admin filters), set by the link-safety rules in services.
    link_disputed = models.BooleanField(
        _("a family link was reported"),
        default=False,
        help_text=_("An account holder said a new link to this patient is not their family; the link was removed."),
    )
    unverified_changes = models.BooleanField(
        _("data added by an unverified link"),
        default=False,
        help_text=_(
            "An account linked only by medical record number and birth date filled in data or documents; "
            "check them against the ID card."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(
                fields=["mrn"],
                condition=Q(mrn__isnull=False),
                name="families_patient_mrn_unique",
                violation_error_code="unique",
                violation_error_message=_("A patient with this medical record number already exists."),
            ),
            # The NIK's shape is checked by validate_nik on every path in; the column holds ciphertext.
            models.UniqueConstraint(
                fields=["nik_index"],
                condition=Q(nik_index__isnull=False),
                name="families_patient_nik_index_unique",
                violation_error_code="unique",
                violation_error_message=_("A patient with this NIK already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["full_name"], name="families_patient_name_idx"),
            models.Index(fields=["birth_date"], name="families_patient_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    # Blind indexes and the encrypted field each belongs to.
    INDEXED = {"nik": "nik_index", "kk_number": "kk_index", "bpjs_number": "bpjs_index"}

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:  # an index is written whenever its source is
            kwargs["update_fields"] = set(update_fields) | {self.INDEXED[n] for n in update_fields if n in self.INDEXED}
        mirror = self.mrn and self.mrn != getattr(self, "_loaded_mrn", None)
        mirror = mirror and (update_fields is None or "mrn" in update_fields)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if mirror:  # a number typed into the deprecated field is the default facility's record
                PatientRecord.objects.update_or_create(
                    patient=self, facility_id=default_facility_id(), defaults={"mrn": self.mrn}
                )
        self._loaded_mrn = self.mrn

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_mrn = instance.__dict__.get("mrn")
        return instance

    def mrn_at(self, facility_id: int | None) -> str | None:
        """This patient's medical record number at a facility (None: none there yet).

        Uses the prefetched `records` when the caller prefetched them (lists, registers).
        """
        cached = getattr(self, "_prefetched_objects_cache", {}).get("records")
        if cached is not None:
            return next((r.mrn for r in cached if r.facility_id == facility_id), None)
        return self.records.filter(facility_id=facility_id).values_list("mrn", flat=True).first()

    def validate_constraints(self, exclude=None) -> None:
        for name in self.INDEXED.values():  # the indexes the next save would write
            setattr(self, name, self._meta.get_field(name).compute(self))
        try:
            super().validate_constraints(exclude)
        except ValidationError as exc:  # an index error belongs to the field the person typed
            sources = {index: source for source, index in self.INDEXED.items()}
            raise ValidationError({sources.get(name, name): errors for name, errors in exc.error_dict.items()}) from exc

    @property
    def masked_nik(self) -> str:
        """3302**********0001: enough for a person to recognise, not enough to misuse."""
        return f"{self.nik[:4]}{'*' * 8}{self.nik[-4:]}" if len(self.nik) == 16 else ""

    @property
    def masked_kk_number(self) -> str:
        return f"{self.kk_number[:4]}{'*' * 8}{self.kk_number[-4:]}" if len(self.kk_number) == 16 else ""

    @property
    def masked_bpjs_number(self) -> str:
        return f"{'*' * 9}{self.bpjs_number[-4:]}" if self.bpjs_number else ""

    @property
    def masked_name(self) -> str:
        """'Budi Santoso' -> 'Bu** Sa*****': shown after an MRN match, before the link exists."""
        return " ".join(
            word[:2] + "*" * max(len(word) - 2, 0) if len(word) > 2 else word[:1] + "*"
            for word in self.full_name.split()
        )

    @property
    def missing_fields(self) -> list[str]:
        """Names of required fields still empty (imported records are often incomplete)."""
        return [name for name in REQUIRED_PATIENT_FIELDS if getattr(self, name) in ("", None)]

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields

    @property
    def age(self) -> int:
        return age_on(self.birth_date)


class AccountPatient(models.Model):
    """An account may book for a patient: the family link (SOP 000 E/F).

    A link made by MRN + birth date alone is unverified (`verified_at` empty): it may book and
    fill in what is missing, but reads identity numbers masked and no documents, until a clerk
    who saw the ID card or an existing verified holder verifies it (families.access owns this).
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_links", verbose_name=_("account")
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="account_links", verbose_name=_("patient")
    )
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "patient"],
                name="families_accountpatient_unique",
                violation_error_code="already_linked",
                violation_error_message=_("This patient is already in this account's family."),
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(relationship="self"),
                name="families_accountpatient_one_self",
                violation_error_code="one_self",
                violation_error_message=_("An account has only one member who is the account holder."),
            ),
        ]

    def __str__(self) -> str:
        # Shown above each row of the admin's link inline: a readable word, not raw ids.
        return str(self.get_relationship_display())

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class LinkAction(models.TextChoices):
    CREATED = "created", _("Link created")
    CHANGED = "changed", _("Relationship changed")
    REMOVED = "removed", _("Link removed")
    MERGED = "merged", _("Moved by a patient merge")
    VERIFIED = "verified", _("Link verified")
    DISPUTED = "disputed", _("Reported: not my family")


class LinkLog(models.Model):
    """History of account-patient links; kept when the link or a merged patient row is gone."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("account")
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.SET_NULL, null=True, related_name="link_logs", verbose_name=_("patient")
    )
    # The patient row id at the time of the event: after a merge `patient` points at the kept row.
    patient_ref = models.UUIDField(_("patient row id"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    action = models.CharField(_("action"), max_length=16, choices=LinkAction.choices)
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("family link log entry")
        verbose_name_plural = _("family link log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.patient_ref} ({self.at:%Y-%m-%d %H:%M})"


class AccessWhat(models.TextChoices):
    """What a logged viewer looked at; `detail` says which document kind."""

    PATIENT_RECORD = "patient_record", _("Patient record")
    PATIENT_SEARCH = "patient_search", _("Patient in search results")
    BOOKING = "booking", _("Booking")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    BOOKING_LETTER = "booking_letter", _("Letter sent with a booking")


class PatientAccessLog(models.Model):
    """Who looked at a patient's record or documents (Permenkes 24/2022 art. 30 audit trail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("user")
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.SET_NULL, null=True, related_name="access_logs", verbose_name=_("patient")
    )
    patient_ref = models.UUIDField(_("patient row id"))
    what = models.CharField(_("what was viewed"), max_length=32, choices=AccessWhat.choices)
    detail = models.CharField(_("detail"), max_length=32, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("patient access log entry")
        verbose_name_plural = _("patient access log")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(what__in=AccessWhat.values),
                name="families_patientaccesslog_what_valid",
                violation_error_code="access_what_invalid",
                violation_error_message=_("Unknown kind of access."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.what}{f':{self.detail}' if self.detail else ''} {self.patient_ref}"


class DocumentKind(models.TextChoices):
    KTP = "ktp", _("ID card (KTP)")
    KK = "kk", _("Family card (KK)")
    BPJS = "bpjs", _("BPJS Kesehatan card")


def identity_upload_to(instance: IdentityDocument, filename: str) -> str:
    """A random name on the private storage: nothing about the patient, nothing guessable."""
    return private_path("identity", filename)


class IdentityDocument(models.Model):
    """A photo or scan of a patient's KTP, KK or BPJS card; one current file per kind."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="documents", verbose_name=_("patient"))
    kind = models.CharField(_("document"), max_length=8, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=identity_upload_to, max_length=200)
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
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                name="families_identitydocument_one_per_kind",
                violation_error_code="document_kind_exists",
                violation_error_message=_("This patient already has a document of this kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.uploaded_at:%Y-%m-%d})"

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")


@receiver(post_delete, sender=IdentityDocument, dispatch_uid="families.delete_document_file")
def _delete_document_file(sender, instance: IdentityDocument, **kwargs) -> None:
    """However a document row goes (merge, cascade, admin), its file goes once the delete commits.

    robust: a storage that fails then (a full disk, S3 down) is logged and leaves an orphan file
    rather than an error page for a delete that has already happened."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)


class LookupKind(models.TextChoices):
    EXISTING_PATIENT = "existing", _("Existing-patient lookup")
    MRN_CHECK = "mrn_check", _("Medical record number check")
    NIK_TAKEN = "nik_taken", _("NIK already registered")


class LookupFailure(models.Model):
    """A failed MRN + birth date lookup: counted per account to stop anyone walking the index.

    A table rather than the cache so that every gunicorn worker (and server) sees the same count.
    """

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=LookupKind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("failed patient lookup")
        verbose_name_plural = _("failed patient lookups")
        indexes = [models.Index(fields=["account", "at"], name="families_lookupfail_at_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class PatientRecord(models.Model):
    """A patient's medical record number at one facility (issue 11): the same person may have
    00012345 at one puskesmas and another number at the next.

    Numbers are handed out by families.services.patient_record_allocate from the facility's own
    counter (facilities/counters.py) or typed from an old paper card; the constraints below
    decide every race.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="records", verbose_name=_("patient"))
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="patient_records", verbose_name=_("facility")
    )
    mrn = models.CharField(_("medical record number"), max_length=20)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("medical record")
        verbose_name_plural = _("medical records")
        ordering = ["facility__sort_order", "facility__name", "facility_id"]
        # A number typed without its facility (a superuser's search) is found through this index.
        indexes = [models.Index(fields=["mrn"], name="families_record_mrn_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "mrn"],
                name="families_patientrecord_facility_mrn_unique",
                violation_error_code="mrn_exists",
                violation_error_message=_("Another patient already has this medical record number at this facility."),
            ),
            models.UniqueConstraint(
                fields=["patient", "facility"],
                name="families_patientrecord_one_per_facility",
                violation_error_code="record_exists",
                violation_error_message=_("This patient already has a medical record number at this facility."),
            ),
            models.CheckConstraint(
                condition=~Q(mrn=""),
                name="families_patientrecord_mrn_not_empty",
                violation_error_code="mrn_empty",
                violation_error_message=_("A medical record number cannot be empty."),
            ),
        ]

    def __str__(self) -> str:
        return self.mrn

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if self.facility_id == default_facility_id():  # the deprecated mirror (Patient.mrn)
            Patient.objects.filter(pk=self.patient_id).exclude(mrn=self.mrn).update(mrn=self.mrn)
