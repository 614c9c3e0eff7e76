"""Reads for the counter desk: a booking by its code, patient search, the day's places, the register, slips."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, default_facility
from facilities.scope import staff_facility_ids
from families import selectors as family_selectors
from families.models import IdentityDocument, Patient
from families.selectors import patients_for_staff
from portal.lib.dates import parse_date
from queueing import selectors
from queueing.models import CODE_ALPHABET, CODE_LENGTH, Booking, BookingSettings, Clinic, Schedule

_CODE_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
PATIENT_SEARCH_LIMIT = 25
SEARCH_CANDIDATES = 500  # name matches checked against the clerk's facilities (patient_search)


def normalize_code(raw: str | None) -> str | None:
    """'k7m2-q9xd ' -> 'K7M2Q9XD'; None when it cannot be a booking code (scanners add nothing else)."""
    value = re.sub(r"[\s\-]", "", raw or "").upper()
    return value if _CODE_RE.fullmatch(value) else None


def desk_bookings(user) -> QuerySet[Booking]:
    """The bookings of the staff user's facilities (facilities/scope.py): another facility's are not found."""
    return selectors.bookings_for_staff(
        user,
        Booking.objects.select_related(
            "patient", "clinic", "doctor", "guarantor", "day_quota__schedule"
        ).prefetch_related("patient__records"),
    )


def booking_by_code(raw: str | None, user) -> Booking | None:
    code = normalize_code(raw)
    return desk_bookings(user).filter(code=code).first() if code else None


def bookings_by_codes(raw_codes: list[str], user) -> list[Booking]:
    codes = [code for code in (normalize_code(raw) for raw in raw_codes) if code]
    by_code = {b.code: b for b in desk_bookings(user).filter(code__in=codes)}
    return [by_code[code] for code in dict.fromkeys(codes) if code in by_code]


# --- patients ----------------------------------------------------------------------------------


def patient_query(term: str, *, family_card: bool = True, facility_ids: list[int] | None = None) -> Q | None:
    """Exact on medical record number (at `facility_ids`; None: any), NIK (and family card) and birth
    date; otherwise every word in the name.

    The family card number finds a whole family at the counter, but families has no index on it:
    the booking list's search leaves it out (`family_card=False`).
    """
    term = " ".join((term or "").split())
    if len(term) < 2:
        return None
    digits = re.sub(r"[\s\-.]", "", term)
    exact = family_selectors.mrn_query(term, facility_ids)
    if digits.isdigit():
        if len(digits) == 16:
            exact |= Q(nik=digits) | (Q(kk_number=digits) if family_card else Q())
        return exact
    birth_date = parse_date(term)
    if birth_date:
        return exact | Q(birth_date=birth_date)
    by_name = Q()
    for word in term.split():
        by_name &= Q(full_name__icontains=word)
    return exact | by_name


def patient_search(term: str, user, limit: int = PATIENT_SEARCH_LIMIT) -> list[Patient]:
    """Patients of the clerk's facilities matching `term` (records prefetched for `mrn_at`), by name.

    With 500,000 patients a common name ("budi") matches some 20,000 (issue 16). The facility
    check costs an index probe per row, so it runs on the first SEARCH_CANDIDATES matches in
    name order only (found through the trigram index and sorted); all of them are checked only
    when those leave the page short and there are more. Sorting by UPPER(full_name) (the same
    order in a linguistic collation) keeps PostgreSQL from walking the name's btree from "A"
    until it reaches the B's, which it would otherwise expect to be quicker.
    """
    query = patient_query(term, facility_ids=staff_facility_ids(user))
    if query is None:
        return []
    order = (Upper("full_name"), "full_name", "birth_date")
    matching = Patient.objects.filter(query).order_by(*order)
    visible = patients_for_staff(user).prefetch_related("records").order_by(*order)
    found = list(visible.filter(pk__in=matching.values("pk")[:SEARCH_CANDIDATES])[:limit])
    if len(found) < limit and matching[SEARCH_CANDIDATES:].exists():
        found = list(visible.filter(query)[:limit])  # most of the first matches are other facilities' patients
    return found


def patient_elsewhere_by_nik(term: str, user) -> Patient | None:
    """The person with exactly this NIK when they belong to none of the clerk's facilities yet.

    A patient is one person across the deployment: someone who only ever came to another
    facility is found here by their full NIK (never by name or number), so that the clerk can
    give them this facility's medical record number instead of registering them twice. The page
    shows no more than the search results do (name, masked NIK, birth date), nothing of the
    other facility's records.
    """
    digits = re.sub(r"[\s\-.]", "", term or "")
    if len(digits) != 16 or not digits.isdigit():
        return None
    person = Patient.objects.filter(nik=digits).first()
    if person is None or patients_for_staff(user).filter(pk=person.pk).exists():
        return None
    return person


def patients_by_ids(ids: list[str], user) -> list[Patient]:
    valid = []
    for raw in ids:
        try:
            valid.append(Patient._meta.pk.to_python(raw))
        except ValidationError:
            continue
    by_id = patients_for_staff(user).prefetch_related("records").in_bulk(valid)
    return [by_id[pk] for pk in dict.fromkeys(valid) if pk in by_id]


def identity_documents(patient: Patient) -> list[IdentityDocument]:
    return list(IdentityDocument.objects.filter(patient=patient).order_by("kind"))


# --- the day's places ----------------------------------------------------------------------


def desk_facilities(user) -> list[Facility]:
    """The facilities whose counter a staff user may work: their staff memberships (every active one for a superuser)."""
    ids = staff_facility_ids(user)
    facilities = Facility.objects.active() if ids is None else Facility.objects.filter(pk__in=ids)
    return list(facilities.order_by("sort_order", "name", "pk"))


def desk_facility(user, chosen_id: int | None = None, facilities: list[Facility] | None = None) -> Facility:
    """The facility whose day the counter pages show: the one chosen (if it is the user's), else their first."""
    facilities = desk_facilities(user) if facilities is None else facilities
    chosen = next((f for f in facilities if f.pk == chosen_id), None)
    return chosen or (facilities[0] if facilities else default_facility())


def schedule_facility(schedule_id: int) -> Facility:
    """The facility of a schedule's clinic (its clock and booking settings)."""
    clinic = Clinic.objects.filter(schedules=schedule_id).only("facility_id").first()
    return selectors.facility_clock(clinic.facility_id if clinic else None)


def online_still_open(date: dt.date, now: dt.datetime | None = None, *, facility_id: int | None = None) -> bool:
    """Whether patients can still book this date online at the facility: then the counter keeps to its share."""
    window = selectors.booking_window(cfg=BookingSettings.current(facility_id), now=now)
    return window is not None and window[0] <= date <= window[1]


@dataclass(frozen=True)
class CounterOffer:
    """A doctor's session today as the counter sees it."""

    schedule: Schedule
    online_taken: int
    counter_taken: int
    total: int
    last_number: int
    places_left: int

    @property
    def full(self) -> bool:
        return self.places_left <= 0


def counter_offers(
    date: dt.date, now: dt.datetime | None = None, *, facility: Facility | None = None
) -> list[CounterOffer]:
    """Open sessions on `date` at the facility with the places the counter may still give (one query)."""
    facility = facility or default_facility()
    online_open = online_still_open(date, now, facility_id=facility.pk)
    rows = (
        selectors.offers_on(date)
        .filter(clinic__facility=facility)
        .annotate(
            counter_taken=Coalesce(F("today__counter_count"), Value(0)),
            day_total=Coalesce(F("today__total_quota"), F("total_quota")),
            day_last=Coalesce(F("today__last_number"), Value(0)),
        )
        .order_by("clinic__sort_order", "start_time", "doctor__name")
    )
    offers = []
    for s in rows:
        ceiling = s.day_total - (s.day_quota if online_open else s.taken)
        offers.append(
            CounterOffer(s, s.taken, s.counter_taken, s.day_total, s.day_last, max(ceiling - s.counter_taken, 0))
        )
    return offers


# --- the register book (SOP 003) -------------------------------------------------------------


REGISTER_FIELDS = (
    "date",
    "label",
    "number",
    "status",
    "channel",
    "registered_at",
    "visit_kind",
    "care_kind",
    "complaint",
    "patient__full_name",
    "guarantor__name",
    "clinic__name",
    "clinic__facility",
    "doctor__name",
)


def daily_register(
    date: dt.date, clinic_id: int | None = None, *, user, facility: Facility | None = None
) -> list[Booking]:
    """Every numbered booking of the day at the facility (one of the user's), clinic by clinic, session by
    session, in number order."""
    facility = facility or default_facility()
    qs = (
        selectors.bookings_for_staff(user)
        .filter(date=date, number__isnull=False, clinic__facility=facility)
        .select_related("patient", "guarantor", "clinic", "doctor")
        .prefetch_related("patient__records")  # each row's MRN at this facility
        # Only the columns the register shows (page and CSV): a busy day has hundreds of rows, and
        # building whole patients (identity numbers decrypted), BPJS answers and schedules for each
        # took most of the page's time (issue 16). A column missing here costs a query per row.
        .only(*REGISTER_FIELDS)
        .order_by("clinic__sort_order", "clinic__name", "day_quota__schedule__start_time", "doctor__name", "number")
    )
    if clinic_id:
        qs = qs.filter(clinic_id=clinic_id)
    return list(qs)


# --- the stored BPJS answer, readable ---------------------------------------------------------

_CHECK_STATUS = {
    "verified": _("Active participant; referral valid"),
    "rejected": _("Refused by the BPJS check"),
    "unverified": _("BPJS could not be asked: check the card and referral at the counter"),
}
_PARTICIPANT_ROWS = (
    ("name", _("Name at BPJS")),
    ("card_number", _("Card number")),
    ("birth_date", _("Date of birth")),
    ("status", _("Participant status")),
    ("class", _("Class")),
    ("type", _("Participant type")),
    ("primary_care", _("Primary care")),
)
_REFERRAL_ROWS = (
    ("number", _("Referral number")),
    ("source", _("Issued by")),
    ("date", _("Referral date")),
    ("valid_until", _("Valid until")),
    ("poli", _("Referred to")),
    ("poli_code", _("Clinic code")),
    ("referred_by", _("Referring provider")),
    ("clinic_bpjs_code", _("Compared with clinic code")),
)


def _readable(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date_format(dt.date.fromisoformat(value), "j F Y")
    return str(value)


def eligibility_rows(check: dict | None) -> list[tuple[str, str]]:
    """What BPJS said when the booking was made, as label/value rows for the clerk."""
    if not check:
        return []
    rows = [(str(_("Result")), str(_CHECK_STATUS.get(check.get("status"), check.get("status", "-"))))]
    checked_at = parse_datetime(check.get("checked_at") or "")
    if checked_at:
        rows.append((str(_("Checked at")), date_format(timezone.localtime(checked_at), "j F Y H:i")))
    if check.get("message"):
        rows.append((str(_("Message")), check["message"]))
    for name, codes in (check.get("errors") or {}).items():
        rows.append((str(_("Problems")), f"{name}: {', '.join(codes)}"))
    summary = check.get("summary") or {}
    for key, label in _PARTICIPANT_ROWS:
        if (summary.get("participant") or {}).get(key):
            rows.append((str(label), _readable(summary["participant"][key])))
    for key, label in _REFERRAL_ROWS:
        if (summary.get("referral") or {}).get(key):
            rows.append((str(label), _readable(summary["referral"][key])))
    if summary.get("failure"):
        rows.append((str(_("Connection problem")), summary["failure"]))
    return rows
