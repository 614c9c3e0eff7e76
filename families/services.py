"""Writes that carry the family rules: add, link, edit, merge and unlink members; documents.

Lock order (whenever more than one is taken): the account row (rate limit), then patient rows
in id order, then their links and documents. Uniqueness of NIK, MRN and "one self per
account" is enforced by named constraints; the checks here only give the person a clear error.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import rate_limit_take
from facilities.counters import mrn_counter_take
from facilities.models import Facility, default_facility, default_facility_id
from families import link_mail, selectors
from families.models import (
    AccessWhat,
    AccountPatient,
    IdentityDocument,
    LinkAction,
    LinkLog,
    LookupFailure,
    LookupKind,
    Patient,
    PatientAccessLog,
    PatientRecord,
    Relationship,
)
from families.signals import patient_merged
from portal.lib.uploads import CleanUpload, discard_private, store_failed, store_private

log = logging.getLogger(__name__)
T = TypeVar("T")

# Fields a person may not change once the hospital has assigned an MRN: the registration
# counter corrects them against the ID card.
IDENTITY_FIELDS = ("full_name", "nik", "sex", "birth_date")
MRN_LINK_NOTE = "existing patient, MRN + birth date"  # also read by the link-verification data migration
_NOT_MERGED = {"id", "mrn", "nik_mismatch", "nik_index", "kk_index", "bpjs_index", "created_at", "updated_at"}

NO_MATCH = _("No patient matches this medical record number and date of birth. Check both against the patient card.")
RATE_LIMITED = _("Too many unsuccessful attempts. Try again in an hour, or ask the registration counter for help.")
DOCUMENT_PRESENT = _(
    "The hospital already has this document. Until your link to this patient is verified you can only add "
    "documents that are missing."
)
NIK_TAKEN = _(
    "This NIK is already registered at the hospital. Add this person with the “Existing patient” tab, "
    "using the medical record number on the patient card."
)


def _field_error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# --- Audit -------------------------------------------------------------------------------


def access_log(user: User | None, patient: Patient, what: AccessWhat, detail: str = "") -> PatientAccessLog:
    """Record that `user` looked at `what` (a document: `detail` is its kind) of `patient`."""
    return PatientAccessLog.objects.create(user=user, patient=patient, patient_ref=patient.pk, what=what, detail=detail)


def access_log_many(user: User | None, patients: list[Patient], what: AccessWhat) -> None:
    """One access-log row per patient shown (a page of search results: at most list_per_page rows)."""
    PatientAccessLog.objects.bulk_create(
        PatientAccessLog(user=user, patient=patient, patient_ref=patient.pk, what=what) for patient in patients
    )


def _log_link(link: AccountPatient, action: str, actor: User | None, note: str = "") -> None:
    LinkLog.objects.create(
        account_id=link.account_id,
        patient_id=link.patient_id,
        patient_ref=link.patient_id,
        actor=actor,
        action=action,
        relationship=link.relationship,
        note=note,
    )


# --- Rate limit on lookups that reveal whether a record exists ----------------------------


def _lock_account(account: User) -> None:
    """Serialise one account's lookups so that parallel requests cannot overrun the limit."""
    list(User.objects.select_for_update(no_key=True).filter(pk=account.pk).values_list("pk", flat=True))


def _check_ip_allowed(client_ip: str | None) -> None:
    """Every look-up counts per IP address too: many fresh accounts from one address get no more tries."""
    if client_ip is None:
        return  # not from a request (commands, tests of the account limit alone)
    if not rate_limit_take(
        scope="patient_lookup_ip", identifier=client_ip, limit=settings.FAMILY_LOOKUPS_PER_IP_PER_HOUR
    ):
        log.warning("patient look-up throttled per IP address")
        raise ValidationError(RATE_LIMITED, code="rate_limited")


def _limited_lookup(
    account: User, kind: str, probe: Callable[[], T], failed: Callable[[T], bool], client_ip: str | None = None
) -> T:
    """Run `probe` unless the account is over its failure limit (or its IP over its look-ups); count a failure.

    The failure row commits even though the caller then raises: that is the point.
    """
    _check_ip_allowed(client_ip)
    with transaction.atomic():
        _lock_account(account)
        if selectors.lookup_failures_recent(account) >= settings.FAMILY_LOOKUP_MAX_FAILURES:
            blocked, result = True, None
        else:
            blocked, result = False, probe()
            if failed(result):
                LookupFailure.objects.create(account=account, kind=kind)
                # Rows far outside the window only matter as recent history; keep the table small.
                LookupFailure.objects.filter(account=account, at__lt=timezone.now() - dt.timedelta(days=30)).delete()
    if blocked:
        raise ValidationError(RATE_LIMITED, code="rate_limited")
    return result


def require_confirmed_email(account: User) -> None:
    """Linking an existing patient needs an address we can reach (and tell the other holders about)."""
    if not account.email_confirmed:
        raise ValidationError(
            _("Confirm your e-mail address first: open the link we sent you, then add an existing patient."),
            code="email_unconfirmed",
        )


def patient_find_by_mrn(
    *,
    account: User,
    mrn: str,
    birth_date: dt.date,
    facility: Facility | None = None,
    kind: str = LookupKind.EXISTING_PATIENT,
    client_ip: str | None = None,
) -> Patient:
    """The patient with this MRN at `facility` (the default one when not named) and this birth date.

    One generic error for every kind of miss.
    """
    require_confirmed_email(account)
    facility = facility or default_facility()
    found = _limited_lookup(
        account,
        kind,
        lambda: Patient.objects.filter(records__facility=facility, records__mrn=mrn, birth_date=birth_date).first(),
        lambda p: p is None,
        client_ip,
    )
    if found is None:
        raise ValidationError(NO_MATCH, code="no_match")
    return found


def _check_nik_free(account: User, nik: str, exclude: uuid.UUID | None = None, client_ip: str | None = None) -> None:
    """A NIK already in the index cannot be added again; the probe counts toward the limits."""
    others = Patient.objects.filter(nik=nik)
    if exclude:
        others = others.exclude(pk=exclude)
    if _limited_lookup(account, LookupKind.NIK_TAKEN, others.exists, bool, client_ip):
        raise _field_error("nik", NIK_TAKEN, "nik_exists")


# --- Family rules -----------------------------------------------------------------------


def _check_relationship(account: User, relationship: str, patient_id: uuid.UUID | None = None) -> None:
    if relationship != Relationship.SELF:
        return
    selves = AccountPatient.objects.filter(account=account, relationship=Relationship.SELF)
    if patient_id:
        selves = selves.exclude(patient_id=patient_id)
    if selves.exists():
        raise _field_error(
            "relationship", _("This account already has a member with the relationship “Self”."), "self_exists"
        )


def _check_kk(account: User, relationship: str, kk_number: str) -> None:
    """SOP 002 (when the hospital turns it on): members must be on the holder's family card."""
    if not settings.FAMILY_KK_MUST_MATCH or relationship == Relationship.SELF:
        return
    own = selectors.self_link(account)
    if own is None or not own.patient.kk_number:
        raise _field_error(
            "kk_number",
            _(
                "First add yourself (relationship “Self”) with your family card number; members must be on the same card."
            ),
            "kk_self_missing",
        )
    if kk_number != own.patient.kk_number:
        raise _field_error(
            "kk_number",
            _("Only members on your own family card (KK) can be added. Check the KK number."),
            "kk_mismatch",
        )


def _explain_conflict(account: User, relationship: str, nik: str, patient_id: uuid.UUID | None) -> ValidationError:
    """After an IntegrityError: a concurrent request won a race; name the rule it broke."""
    try:
        _check_relationship(account, relationship, patient_id)
        if nik and Patient.objects.filter(nik=nik).exclude(pk=patient_id).exists():
            return _field_error("nik", NIK_TAKEN, "nik_exists")
    except ValidationError as exc:
        return exc
    return ValidationError(_("Someone changed these data at the same time. Please try again."), code="conflict")


def member_add_new(
    *, account: User, relationship: str, nik_mismatch: bool = False, client_ip: str | None = None, **fields: Any
) -> AccountPatient:
    """Create a new patient (no MRN yet) and link it to the account (SOP 000 E).

    The account typed the identity itself, so the link is verified from the start.
    """
    nik = fields.get("nik", "")
    _check_relationship(account, relationship)
    _check_kk(account, relationship, fields.get("kk_number", ""))
    if nik:
        _check_nik_free(account, nik, client_ip=client_ip)
    try:
        with transaction.atomic():
            patient = Patient.objects.create(nik_mismatch=nik_mismatch, **fields)
            link = AccountPatient.objects.create(
                account=account,
                patient=patient,
                relationship=relationship,
                verified_at=timezone.now(),
                verified_by=account,
            )
            _log_link(link, LinkAction.CREATED, actor=account, note="new patient")
    except IntegrityError as exc:
        raise _explain_conflict(account, relationship, nik, None) from exc
    selectors.forget_family_patient_ids(account)
    return link


def member_link_existing(
    *,
    account: User,
    patient_id: uuid.UUID,
    relationship: str,
    nik_mismatch: bool = False,
    client_ip: str | None = None,
    **fill: Any,
) -> AccountPatient:
    """Link a found patient to the account, unverified, and fill in only the fields still empty (SOP 000 F).

    Filling blanks only means knowing an MRN and birth date never lets anyone overwrite the
    hospital's data; what was filled is flagged for the clerk, and the patient's verified
    holders are e-mailed at once (after commit).
    """
    require_confirmed_email(account)
    if fill.get("nik"):
        _check_nik_free(account, fill["nik"], exclude=patient_id, client_ip=client_ip)
    try:
        with transaction.atomic():
            patient = Patient.objects.select_for_update(no_key=True).filter(pk=patient_id).first()
            if patient is None:
                raise ValidationError(NO_MATCH, code="no_match")
            if AccountPatient.objects.filter(account=account, patient=patient).exists():
                raise ValidationError(_("This patient is already a member of your account."), code="already_linked")
            _check_relationship(account, relationship)
            values = {k: v for k, v in fill.items() if v not in ("", None) and getattr(patient, k) in ("", None)}
            _check_kk(account, relationship, values.get("kk_number") or patient.kk_number)
            for name, value in values.items():
                setattr(patient, name, value)
            patient.nik_mismatch = patient.nik_mismatch or nik_mismatch
            patient.unverified_changes = patient.unverified_changes or bool(values)
            patient.save()
            link = AccountPatient.objects.create(account=account, patient=patient, relationship=relationship)
            _log_link(link, LinkAction.CREATED, actor=account, note=MRN_LINK_NOTE)
            link_mail.notify_holders(link)
    except IntegrityError as exc:
        raise _explain_conflict(account, relationship, fill.get("nik", ""), patient_id) from exc
    selectors.forget_family_patient_ids(account)
    return link


def member_update(
    *,
    account: User,
    link: AccountPatient,
    relationship: str,
    nik_mismatch: bool = False,
    client_ip: str | None = None,
    **values: Any,
) -> AccountPatient:
    """Save a member's edited data (SOP 000 G); identity stays as the hospital has it once an MRN exists.

    An unverified link only fills what is empty (selectors.MemberAccess), flagged for the clerk.
    """
    current = Patient.objects.get(pk=link.patient_id)
    if current.records.exists():  # registered by a facility: identity is the counter's to correct
        values = {k: v for k, v in values.items() if k not in IDENTITY_FIELDS or getattr(current, k) in ("", None)}
    access = selectors.MemberAccess(link)
    values = {k: v for k, v in values.items() if access.may_change(k, getattr(current, k))}
    fills_for_clerk = not access.verified and any(v not in ("", None) for v in values.values())
    nik = values.get("nik", current.nik)
    if nik and nik != current.nik:
        _check_nik_free(account, nik, exclude=current.pk, client_ip=client_ip)
    _check_relationship(account, relationship, link.patient_id)
    _check_kk(account, relationship, values.get("kk_number", current.kk_number))
    try:
        with transaction.atomic():
            patient = Patient.objects.select_for_update(no_key=True).get(pk=link.patient_id)
            values = {k: v for k, v in values.items() if access.may_change(k, getattr(patient, k))}  # under the lock
            for name, value in values.items():
                setattr(patient, name, value)
            patient.nik_mismatch = nik_mismatch if access.verified else patient.nik_mismatch or nik_mismatch
            patient.unverified_changes = patient.unverified_changes or fills_for_clerk
            patient.save()
            link = AccountPatient.objects.select_for_update().get(pk=link.pk)
            if link.relationship != relationship:
                link.relationship = relationship
                link.save(update_fields=["relationship"])
                _log_link(link, LinkAction.CHANGED, actor=account)
    except IntegrityError as exc:
        raise _explain_conflict(account, relationship, nik, link.patient_id) from exc
    link.patient = patient
    return link


def member_unlink(*, account: User, link: AccountPatient) -> None:
    """Remove a member from the account; the hospital's patient record stays."""
    if link.relationship == Relationship.SELF:
        raise ValidationError(_("You cannot remove yourself from your own account."), code="cannot_remove_self")
    with transaction.atomic():
        deleted, _rows = AccountPatient.objects.filter(pk=link.pk, account=account).delete()
        if deleted:
            _log_link(link, LinkAction.REMOVED, actor=account)
    selectors.forget_family_patient_ids(account)


# --- MRN check and merge (SOP 000 H) ---------------------------------------------------------


def member_attach_mrn(
    *,
    account: User,
    link: AccountPatient,
    mrn: str,
    birth_date: dt.date,
    facility: Facility | None = None,
    client_ip: str | None = None,
) -> Patient:
    """Give a member added as new a facility's MRN (the default one when not named), merging the two
    patient rows if needed.

    A merge into a record other accounts hold is a new link to it in all but name: the moved
    link becomes unverified and those holders are told, exactly as for "Pasien Lama".
    """
    facility = facility or default_facility()
    found = patient_find_by_mrn(
        account=account,
        mrn=mrn,
        birth_date=birth_date,
        facility=facility,
        kind=LookupKind.MRN_CHECK,
        client_ip=client_ip,
    )
    member = Patient.objects.get(pk=link.patient_id)
    if found.pk == member.pk:
        return member
    if member.records.filter(facility=facility).exists():
        raise ValidationError(
            _("This member already has another medical record number. Ask the registration counter to correct it."),
            code="member_has_mrn",
        )
    if member.birth_date != birth_date:
        raise _field_error(
            "birth_date",
            _("This date of birth differs from the member's data. Correct the member's date of birth first."),
            "birth_date_differs",
        )
    if member.nik and found.nik and member.nik != found.nik:
        raise ValidationError(
            _("This medical record belongs to a different NIK. Ask the registration counter to check it."),
            code="nik_conflict",
        )
    require_confirmed_email(account)
    with transaction.atomic():
        new_to_others = (
            selectors.verified_holders(found, exclude_account=account).exists()
            and not AccountPatient.objects.filter(account=account, patient=found).exists()
        )
        kept = patient_merge(kept=found, removed=member, actor=account)
        if new_to_others:
            moved = AccountPatient.objects.get(account=account, patient=kept)
            AccountPatient.objects.filter(pk=moved.pk).update(verified_at=None, verified_by=None)
            link_mail.notify_holders(moved)
    selectors.forget_family_patient_ids(account)
    return kept


def patient_merge(*, kept: Patient, removed: Patient, actor: User | None) -> Patient:
    """Fold `removed` into `kept`: links, documents and logs move, empty fields are filled, one row remains."""
    if kept.pk == removed.pk:
        return kept
    with transaction.atomic():
        # Both rows FOR UPDATE (one is deleted), in id order so two merges cannot deadlock.
        rows = {
            p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[kept.pk, removed.pk]).order_by("pk")
        }
        if len(rows) != 2:
            raise ValidationError(_("These data changed meanwhile. Please try again."), code="conflict")
        kept, removed = rows[kept.pk], rows[removed.pk]
        kept_at = set(PatientRecord.objects.filter(patient=kept).values_list("facility_id", flat=True))
        if PatientRecord.objects.filter(patient=removed, facility_id__in=kept_at).exists():
            raise ValidationError(
                _("Two records with different medical record numbers cannot be merged here."), code="merge_two_mrns"
            )
        _move_links(kept, removed, actor)
        PatientRecord.objects.filter(patient=removed).update(patient=kept)
        _move_documents(kept, removed)
        LinkLog.objects.filter(patient=removed).update(patient=kept)
        PatientAccessLog.objects.filter(patient=removed).update(patient=kept)
        patient_merged.send(sender=Patient, kept=kept, removed=removed)
        _ensure_unreferenced(removed)
        values = _merged_values(kept, removed)
        removed.delete()  # first: its NIK and MRN must be free before `kept` takes them
        for name, value in values.items():
            setattr(kept, name, value)
        kept.mrn = kept.mrn or removed.mrn  # the deprecated mirror follows the moved record
        kept.save()
    return kept


def _move_links(kept: Patient, removed: Patient, actor: User | None) -> None:
    for link in AccountPatient.objects.select_for_update().filter(patient=removed).order_by("pk"):
        existing = AccountPatient.objects.select_for_update().filter(account_id=link.account_id, patient=kept).first()
        if existing is None:
            link.patient = kept
            link.save(update_fields=["patient"])
            _log_link(link, LinkAction.MERGED, actor, note=f"from patient row {removed.pk}")
            continue
        # The account linked both rows: keep one link, and keep "self" if either said so.
        relationship = Relationship.SELF if link.relationship == Relationship.SELF else existing.relationship
        link.delete()
        if relationship != existing.relationship:
            existing.relationship = relationship
            existing.save(update_fields=["relationship"])
        _log_link(existing, LinkAction.MERGED, actor, note=f"duplicate link from patient row {removed.pk} dropped")


def _move_documents(kept: Patient, removed: Patient) -> None:
    current = {doc.kind: doc for doc in IdentityDocument.objects.select_for_update().filter(patient=kept)}
    for doc in IdentityDocument.objects.select_for_update().filter(patient=removed):
        other = current.get(doc.kind)
        if other is None:
            doc.patient = kept
            doc.save(update_fields=["patient"])
            continue
        newer, older = (doc, other) if doc.uploaded_at > other.uploaded_at else (other, doc)
        older.delete()  # its file is deleted after commit (post_delete receiver in models)
        if newer is doc:
            doc.patient = kept
            doc.save(update_fields=["patient"])


def _ensure_unreferenced(removed: Patient) -> None:
    """Refuse to merge if another app still points at `removed`: never cascade its rows away."""
    for relation in Patient._meta.related_objects:
        model = relation.related_model
        if model._default_manager.filter(**{relation.field.name: removed}).exists():
            log.error("patient merge blocked: %s rows still reference the removed patient", model._meta.label)
            raise ValidationError(
                _("This record cannot be merged automatically. Ask the registration counter."), code="merge_blocked"
            )


def _merged_values(kept: Patient, removed: Patient) -> dict[str, Any]:
    """Kept values win; empty ones are filled from the removed row."""
    values: dict[str, Any] = {}
    for field in Patient._meta.concrete_fields:
        if field.name in _NOT_MERGED:
            continue
        if getattr(kept, field.name) in ("", None) and getattr(removed, field.name) not in ("", None):
            values[field.name] = getattr(removed, field.name)
    values["nik_mismatch"] = kept.nik_mismatch or removed.nik_mismatch
    return values


# --- Identity documents -------------------------------------------------------------------


def _delete_file_on_commit(name: str) -> None:
    transaction.on_commit(lambda: discard_private(default_storage, name))


def _check_upload(access: selectors.MemberAccess | None, kind: str, document: IdentityDocument | None) -> None:
    if access is not None and not access.may_upload(kind, {kind} if document else set()):
        raise _field_error("kind", DOCUMENT_PRESENT, "document_present")


def document_store(
    *, actor: User, patient: Patient, kind: str, upload: CleanUpload, link: AccountPatient | None = None
) -> IdentityDocument:
    """Store a checked file as the patient's current `kind` document; a replaced file is deleted after commit.

    Through an account's `link`: an unverified link only adds a missing kind (flagged for the clerk).
    The file is written before the transaction (no row lock held while a disk or S3 takes it) and
    deleted again if the row is refused or fails.
    """
    access = selectors.MemberAccess(link) if link is not None else None
    _check_upload(access, kind, IdentityDocument.objects.filter(patient=patient, kind=kind).first())
    try:
        new_name = store_private(IdentityDocument(patient=patient, kind=kind).file, upload.as_file(kind))
    except OSError as exc:  # the disk or the shared bucket did not take the file; no row either
        log.warning("identity document not stored: %s", exc)
        raise ValidationError({"file": store_failed()}) from exc
    try:
        with transaction.atomic():
            # Serialise uploads for one patient, so two first uploads cannot both insert.
            list(Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).values_list("pk", flat=True))
            document = IdentityDocument.objects.filter(patient=patient, kind=kind).first()
            _check_upload(access, kind, document)  # again under the lock: another upload may have come first
            if access is not None and not access.verified:
                Patient.objects.filter(pk=patient.pk).update(unverified_changes=True)
            old_name = document.file.name if document else None
            document = document or IdentityDocument(patient=patient, kind=kind)
            document.file = new_name
            document.content_type, document.size = upload.content_type, upload.size
            document.uploaded_by, document.uploaded_at = actor, timezone.now()
            document.save()
    except Exception:
        discard_private(default_storage, new_name)  # the row rolled back: leave no orphan file behind
        raise
    if old_name:
        _delete_file_on_commit(old_name)
    return document


# --- medical record numbers: one per patient per facility (issue 11) --------------------------


def _highest_mrn(facility: Facility) -> int:
    """The highest full-width number already in a facility's index (where its counter starts)."""
    width = facility.mrn_digits
    records = PatientRecord.objects.filter(facility=facility, mrn__regex=rf"^[0-9]{{{width}}}$")
    return int(records.aggregate(top=Max("mrn"))["top"] or 0)


def _lock_patient(patient: Patient) -> None:
    list(Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).values_list("pk", flat=True))


def patient_record_allocate(*, patient: Patient, facility: Facility) -> PatientRecord:
    """The patient's record at `facility`, made with the facility's next number when there is none yet.

    Every new medical record number comes from here: the counter's walk-in registration, the
    clerk's "give a medical record number" in the admin, Mobile JKN's "pasien baru". Inside a
    caller's transaction the counter row stays locked until it commits (two clerks never get
    the same number) and a rollback gives the number back (no gaps). Lock order: the patient
    row (two clerks giving the same person a number wait for each other), then the counter.
    Numbers already in the facility's index (an import, a typed paper card) are skipped.
    """
    with transaction.atomic():
        _lock_patient(patient)
        existing = PatientRecord.objects.filter(patient=patient, facility=facility).first()
        if existing is not None:
            return existing
        while True:
            number = mrn_counter_take(facility.pk, start_after=lambda: _highest_mrn(facility))
            mrn = str(number).rjust(facility.mrn_digits, "0")
            if len(mrn) > facility.mrn_digits:
                raise ValidationError(
                    _("This facility's medical record numbers are used up: widen them in the facility's settings."),
                    code="mrn_counter_full",
                )
            if PatientRecord.objects.filter(facility=facility, mrn=mrn).exists():
                continue
            try:
                with transaction.atomic():
                    record = PatientRecord.objects.create(patient=patient, facility=facility, mrn=mrn)
            except IntegrityError:
                continue  # typed or imported at this facility by someone else meanwhile: take the next
            _mirror(patient, record)
            return record


def patient_record_attach(*, patient: Patient, facility: Facility, mrn: str) -> PatientRecord:
    """Record a number the facility already gave (an old paper card, typed at the counter); `mrn` is normalised."""
    try:
        with transaction.atomic():
            _lock_patient(patient)
            existing = PatientRecord.objects.filter(patient=patient, facility=facility).first()
            if existing is not None and existing.mrn != mrn:
                raise _field_error(
                    "mrn",
                    _("This patient already has another medical record number at this facility."),
                    "record_exists",
                )
            record = existing or PatientRecord.objects.create(patient=patient, facility=facility, mrn=mrn)
    except IntegrityError as exc:
        raise _field_error(
            "mrn", _("Another patient already has this medical record number at this facility."), "mrn_exists"
        ) from exc
    _mirror(patient, record)
    return record


def _mirror(patient: Patient, record: PatientRecord) -> None:
    """Keep the caller's object in step with the deprecated Patient.mrn mirror (PatientRecord.save wrote the row)."""
    if record.facility_id == default_facility_id():
        patient.mrn = patient._loaded_mrn = record.mrn


# --- Link verification and "not my family" (issue 10 §1) -------------------------------------


def link_verify(*, link: AccountPatient, actor: User, how: str) -> AccountPatient:
    """Open full access for an unverified link: a clerk saw the ID card, or a verified holder approved it."""
    with transaction.atomic():
        link = AccountPatient.objects.select_for_update().filter(pk=link.pk).first()
        if link is None:
            raise ValidationError(_("This link no longer exists."), code="link_gone")
        if link.is_verified:
            return link
        link.verified_at, link.verified_by = timezone.now(), actor
        link.save(update_fields=["verified_at", "verified_by"])
        _log_link(link, LinkAction.VERIFIED, actor=actor, note=how)
    return link


def link_approve(*, link: AccountPatient, holder: User) -> AccountPatient:
    """An existing holder approves a new link; only a holder whose own link is verified may."""
    if not selectors.verified_holders(link.patient, exclude_account=link.account).filter(account=holder).exists():
        raise ValidationError(_("Only an account already verified for this patient can approve."), code="not_holder")
    return link_verify(link=link, actor=holder, how="approved by an existing holder")


def link_dispute(*, link: AccountPatient, holder: User) -> None:
    """ "Bukan keluarga saya": remove the link and flag the patient for the clerks."""
    if not selectors.verified_holders(link.patient, exclude_account=link.account).filter(account=holder).exists():
        raise ValidationError(
            _("Only an account already verified for this patient can report a link."), code="not_holder"
        )
    with transaction.atomic():
        deleted, _rows = AccountPatient.objects.filter(pk=link.pk).delete()
        if not deleted:
            return  # already removed (a second click)
        Patient.objects.filter(pk=link.patient_id).update(link_disputed=True)
        _log_link(link, LinkAction.DISPUTED, actor=holder, note="reported as not family by an existing holder")
    log.warning("family link reported as not family; removed and flagged for the clerks")
