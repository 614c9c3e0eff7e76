"""Reads of family members, always through the signed-in account's own links."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.phone import format_mobile
from facilities.models import Facility
from facilities.scope import facility_condition, related_exists, staff_facility_ids
from families.models import AccountPatient, IdentityDocument, LookupFailure, Patient, PatientRecord, Relationship
from families.validators import normalize_mrn

# --- What a link may read and do: the one owner of the link-verification rule -------------

# Read in full only through a verified link; an unverified one sees them masked.
IDENTITY_NUMBER_FIELDS = ("nik", "kk_number", "bpjs_number")


@dataclass(frozen=True)
class MemberAccess:
    """What `link.account` may do with `link.patient`.

    Any link may book and fill in what is still empty. Reading the identity numbers in full,
    the documents and the bookings made for the patient at the counter (or kiosk, Mobile JKN),
    and changing data already filled, need a verified link: one the account made by typing
    the identity ("Pasien Baru"), or that a clerk or an earlier verified holder verified.
    """

    link: AccountPatient

    @property
    def verified(self) -> bool:
        return self.link.is_verified

    @property
    def may_read_identity(self) -> bool:
        return self.verified

    @property
    def may_read_documents(self) -> bool:
        return self.verified

    def may_change(self, name: str, current: Any) -> bool:
        """Unverified links write only into empty fields: knowing an MRN never overwrites anything."""
        return self.verified or current in ("", None)

    def may_upload(self, kind: str, present: set[str]) -> bool:
        return self.verified or kind not in present


def masked_summary(patient: Patient, fields: list[str]) -> list[tuple[str, str]]:
    """(label, value) of the filled `fields`, identity numbers masked: what an unverified link reads."""
    rows = []
    for name in fields:
        value = getattr(patient, name)
        if value in ("", None):
            continue
        if name in IDENTITY_NUMBER_FIELDS:
            shown = getattr(patient, f"masked_{name}")
        else:
            display = getattr(patient, f"get_{name}_display", None)
            shown = display() if display else value
        rows.append((str(Patient._meta.get_field(name).verbose_name), str(shown)))
    return rows


def member_access(account: User, patient_id: uuid.UUID) -> MemberAccess:
    """The account's access to one member; 404 unless linked (no leak of other families)."""
    return MemberAccess(member_for(account, patient_id))


def verified_patients(account: User) -> QuerySet[Patient]:
    """Patients whose identity, documents and patient-owned bookings this account may read."""
    return Patient.objects.filter(account_links__account=account, account_links__verified_at__isnull=False)


def family_patient_ids(account: User) -> tuple[list, list]:
    """The ids of the account's patients, and of those among them it may read (as verified_patients):
    one query, kept on the account object, i.e. for the request (as Django keeps a user's
    permissions). Pages that ask several times get the same few ids; the services that change
    the account's links forget them (forget_family_patient_ids)."""
    ids = getattr(account, "_family_patient_ids", None)
    if ids is None:
        links = list(AccountPatient.objects.filter(account=account).values_list("patient_id", "verified_at"))
        ids = account._family_patient_ids = ([p for p, _at in links], [p for p, at in links if at is not None])
    return ids


def forget_family_patient_ids(account: User) -> None:
    """After the account's links changed: the next family_patient_ids reads them again."""
    account.__dict__.pop("_family_patient_ids", None)


def verified_holders(patient: Patient, *, exclude_account: User | None = None) -> QuerySet[AccountPatient]:
    """Verified links of other accounts to this patient: who is told of, and may approve, a new link."""
    links = AccountPatient.objects.filter(patient=patient, verified_at__isnull=False, account__is_active=True)
    if exclude_account is not None:
        links = links.exclude(account=exclude_account)
    return links.select_related("account")


def members_for(account: User) -> QuerySet[AccountPatient]:
    """The account's links with their patients: the holder first, then in the order added."""
    self_first = Case(
        When(relationship=Relationship.SELF, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        AccountPatient.objects.filter(account=account)
        .select_related("patient")
        .prefetch_related(Prefetch("patient__records", PatientRecord.objects.select_related("facility")))
        .order_by(self_first, "created_at", "id")
    )


def member_records(patient: Patient) -> list[PatientRecord]:
    """A member's medical record numbers, facility by facility."""
    return list(PatientRecord.objects.filter(patient=patient).select_related("facility"))


def member_for(account: User, patient_id: uuid.UUID) -> AccountPatient:
    """The account's link to this patient, or 404 whatever the reason (no leak of other families)."""
    return get_object_or_404(members_for(account), patient_id=patient_id)


def self_link(account: User) -> AccountPatient | None:
    return (
        AccountPatient.objects.filter(account=account, relationship=Relationship.SELF).select_related("patient").first()
    )


def is_linked(user: User, patient: Patient) -> bool:
    return AccountPatient.objects.filter(account=user, patient=patient).exists()


def documents_by_kind(patient: Patient) -> dict[str, IdentityDocument]:
    return {doc.kind: doc for doc in IdentityDocument.objects.filter(patient=patient)}


def document_or_404(document_id: uuid.UUID) -> IdentityDocument:
    """A document by id, for a view that then asks `may_view_document` (404 either way)."""
    return get_object_or_404(IdentityDocument.objects.select_related("patient"), pk=document_id)


# Where a patient meets a facility: a booking there, or a medical record there. Only a string
# lookup names the bookings' reverse relation; families imports nothing of queueing.
PATIENT_FACILITY_PATHS: tuple[str, ...] = ("bookings__clinic__facility", "records__facility")


def mrn_query(term: str, facility_ids: list[int] | None) -> Q:
    """Patients holding this medical record number at one of the facilities (None: any), each
    facility's number normalised to its own width; a number as typed matches too (old formats)."""
    digits = re.sub(r"[\s\-.]", "", term)
    facilities = Facility.objects.all() if facility_ids is None else Facility.objects.filter(pk__in=facility_ids)
    records = Q(mrn=term) if facility_ids is None else Q(mrn=term, facility_id__in=facility_ids)
    if digits.isdigit():
        for facility in facilities:
            try:
                records |= Q(facility=facility, mrn=normalize_mrn(digits, facility))
            except ValidationError:
                continue
    # The few ids now, not a subquery: the name half of a search OR-ed with this can then use the
    # trigram index (PostgreSQL combines two index conditions; an OR with a subquery reads every patient).
    return Q(pk__in=list(PatientRecord.objects.filter(records).values_list("patient_id", flat=True).distinct()))


def patients_for_staff(user: User, queryset: QuerySet[Patient] | None = None) -> QuerySet[Patient]:
    """The patients a staff user may see (all for superusers): those who booked or hold a medical
    record at one of their facilities, and those who have neither anywhere yet (a new sign-up, a
    patient just registered at the counter), who belong to no facility."""
    queryset = Patient.objects.all() if queryset is None else queryset
    condition = staff_patient_condition(user)
    return queryset if condition is None else queryset.filter(condition)


def staff_patient_condition(user: User) -> Q | None:
    """The condition of `patients_for_staff` (None: every patient), to evaluate where it is cheapest."""
    ids = staff_facility_ids(user)
    if ids is None:
        return None
    if not ids:
        return Q(pk__in=[])
    # EXISTS per candidate row, not a join of every booking and record: that took seconds at
    # 1,000,000 bookings (issue 16), whatever the search.
    nowhere = ~related_exists(Patient._meta.get_field("bookings")) & ~related_exists(Patient._meta.get_field("records"))
    return facility_condition(Patient, ids, *PATIENT_FACILITY_PATHS) | nowhere


def staff_may_view_documents(user: User) -> bool:
    """Staff with the view permission (registration clerks). The staff flag alone is not enough: a
    doctor or a schedule keeper with admin access has no business with ID cards (Permenkes 24/2022 art. 30)."""
    return user.is_active and user.is_staff and user.has_perm("families.view_identitydocument")


def may_view_document(user: User, document: IdentityDocument) -> bool:
    """Staff allowed to (see above), of the patient's facilities; an account only its own family's,
    through a verified link."""
    if user.is_authenticated and verified_patients(user).filter(pk=document.patient_id).exists():
        return True
    return staff_may_view_documents(user) and patients_for_staff(user).filter(pk=document.patient_id).exists()


def lookup_window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.FAMILY_LOOKUP_WINDOW_MINUTES)


def lookup_failures_recent(account: User) -> int:
    """Failed MRN/NIK lookups by this account within the rate-limit window."""
    return LookupFailure.objects.filter(account=account, at__gte=lookup_window_start()).count()


def initial_from_account(account: User) -> dict:
    """Prefill the new-member form with the holder's own profile when they add themselves."""
    return {
        "relationship": Relationship.SELF,
        "full_name": account.full_name,
        "sex": account.sex,
        "phone": format_mobile(account.phone),
        "religion": account.religion,
        "blood_type": account.blood_type,
        "marital_status": account.marital_status,
        "education": account.education,
        "occupation": account.occupation,
    }
