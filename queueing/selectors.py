"""Reads with logic: the booking window, open days, what a clinic-day still offers, my bookings."""

from __future__ import annotations

import datetime as dt
import itertools
import time
import uuid
import weakref
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from facilities.scope import scope_for_staff
from families import selectors as family_selectors
from families.models import REQUIRED_PATIENT_FIELDS, AccountPatient, DocumentKind, IdentityDocument, Patient
from families.validators import format_mrn
from guarantors import services as guarantor_services
from guarantors.models import GuarantorType
from queueing.models import (
    HOLDING_STATUSES,
    Booking,
    BookingChannel,
    BookingDocument,
    BookingEvent,
    BookingSettings,
    BookingStatus,
    Clinic,
    DayQuota,
    Doctor,
    ExceptionScope,
    Schedule,
    ScheduleException,
)
from queueing.slips import SlipData

ID_DOCUMENT_KINDS = (DocumentKind.KTP, DocumentKind.KK)


def booking_window(*, cfg: BookingSettings, now: dt.datetime | None = None) -> tuple[dt.date, dt.date] | None:
    """First and last bookable date right now at the settings' facility, or None when the window is empty."""
    now = cfg.facility.local_now(now)
    today = now.date()
    first = today + dt.timedelta(days=cfg.earliest_days_ahead)
    if first == today and now.time() >= cfg.same_day_cutoff:
        first += dt.timedelta(days=1)
    last = today + dt.timedelta(days=cfg.latest_days_ahead)
    if now.time() < cfg.opening_time:
        last -= dt.timedelta(days=1)  # the newest day opens at the opening time, not at midnight
    return (first, last) if first <= last else None


def settings_for(booking: Booking) -> BookingSettings:
    """The booking settings (and through them the clock) of the booking's facility."""
    return BookingSettings.current(booking.clinic.facility_id)


def facility_clock(facility_id: int | None) -> Facility:
    """The facility (cached with its booking settings): its `local_now()` / `local_today()` for "now" there."""
    return BookingSettings.current(facility_id).facility


def booking_today(booking: Booking) -> dt.date:
    """Today at the booking's facility: the day a check-in, a no-show or a cancel is judged against."""
    return settings_for(booking).facility.local_today()


def window_dates(*, cfg: BookingSettings, now: dt.datetime | None = None) -> list[dt.date]:
    window = booking_window(cfg=cfg, now=now)
    if window is None:
        return []
    first, last = window
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _exception_covering(date: dt.date) -> Exists:
    """True for a Schedule row (in a queryset) closed on `date` by any exception."""
    return Exists(
        ScheduleException.objects.filter(date=date).filter(
            Q(scope=ExceptionScope.HOSPITAL, facility=OuterRef("clinic__facility"))
            | Q(scope=ExceptionScope.CLINIC, clinic=OuterRef("clinic"))
            | Q(scope=ExceptionScope.DOCTOR, doctor=OuterRef("doctor"))
        )
    )


def bookable_schedules() -> QuerySet[Schedule]:
    return Schedule.objects.filter(active=True, clinic__active=True, doctor__active=True)


def schedules_covered(schedules: list[Schedule], exceptions: list[ScheduleException]) -> set[int]:
    return {s.pk for s in schedules if any(e.covers(s) for e in exceptions)}


def open_dates(*, cfg: BookingSettings, now: dt.datetime | None = None) -> list[dt.date]:
    """Window dates on which at least one schedule of the settings' facility runs and is not closed.

    The window is worked out from the clock on every call (a new day opens on time); the schedules
    and exceptions it is checked against come from `_open_date_inputs` (two queries, kept briefly).
    """
    dates = window_dates(cfg=cfg, now=now)
    if not dates:
        return []
    by_weekday, exceptions = _open_date_inputs(cfg.facility_id, dates[0], dates[-1])
    return [
        d
        for d in dates
        if len(schedules_covered(by_weekday.get(d.weekday(), []), exceptions.get(d, [])))
        < len(by_weekday.get(d.weekday(), []))
    ]


# The wizard's reference data (which days and clinics are open), read on every step page and
# changed by an administrator now and then: kept in this process for a few seconds, cleared at
# once in this process when a schedule, exception, clinic or doctor is saved (queueing.apps),
# within SCHEDULES_TTL in the others. Places left are never kept: they are read live, and
# booking_create checks everything again inside its own statement.
SCHEDULES_TTL = 5.0
_SCHEDULES_CACHE: dict[tuple, tuple[float, object]] = {}


def _kept(key: tuple, compute):
    now = time.monotonic()
    cached = _SCHEDULES_CACHE.get(key)
    if cached is None or cached[0] < now:
        if len(_SCHEDULES_CACHE) > 256:  # dates and facilities: a handful; drop the expired ones
            # list() copies in one step: another thread may insert while we look.
            for old in [k for k, (until, _v) in list(_SCHEDULES_CACHE.items()) if until < now]:
                _SCHEDULES_CACHE.pop(old, None)
        cached = _SCHEDULES_CACHE[key] = (now + SCHEDULES_TTL, compute())
    return cached[1]


def forget_schedules(**_kwargs) -> None:
    """Signal receiver (queueing.apps): a saved schedule, exception, clinic or doctor is seen at once here."""
    _SCHEDULES_CACHE.clear()


def _open_date_inputs(
    facility_id: int | None, first: dt.date, last: dt.date
) -> tuple[dict[int, list[Schedule]], dict[dt.date, list[ScheduleException]]]:
    """The facility's bookable schedules by weekday and the exceptions between two dates (two queries, kept)."""

    def load():
        schedules = (
            bookable_schedules()
            .filter(clinic__facility_id=facility_id)
            .select_related("clinic")
            .only("id", "weekday", "clinic_id", "doctor_id", "clinic__facility_id")
        )
        by_weekday: dict[int, list[Schedule]] = defaultdict(list)
        for schedule in schedules:
            by_weekday[schedule.weekday].append(schedule)
        exceptions: dict[dt.date, list[ScheduleException]] = defaultdict(list)
        for exc in ScheduleException.objects.filter(date__range=(first, last)):
            exceptions[exc.date].append(exc)
        return dict(by_weekday), dict(exceptions)

    return _kept(("open_dates", facility_id, first, last), load)


def clinics_on(date: dt.date, *, facility_id: int | None = None) -> QuerySet[Clinic]:
    """Clinics (of the facility, when given) with at least one open schedule on `date` (one query)."""
    open_schedules = (
        bookable_schedules()
        .filter(clinic=OuterRef("pk"), weekday=date.weekday())
        .annotate(closed=_exception_covering(date))
        .filter(closed=False)
    )
    clinics = Clinic.objects.filter(active=True).filter(Exists(open_schedules))
    return clinics if facility_id is None else clinics.filter(facility_id=facility_id)


def open_clinics(date: dt.date, *, facility_id: int | None) -> list[Clinic]:
    """`clinics_on` in display order, kept for a few seconds: the wizard's clinic list and its
    checks of the chosen clinic, on every step after the clinic, without a query. Read-only."""
    return _kept(("clinics", date, facility_id), lambda: list(clinics_on(date, facility_id=facility_id)))


def open_clinic(date: dt.date, clinic_id, *, facility_id: int | None) -> Clinic | None:
    """The clinic with this id if it practises on `date` (from `open_clinics`)."""
    return next((c for c in open_clinics(date, facility_id=facility_id) if str(c.pk) == str(clinic_id)), None)


def offers_on(date: dt.date, *, clinic: Clinic | None = None) -> QuerySet[Schedule]:
    """Open schedules on `date` with their doctor, places left and hours: one query per clinic-day."""
    qs = (
        bookable_schedules()
        .filter(weekday=date.weekday())
        .select_related("doctor", "clinic")
        .annotate(today=FilteredRelation("day_quotas", condition=Q(day_quotas__date=date)))
        .annotate(
            closed=_exception_covering(date),
            day_closed=Coalesce(F("today__closed"), Value(False)),
            day_quota=Coalesce(F("today__quota"), F("online_quota")),
            taken=Coalesce(F("today__active_count"), Value(0)),
            # The portal's share of the online places: Mobile JKN's (kuota JKN) is not offered here.
            portal_quota=Coalesce(F("today__quota"), F("online_quota"))
            - Coalesce(F("today__jkn_quota"), F("jkn_quota")),
            portal_taken=Coalesce(F("today__active_count"), Value(0)) - Coalesce(F("today__jkn_count"), Value(0)),
            day_quota_id=F("today__id"),
        )
        .filter(closed=False, day_closed=False)
        .order_by("start_time", "doctor__name")
    )
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    return qs


@dataclass(frozen=True)
class Offer:
    """A doctor's session on a date as the patient sees it."""

    schedule: Schedule
    places_left: int
    day_quota_id: int | None = None
    prefix: str = ""  # the clinic's queue label prefix
    facility_id: int | None = None  # the clinic's facility: its booking settings and clock

    @property
    def full(self) -> bool:
        return self.places_left <= 0


def _offer(schedule: Schedule) -> Offer:
    return Offer(
        schedule,
        max(schedule.portal_quota - schedule.portal_taken, 0),
        schedule.day_quota_id,
        schedule.clinic.prefix,
        schedule.clinic.facility_id,
    )


def doctors_on(clinic: Clinic, date: dt.date) -> list[Offer]:
    return [_offer(s) for s in offers_on(date, clinic=clinic)]


def offer_for(schedule_id: int, date: dt.date) -> Offer | None:
    """The schedule if it is bookable on `date` (right weekday, active, not closed)."""
    schedule = offers_on(date).filter(pk=schedule_id).first()
    return _offer(schedule) if schedule else None


# The portal's share: Mobile JKN's places (jkn_quota, jkn_count) are not offered to the portal.
_OFFER_COLUMNS = (
    "q.id",
    "q.quota - q.jkn_quota",
    "q.active_count - q.jkn_count",
    "q.closed",
    "c.prefix",
    "c.active",
    "d.active",
    "c.facility_id",
)


@dataclass(frozen=True)
class _Reader:
    """The hot path's statement and the converters that turn its columns into model values."""

    sql: str
    patient: list[tuple]  # (attname, column expression, converters) per Patient column
    schedule: list[tuple]
    clinic: list[tuple]  # the schedule's clinic and doctor: the confirmation names them without a query
    doctor: list[tuple]


PREPARED_NAME = "queueing_booking_inputs"


def _converters(db, model, alias: str) -> list[tuple]:
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(alias)
        out.append((field.attname, column, db.ops.get_db_converters(column) + column.get_db_converters(db)))
    return out


def _build_reader(db) -> _Reader:
    quote = db.ops.quote_name
    has_document = (
        f"EXISTS (SELECT 1 FROM {IdentityDocument._meta.db_table} i WHERE i.patient_id = p.id "
        f"AND i.kind IN ({', '.join(repr(str(k)) for k in ID_DOCUMENT_KINDS)}))"
    )
    columns = (
        [f"p.{quote(f.column)}" for f in Patient._meta.concrete_fields]
        + [has_document]
        + [f"s.{quote(f.column)}" for f in Schedule._meta.concrete_fields]
        + [f"c.{quote(f.column)}" for f in Clinic._meta.concrete_fields]
        + [f"d.{quote(f.column)}" for f in Doctor._meta.concrete_fields]
        + list(_OFFER_COLUMNS)
    )
    sql = (
        f"SELECT {', '.join(columns)} FROM {Patient._meta.db_table} p "
        f"JOIN {AccountPatient._meta.db_table} ap ON ap.patient_id = p.id AND ap.account_id = %s "
        f"LEFT JOIN {DayQuota._meta.db_table} q ON q.schedule_id = %s AND q.date = %s "
        f"LEFT JOIN {Schedule._meta.db_table} s ON s.id = q.schedule_id "
        f"LEFT JOIN {Clinic._meta.db_table} c ON c.id = s.clinic_id "
        f"LEFT JOIN {Doctor._meta.db_table} d ON d.id = s.doctor_id "
        f"WHERE p.id = %s"
    )
    return _Reader(
        sql,
        _converters(db, Patient, "p"),
        _converters(db, Schedule, "s"),
        _converters(db, Clinic, "c"),
        _converters(db, Doctor, "d"),
    )


def _read(db, cursor, reader: _Reader, params: list) -> tuple | None:
    """Run the read; on PostgreSQL as a prepared statement, planned once per database connection.

    Planning this seven-table statement cost more than running it (about 0.4 of 0.5 ms of the
    server's CPU, measured). A prepared statement survives a rollback and lives as long as the
    connection; a new connection (Django reconnects, CONN_MAX_AGE) prepares it again. Behind a
    pooler in transaction mode (pgbouncer) set QUEUEING_PREPARED_READ=False.
    """
    if db.vendor != "postgresql" or not settings.QUEUEING_PREPARED_READ:
        cursor.execute(reader.sql, params)
        return cursor.fetchone()
    if getattr(db, "_queueing_prepared_on", None) is not db.connection:
        pieces = reader.sql.split("%s")
        numbered = "".join(f"{piece}${n}" for n, piece in enumerate(pieces[:-1], start=1)) + pieces[-1]
        cursor.execute(f"PREPARE {PREPARED_NAME} AS {numbered}")
        db._queueing_prepared_on = db.connection
    cursor.execute(f"EXECUTE {PREPARED_NAME} ({', '.join(['%s'] * len(params))})", params)
    return cursor.fetchone()


_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per thread's connection


def _instance(db, model, converters: list[tuple], values) -> object:
    """A model instance from raw column values, converted as the ORM converts them (per backend)."""
    converted = []
    for (_attname, column, functions), value in zip(converters, values):
        for function in functions:
            value = function(value, column, db)
        converted.append(value)
    return model.from_db(db.alias, [attname for attname, _c, _f in converters], converted)


def booking_inputs(account, patient_id, schedule_id: int, date: dt.date) -> tuple[Patient | None, Offer | None]:
    """The family member (None unless linked to `account`) and what the schedule offers on `date`.

    The booking's hot path: one plain statement once the day's counter row exists. An exception
    closes the counter rows of the days it covers (services.exception_create), so with a row
    present its `closed` flag stands for the exception check; before the day's first booking the
    offer comes from `offer_for` (the full check, once). Plain SQL: building the ORM queries took
    longer than running them, on the request a midnight rush repeats most.
    """
    db = connections[DEFAULT_DB_ALIAS]
    try:
        patient_pk = Patient._meta.pk.get_db_prep_value(uuid.UUID(str(patient_id)), db)
    except ValueError:
        return None, None
    reader = _READERS.get(db) or _READERS.setdefault(db, _build_reader(db))
    with db.cursor() as cursor:
        row = _read(db, cursor, reader, [account.pk, int(schedule_id), db.ops.adapt_datefield_value(date), patient_pk])
    if row is None:
        return None, None
    split = len(reader.patient)
    member = _instance(db, Patient, reader.patient, row[:split])
    if row[split] is not None:
        member.has_id_document = bool(row[split])
    rest = row[split + 1 :]
    ends = list(itertools.accumulate(len(part) for part in (reader.schedule, reader.clinic, reader.doctor)))
    q_id, quota, taken, closed, prefix, clinic_active, doctor_active, facility_id = rest[ends[-1] :]
    if q_id is None:
        return member, offer_for(schedule_id, date)
    schedule = _instance(db, Schedule, reader.schedule, rest[: ends[0]])
    schedule.clinic = _instance(db, Clinic, reader.clinic, rest[ends[0] : ends[1]])
    schedule.doctor = _instance(db, Doctor, reader.doctor, rest[ends[1] : ends[2]])
    bookable = (
        schedule.active
        and bool(clinic_active)
        and bool(doctor_active)
        and schedule.weekday == date.weekday()
        and not bool(closed)
    )
    return member, Offer(schedule, max(quota - taken, 0), q_id, prefix, facility_id) if bookable else None


GUARANTORS_TTL = 5.0
_GUARANTORS_CACHE: dict[str, tuple[float, dict[str, GuarantorType]]] = {}


def active_guarantors() -> dict[str, GuarantorType]:
    """Active guarantor types by id (as text), kept in this process for a few seconds.

    Read by every booking and changed by an administrator now and then; saving one clears
    this process's copy at once (queueing.apps connects the signals), others within seconds.
    """
    cached = _GUARANTORS_CACHE.get("types")
    if cached is None or cached[0] < time.monotonic():
        types = {str(g.pk): g for g in bookable_guarantors()}
        cached = _GUARANTORS_CACHE["types"] = (time.monotonic() + GUARANTORS_TTL, types)
    return cached[1]


def bookable_guarantors() -> QuerySet[GuarantorType]:
    """Every active guarantor type of seed 004 (and any the hospital adds), in display order."""
    return guarantor_services.active_guarantor_types()


def bpjs_kesehatan_type() -> GuarantorType | None:
    """The type a JPKMKT patient switches to when the BPJS card is active (seed 004)."""
    return next((g for g in active_guarantors().values() if g.is_bpjs_kesehatan), None)


def forget_guarantors(**_kwargs) -> None:
    _GUARANTORS_CACHE.clear()


def bookable_patients(account, *, checks: bool = True) -> QuerySet[Patient]:
    """The patients this account may book for (its family links), with what the checks need.

    Patients, not links: families.selectors.members_for gives the account's links themselves.
    `checks=False` leaves out the two subqueries the checks read (`member_missing_fields`,
    `readable_bpjs_number`): for the wizard's steps that only name the member, where building them
    cost more than the rest of the query.
    """
    patients = Patient.objects.filter(account_links__account=account).order_by("full_name")
    if not checks:
        return patients
    return patients.annotate(
        has_id_document=Exists(IdentityDocument.objects.filter(patient=OuterRef("pk"), kind__in=ID_DOCUMENT_KINDS)),
        link_verified=Exists(family_selectors.verified_patients(account).filter(pk=OuterRef("pk"))),
    )


def readable_bpjs_number(patient: Patient) -> str:
    """The member's stored BPJS number to prefill, only through a verified link (`bookable_patients` annotates it)."""
    return patient.bpjs_number if getattr(patient, "link_verified", False) else ""


def member_missing_fields(patient: Patient) -> list[str]:
    """What the registration counter still needs from this member, in the person's words.

    An ID-card photo is needed the first time: for a patient the hospital has not registered
    yet (no medical record number) and who has none uploaded. `patient` should come from
    `bookable_patients`, which annotates the document check; otherwise it costs a query.
    """
    missing = [
        str(Patient._meta.get_field(name).verbose_name)
        for name in REQUIRED_PATIENT_FIELDS
        if getattr(patient, name) in ("", None)
    ]
    if not patient.mrn and not patient.records.exists():  # registered at no facility yet
        has_document = getattr(patient, "has_id_document", None)
        if has_document is None:
            has_document = IdentityDocument.objects.filter(patient=patient, kind__in=ID_DOCUMENT_KINDS).exists()
        if not has_document:
            missing.append(str(_("a photo of the ID card (KTP) or family card (KK)")))
    return missing


def _readable_bookings(account) -> Q:
    """Who may read a booking (issue 10 §1): an online booking belongs to the account that made it;
    one made at the counter, the kiosk or through Mobile JKN belongs to the patient, read by the
    accounts holding the patient through a verified link (families.selectors owns "verified")."""
    # The family's few ids now, not a subquery: PostgreSQL then combines the account's index and the
    # patient's index; an OR with a subquery read every booking (0.9 s at 1,000,000, issue 16).
    _family, verified = family_selectors.family_patient_ids(account)
    return Q(account=account, channel=BookingChannel.ONLINE) | (
        Q(patient__in=verified) & ~Q(channel=BookingChannel.ONLINE)
    )


def bookings_for(account) -> QuerySet[Booking]:
    """Bookings the account may read, cancel and print (see _readable_bookings); 404 for the rest."""
    return (
        Booking.objects.filter(_readable_bookings(account))
        .select_related("patient", "clinic__facility", "doctor", "guarantor", "day_quota__schedule")
        .prefetch_related(Prefetch("events", queryset=BookingEvent.objects.order_by("at", "id")))
    )


def other_queues_for(account, *, today: dt.date | None = None) -> list[dict]:
    """Upcoming queues of the account's members that it may not read: only who and which day.

    So a second account linked to a patient knows the patient already has a queue that day
    (one per patient per day), and nothing else: no clinic, number, code or reason.
    """
    # The family's few ids first, not a subquery: with one, PostgreSQL read every upcoming booking and
    # looked each one's patient up in the family (7-8 ms with 2,400 upcoming, on every dashboard and
    # "my bookings"); with the ids it reads the patients' own rows (the one-per-day index).
    family, _verified = family_selectors.family_patient_ids(account)
    if not family:
        return []
    # UTC's date is on or before the date in every Indonesian zone; each facility's own date decides.
    rows = (
        Booking.objects.filter(
            patient__in=family, date__gte=today or timezone.now().date(), status__in=HOLDING_STATUSES
        )
        .exclude(_readable_bookings(account))
        .order_by("date", "patient__full_name")
        .values_list("date", "patient__full_name", "clinic__facility_id")
    )
    ahead = [
        (day, name) for day, name, facility_id in rows if day >= (today or facility_clock(facility_id).local_today())
    ]
    return [{"date": day, "patient__full_name": name} for day, name in dict.fromkeys(ahead)]


def _is_ahead(booking: Booking, today: dt.date | None) -> bool:
    """Not yet past: judged by `today` when given, else by the booking's facility's own date."""
    return booking.date >= (today or booking_today(booking))


def upcoming_and_past(account, *, today: dt.date | None = None) -> tuple[list[Booking], list[Booking]]:
    bookings = list(bookings_for(account).order_by("date", "created_at"))
    # A cancelled or rejected booking no longer holds anything ahead: it goes with the past ones.
    upcoming = [b for b in bookings if b.is_holding and _is_ahead(b, today)]
    past = [b for b in reversed(bookings) if not (b.is_holding and _is_ahead(b, today))]
    return upcoming, past


def dashboard_panel_context(request) -> dict:
    """The dashboard's queue panel: the family's next few bookings (one query)."""
    # Yesterday in UTC is on or before today in every Indonesian zone; each facility's own date decides.
    earliest = timezone.now().date() - dt.timedelta(days=1)
    upcoming = (
        bookings_for(request.user)
        .prefetch_related(None)
        .filter(date__gte=earliest, status__in=HOLDING_STATUSES)
        .order_by("date", "number")[:10]
    )
    return {"upcoming": [b for b in upcoming if _is_ahead(b, None)][:5], "other_queues": other_queues_for(request.user)}


def booking_documents(booking: Booking) -> list[BookingDocument]:
    return list(BookingDocument.objects.filter(booking=booking).order_by("uploaded_at"))


BOOKING_FACILITY_PATHS: tuple[str, ...] = ("clinic__facility",)


def staff_may_view_letters(user) -> bool:
    # Staff status alone is not enough: only roles given the permission (the registration clerks).
    return user.is_active and user.is_staff and user.has_perm("queueing.view_bookingdocument")


def booking_document_or_404(code: str, document_id) -> BookingDocument:
    """A booking's letter by code and id, for a view that then asks `may_view_booking_document`."""
    documents = BookingDocument.objects.select_related("booking__patient").filter(booking__code=code.upper())
    return get_object_or_404(documents, pk=document_id)


def bookings_for_staff(user, queryset: QuerySet[Booking] | None = None) -> QuerySet[Booking]:
    """The bookings a staff user may see: those at one of their facilities (all for superusers)."""
    return scope_for_staff(Booking.objects.all() if queryset is None else queryset, user, *BOOKING_FACILITY_PATHS)


def may_view_booking_document(user, document: BookingDocument) -> bool:
    """The booking's account holders, and staff allowed to see letters at the booking's facility."""
    if bookings_for(user).prefetch_related(None).filter(pk=document.booking_id).exists():
        return True
    return staff_may_view_letters(user) and bookings_for_staff(user).filter(pk=document.booking_id).exists()


# --- slips: what every front end prints ---------------------------------------------------------

# Slips print bookings that still mean something at the counter.
UNPRINTABLE_STATUSES = (BookingStatus.CANCELLED, BookingStatus.REJECTED)


def slip_printable(booking: Booking) -> bool:
    return booking.number is not None and booking.status not in UNPRINTABLE_STATUSES


def slip_data(booking: Booking) -> SlipData:
    """What a slip shows, the patient's and the desk's alike: plain values, the MRN formatted as on the card."""
    facility = settings_for(booking).facility
    return SlipData(
        hospital_name=facility.name,
        hospital_address=facility.address,
        hospital_phone=facility.phone,
        label=booking.label or None,
        clinic_name=booking.clinic.name,
        doctor_name=booking.doctor.name,
        exam_date=booking.date,
        estimated_time=booking.estimated_time,
        patient_name=booking.patient.full_name,
        mrn=format_mrn(booking.patient_mrn) or None,
        guarantor_name=booking.guarantor.name,
        required_documents=tuple(guarantor_services.required_documents(booking.guarantor, booking.clinic.code)),
        booking_code=booking.code,
    )


# --- visits (kunjungan): one owner for "new or returning", used by the report and the cashier ----

# A visit is a booking whose patient came: checked in or served.
VISIT_STATUSES = (BookingStatus.CHECKED_IN, BookingStatus.SERVED)


def earlier_visits(*, patient_id, date, facility_id) -> QuerySet[Booking]:
    """The patient's visits at this facility before `date`: none means kunjungan baru (new), any
    means kunjungan lama (returning). The arguments may be OuterRef()s for a per-row subquery."""
    return Booking.objects.filter(
        patient_id=patient_id, date__lt=date, status__in=VISIT_STATUSES, clinic__facility_id=facility_id
    )
