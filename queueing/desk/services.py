"""Counter (loket) writes: check-in, walk-ins, moving clinic, no-show, served, paper forms entered afterwards.

The same rules as services.py: keyword-only functions, one short transaction each, a named
database constraint behind every rule a race could break, ValidationError with a code, e-mail
only after commit. Lock order, as in services.py:
  1. new booking rows;
  2. DayQuota rows (ordered by id when there are several);
  3. existing booking rows.

Quota at the counter. A DayQuota row carries the online share (`quota`, places in
`active_count`) and the schedule's total (`total_quota`, copied the first time the counter uses
the row). Walk-ins, moved bookings and paper forms take *counter places* (`counter_count`) and
numbers from the same `last_number`, so one doctor-day has one gapless number sequence.
While online booking for that day is still open the counter uses only its own share
(total - online); once it has closed (on the day itself when bookings start a day ahead, or after
the same-day cut-off) the counter may use every place left under the total, so an online place
nobody booked is not wasted. The constraint `queueing_dayquota_within_total` keeps
online + counter <= total whatever the order of writes. The UPDATEs of the counter row are in
queueing/counters.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from facilities.models import Facility, default_facility
from families import services as family_services
from families.models import AccessWhat, Patient, PatientRecord
from guarantors import services as guarantor_services
from guarantors.models import GuarantorType
from notifications.services import notify
from queueing import booking_write, counters, selectors, task_times, transitions
from queueing.desk.selectors import online_still_open, schedule_facility
from queueing.jkn import outbox
from queueing.models import (
    HOLDING_STATUSES,
    Booking,
    BookingChannel,
    BookingEvent,
    BookingStatus,
    DayQuota,
    Schedule,
    Task,
)
from queueing.transitions import Action

# Kept in step with migrations 0005_clerk_group and 0021_clerk_patient_records (which freeze their own copies).
CLERK_GROUP = "Petugas Pendaftaran"
CLERK_PERMISSIONS = (
    ("queueing", "view_booking"),
    ("queueing", "change_booking"),
    ("queueing", "view_bookingevent"),
    ("queueing", "view_bookingdocument"),
    ("queueing", "view_clinic"),
    ("queueing", "view_doctor"),
    ("queueing", "view_schedule"),
    ("queueing", "view_scheduleexception"),
    ("queueing", "view_dayquota"),
    ("queueing", "view_outboxevent"),  # what BPJS Antrean heard, and refusals to retry (Mobile JKN)
    ("queueing", "change_outboxevent"),
    ("families", "view_patient"),
    ("families", "add_patient"),
    ("families", "change_patient"),
    ("families", "view_patientrecord"),
    ("families", "add_patientrecord"),
    ("families", "change_patientrecord"),
    ("families", "view_accountpatient"),
    ("families", "view_identitydocument"),
    ("guarantors", "view_guarantortype"),
    ("guarantors", "view_clinicdocumentrule"),
)
# Paper forms (SOP 001) are entered within this many days of the outage.
PAPER_MAX_DAYS_BACK = 7


def clerk_group_ensure() -> Group:
    """The clerk group with exactly its permissions (after a flush, for the demo data)."""
    group, _created = Group.objects.get_or_create(name=CLERK_GROUP)
    query = Q()
    for app_label, codename in CLERK_PERMISSIONS:
        query |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(query))
    return group


# --- counter places ------------------------------------------------------------------------


def schedule_sync_total_quotas(*, schedule: Schedule, today: dt.date | None = None) -> int:
    """Carry a changed total quota to the coming days the counter already opened; never below places taken."""
    today = today or schedule.clinic.facility.local_today()
    return counters.sync_total_quota(schedule, today)


def _full_error(schedule: Schedule, count: int) -> ValidationError:
    return ValidationError(
        _("Not enough places left with %(doctor)s for %(count)d patient(s)."),
        code="full",
        params={"doctor": schedule.doctor.name, "count": count},
    )


def _closed_error() -> ValidationError:
    return ValidationError(_("This doctor does not practise on this date."), code="schedule_closed")


def counter_estimate(schedule: Schedule, number: int, registered_at: dt.datetime, place_in_block: int = 0) -> dt.time:
    """A counter registration is expected no earlier than it registered (a late walk-in is not "08:18" at 09:16).

    The schedule's slot time when that is still ahead, otherwise the registration time (to the minute above)
    plus one consultation for each member registered before it in the same block.
    """
    slot = schedule.estimated_time(number)
    local = selectors.facility_clock(schedule.clinic.facility_id).local_now(registered_at)
    minute = local.replace(second=0, microsecond=0)
    if minute < local:
        minute += dt.timedelta(minutes=1)
    from_now = minute + dt.timedelta(minutes=place_in_block * schedule.minutes_per_patient)
    if from_now.date() != local.date():  # past midnight: keep the slot rather than wrap around
        return slot
    return max(slot, from_now.time())


def _write_number(
    booking: Booking, schedule: Schedule, number: int, status: str, estimated_time: dt.time | None = None
) -> None:
    booking.number, booking.status = number, status
    booking.label = booking_write.label_for(schedule.clinic.prefix, number)
    booking.estimated_time = estimated_time or schedule.estimated_time(number)
    Booking.objects.filter(pk=booking.pk).update(
        number=number, status=status, label=booking.label, estimated_time=booking.estimated_time
    )


# --- registering at the counter (walk-ins, SOP 003/004; paper forms, SOP 001) ------------------


@dataclass(frozen=True, kw_only=True)
class CounterEntry:
    """One patient registered at the counter, with the guarantor checked at the desk."""

    patient_id: object
    guarantor_id: int
    card_number: str = ""
    referral_number: str = ""
    guarantor_verified: bool = False
    guarantor_check: dict = field(default_factory=dict)
    # Seed 001's PCare fields (a puskesmas counter): VisitKind, CareKind values and the complaint.
    visit_kind: str = ""
    care_kind: str = ""
    complaint: str = ""


def _checked_entries(entries: Sequence[CounterEntry]) -> list[tuple[CounterEntry, Patient, GuarantorType]]:
    if not entries:
        raise ValidationError(_("Choose at least one patient."), code="no_patients")
    try:
        ids = [uuid.UUID(str(e.patient_id)) for e in entries]
    except ValueError as exc:
        raise ValidationError(_("This patient no longer exists."), code="patient_missing") from exc
    if len(set(ids)) != len(ids):
        raise ValidationError(_("A patient is listed twice."), code="duplicate_patient")
    patients = Patient.objects.in_bulk(ids)
    guarantors = GuarantorType.objects.filter(is_active=True).in_bulk([e.guarantor_id for e in entries])
    checked = []
    for entry, patient_id in zip(entries, ids):
        patient = patients.get(patient_id)
        guarantor = guarantors.get(entry.guarantor_id)
        if patient is None:
            raise ValidationError(_("This patient no longer exists."), code="patient_missing")
        if guarantor is None:
            raise ValidationError(_("Choose a guarantor."), code="guarantor_unavailable")
        try:
            guarantor_services.validate_guarantor_numbers(
                guarantor, card_number=entry.card_number, referral_number=entry.referral_number
            )
        except ValidationError as exc:
            raise ValidationError(
                _("%(name)s: %(problem)s"),
                code=_first_code(exc),
                params={"name": patient.full_name, "problem": exc.messages[0]},
            ) from exc
        checked.append((entry, patient, guarantor))
    return checked


def _first_code(exc: ValidationError) -> str:
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    return next(error.code for errors_ in errors for error in errors_)


def _register(
    *,
    actor,
    schedule: Schedule,
    date: dt.date,
    entries: Sequence[CounterEntry],
    status: str,
    channel: str,
    registered_at: dt.datetime,
    reason: str,
    note: str = "",
    online_open: bool,
) -> list[Booking]:
    """New bookings with consecutive numbers from one counter UPDATE (one lock on the day quota)."""
    checked = _checked_entries(entries)
    day_quota = counters.day_quota_for_counter(schedule, date)
    try:
        with transaction.atomic():
            # Lock order: each patient row and the facility's MRN counter, then the day quota (the hot row) last.
            facility = selectors.facility_clock(schedule.clinic.facility_id)
            for _entry, patient, _guarantor in checked:
                # A walk-in leaves with this facility's medical record number.
                family_services.patient_record_allocate(patient=patient, facility=facility)
            bookings = [
                Booking.objects.create(
                    patient=patient,
                    account=actor,
                    day_quota=day_quota,
                    date=date,
                    clinic_id=schedule.clinic_id,
                    doctor_id=schedule.doctor_id,
                    guarantor=guarantor,
                    card_number=entry.card_number,
                    referral_number=entry.referral_number,
                    guarantor_verified=entry.guarantor_verified,
                    guarantor_check=entry.guarantor_check or {},
                    status=BookingStatus.REQUESTED,
                    channel=channel,
                    counter_place=True,
                    registered_at=registered_at,
                    desk_note=note[:200],
                    visit_kind=entry.visit_kind,
                    care_kind=entry.care_kind,
                    complaint=entry.complaint[:300],
                )
                for entry, patient, guarantor in checked
            ]
            BookingEvent.objects.bulk_create(
                [BookingEvent(booking=b, to_status=status, actor=actor, reason=reason) for b in bookings]
            )
            # The hot row, last.
            last = counters.take_counter_places(day_quota.pk, len(bookings), online_open=online_open)
            if last is None:
                closed = DayQuota.objects.filter(pk=day_quota.pk, closed=True).exists()
                raise _closed_error() if closed else _full_error(schedule, len(bookings))
            for offset, booking in enumerate(bookings):
                number = last - len(bookings) + 1 + offset
                _write_number(
                    booking, schedule, number, status, counter_estimate(schedule, number, registered_at, offset)
                )
            outbox.record_add(*(b.pk for b in bookings))  # BPJS Antrean hears of them (bridge on)
    except IntegrityError as exc:
        raise _explain_integrity([patient for _e, patient, _g in checked], date) from exc
    return bookings


def _explain_integrity(patients: list[Patient], date: dt.date) -> ValidationError:
    """After the rollback: which patient already holds a place that day (the partial unique index)."""
    taken = (
        Booking.objects.filter(patient__in=patients, date=date, status__in=HOLDING_STATUSES)
        .select_related("patient", "clinic")
        .first()
    )
    if taken is None:
        return ValidationError(_("Something changed meanwhile. Please try again."), code="conflict")
    return ValidationError(
        _("%(name)s already has a queue that day (%(code)s, %(clinic)s): check in or move that booking instead."),
        code="already_booked",
        params={"name": taken.patient.full_name, "code": taken.code, "clinic": taken.clinic.name},
    )


def _schedule_on(schedule_id: int, date: dt.date) -> Schedule:
    offer = selectors.offer_for(schedule_id, date)
    if offer is None:
        raise _closed_error()
    return offer.schedule


def walkin_register(
    *, actor, schedule_id: int, entries: Sequence[CounterEntry], now: dt.datetime | None = None
) -> list[Booking]:
    """Register patients who came to the counter today, checked in at once (SOP 003, 004).

    Several members of one family registered together get consecutive numbers: one UPDATE of
    the day quota hands out the whole block.
    """
    now = now or timezone.now()
    facility = schedule_facility(schedule_id)
    date = facility.local_today(now)
    schedule = _schedule_on(schedule_id, date)
    with transaction.atomic():
        bookings = _register(
            actor=actor,
            schedule=schedule,
            date=date,
            entries=entries,
            status=BookingStatus.CHECKED_IN,
            channel=BookingChannel.COUNTER,
            registered_at=now,
            reason=_("Registered at the counter"),
            online_open=online_still_open(date, now, facility_id=facility.pk),
        )
        for booking in bookings:  # registered by the counter: the clinic wait starts now (BPJS task 3)
            task_times.task_record(booking=booking, task_id=Task.CLINIC_WAIT, at=now)
    return bookings


PAPER_STATUSES = (BookingStatus.SERVED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


def paper_register(
    *,
    actor,
    schedule_id: int,
    date: dt.date,
    registered_at: dt.datetime,
    entry: CounterEntry,
    status: str = BookingStatus.SERVED,
    note: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Enter a registration written on the manual form while the system was down (SOP 001 step 16).

    `registered_at` is when it really happened; the event row says who typed it in and when.
    """
    now = now or timezone.now()
    facility = schedule_facility(schedule_id)
    today = facility.local_today(now)
    if status not in PAPER_STATUSES:
        raise ValidationError(_("Choose what happened to the patient."), code="status_invalid")
    if date > today:
        raise ValidationError(_("A paper form cannot be dated in the future."), code="date_future")
    if date < today - dt.timedelta(days=PAPER_MAX_DAYS_BACK):
        raise ValidationError(
            _("Paper forms are entered within %(days)d days."),
            code="date_too_old",
            params={"days": PAPER_MAX_DAYS_BACK},
        )
    if facility.local_today(registered_at) != date:
        raise ValidationError(_("The registration time must be on the exam date."), code="registered_at_other_day")
    if registered_at > now:
        raise ValidationError(_("The registration time cannot be in the future."), code="registered_at_future")
    schedule = _schedule_on(schedule_id, date)
    reason = _("Paper form entered afterwards (registered at %(time)s)") % {
        "time": facility.local_now(registered_at).strftime("%H:%M")
    }
    return _register(
        actor=actor,
        schedule=schedule,
        date=date,
        entries=[entry],
        status=status,
        channel=BookingChannel.PAPER,
        registered_at=registered_at,
        reason=reason,
        note=note,
        online_open=online_still_open(date, now, facility_id=facility.pk),
    )[0]


# --- status changes on the day ----------------------------------------------------------------


def _change_status(booking: Booking, *, actor, action: str, reason: str = "") -> Booking:
    """A status change that keeps the place (all of these hold it): only the booking row is locked."""
    to_status = transitions.target(action)
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status__in=transitions.sources(action)).update(
            status=to_status, updated_at=timezone.now()
        )
        if not changed:
            raise transitions.refusal(action)  # someone else changed it first
        BookingEvent.objects.create(
            booking=booking, from_status=booking.status, to_status=to_status, actor=actor, reason=reason
        )
    booking.refresh_from_db()
    return booking


def check_in_problem(booking: Booking, today: dt.date) -> ValidationError | None:
    """Why this booking cannot be checked in today, or None."""
    status = booking.status
    if status == BookingStatus.CANCELLED:
        return ValidationError(_("This booking was cancelled."), code="cancelled")
    if status == BookingStatus.REJECTED:
        return ValidationError(
            _("This request was rejected: %(reason)s"), code="rejected", params={"reason": booking.reject_reason}
        )
    if booking.date != today:
        return ValidationError(
            _("This booking is for %(date)s, not today."),
            code="wrong_day",
            params={"date": date_format(booking.date, "l, j F Y")},
        )
    if status == BookingStatus.REQUESTED:
        return ValidationError(_("This request has not been verified yet: verify it first."), code="not_verified")
    if status == BookingStatus.CHECKED_IN:
        return ValidationError(_("Already checked in."), code="already_checked_in")
    if status == BookingStatus.SERVED:
        return ValidationError(_("This patient has already been served."), code="already_served")
    if not transitions.allows(Action.CHECK_IN, status):
        return transitions.refusal(Action.CHECK_IN)
    if booking.day_quota.closed:
        return ValidationError(
            _("The practice was cancelled for this day: %(note)s. Move the booking to another doctor."),
            code="schedule_closed",
            params={"note": booking.affected_note or "-"},
        )
    return None


def booking_check_in(
    *, booking: Booking, actor, today: dt.date | None = None, now: dt.datetime | None = None
) -> Booking:
    """The patient has arrived with the booking code (SOP 002 step 7-8); `now` times the BPJS task."""
    problem = check_in_problem(booking, today or selectors.booking_today(booking))
    if problem:
        raise problem
    reason = _("Arrived late") if booking.status == BookingStatus.NO_SHOW else ""
    with transaction.atomic():
        booking = _change_status(booking, actor=actor, action=Action.CHECK_IN, reason=reason)
        # BPJS task 3 (clinic wait) for a patient with a record at this facility; a new one waits for
        # the counter first (1).
        task = Task.CLINIC_WAIT if booking.patient.mrn_at(booking.clinic.facility_id) else Task.ADMISSION_WAIT
        task_times.task_record(booking=booking, task_id=task, at=now)
    return booking


def booking_mark_no_show(*, booking: Booking, actor, reason: str = "", today: dt.date | None = None) -> Booking:
    """Called and not there (or never came): the number is not given to anyone else."""
    transitions.require(Action.NO_SHOW, booking)
    if not transitions.on_day(Action.NO_SHOW, booking.date, today or selectors.booking_today(booking)):
        raise ValidationError(_("The exam date has not come yet."), code="too_early")
    return _change_status(
        booking, actor=actor, action=Action.NO_SHOW, reason=reason.strip() or _("Did not come when called")
    )


def booking_mark_served(*, booking: Booking, actor, today: dt.date | None = None) -> Booking:
    transitions.require(Action.SERVED, booking)
    if not transitions.on_day(Action.SERVED, booking.date, today or selectors.booking_today(booking)):
        raise ValidationError(_("The exam date has not come yet."), code="too_early")
    return _change_status(booking, actor=actor, action=Action.SERVED)


# --- moving to another clinic or doctor (SOP 002 step 8) -----------------------------------------


def _check_movable(booking: Booking, schedule_id: int, reason: str, today: dt.date) -> None:
    transitions.require(Action.MOVE, booking)
    if not transitions.on_day(Action.MOVE, booking.date, today):
        raise ValidationError(_("Bookings are moved at the counter on the exam date."), code="wrong_day")
    if booking.day_quota.schedule_id == int(schedule_id):
        raise ValidationError(_("Choose another clinic or doctor."), code="same_schedule")
    if not reason.strip():
        raise ValidationError(_("Say why the booking is moved."), code="reason_required")


def booking_move(*, booking: Booking, actor, schedule_id: int, reason: str, now: dt.datetime | None = None) -> Booking:
    """The patient chose the wrong clinic: a new number with another doctor today, the old one in the history.

    The patient is at the counter, so the booking ends checked in, in the counter's share of the
    new doctor-day; its old place goes back to the share it came from. The booking code stays.
    """
    now = now or timezone.now()
    facility = selectors.settings_for(booking).facility
    today = facility.local_today(now)
    _check_movable(booking, schedule_id, reason, today)
    schedule = _schedule_on(schedule_id, today)
    if schedule.clinic.facility_id != facility.pk:
        raise ValidationError(_("Choose a clinic of the same facility."), code="other_facility")
    new_quota = counters.day_quota_for_counter(schedule, today)
    old_quota_id, old_label, old_status = booking.day_quota_id, booking.label, booking.status
    refusal = ValidationError(_("This booking changed meanwhile."), code="conflict")
    with transaction.atomic():
        counters.lock(pk__in=[old_quota_id, new_quota.pk])
        number = counters.take_counter_places(
            new_quota.pk, 1, online_open=online_still_open(today, now, facility_id=facility.pk)
        )
        if number is None:
            raise _closed_error() if new_quota.closed else _full_error(schedule, 1)
        counters.release_place(old_quota_id, counter_place=booking.counter_place, jkn_place=booking.holds_jkn_place)
        label = booking_write.label_for(schedule.clinic.prefix, number)
        changed = Booking.objects.filter(
            pk=booking.pk, day_quota_id=old_quota_id, status__in=transitions.sources(Action.MOVE)
        ).update(
            day_quota=new_quota,
            clinic_id=schedule.clinic_id,
            doctor_id=schedule.doctor_id,
            number=number,
            label=label,
            estimated_time=schedule.estimated_time(number),
            status=transitions.target(Action.MOVE),
            counter_place=True,
            updated_at=timezone.now(),
        )
        if not changed:
            raise refusal  # moved or changed by someone else: the rollback gives the number back
        BookingEvent.objects.create(
            booking=booking,
            from_status=old_status,
            to_status=transitions.target(Action.MOVE),
            actor=actor,
            reason=reason.strip()[:300],
            from_label=old_label,
            to_label=label,
        )
    booking.refresh_from_db()
    if booking.channel == BookingChannel.ONLINE:
        _mail_moved(booking, old_label)
    return booking


def _mail_moved(booking: Booking, old_label: str) -> None:
    """Tell the account holder the new number once the move is committed."""
    notify(
        "queueing/desk/emails/booking_moved",
        account=booking.account,
        context={"booking": booking, "account": booking.account, "old_label": old_label},
    )


# --- new patients at the counter ---------------------------------------------------------------


def patient_record_here(*, actor, patient: Patient, facility: Facility) -> PatientRecord:
    """A person registered at another facility comes here: this facility's next medical record number.

    One person across the deployment (identified by NIK), one record per facility; the clerk's
    look-up of someone outside their facilities is logged like any other.
    """
    family_services.access_log(actor, patient, AccessWhat.PATIENT_SEARCH, detail="nik, other facility")
    return family_services.patient_record_allocate(patient=patient, facility=facility)


def patient_register(*, actor, facility: Facility | None = None, mrn: str | None = None, **fields) -> Patient:
    """A new patient at the counter (SOP 004 "pasien baru"), no account link; the form checked the formats.

    A typed `mrn` (an old paper card) is the record at `facility` (the clerk's; the default one when
    not named). The unique constraints on NIK and medical record number decide a race; the error says which.
    """
    facility = facility or default_facility()
    if fields.get("nik") and Patient.objects.filter(nik=fields["nik"]).exists():
        raise ValidationError(
            {"nik": ValidationError(_("Another patient already has this NIK: search for them."), code="nik_exists")}
        )
    if mrn and PatientRecord.objects.filter(facility=facility, mrn=mrn).exists():
        raise ValidationError(
            {"mrn": ValidationError(_("Another patient already has this medical record number."), code="mrn_exists")}
        )
    try:
        with transaction.atomic():
            patient = Patient.objects.create(**fields)
            if mrn:
                family_services.patient_record_attach(patient=patient, facility=facility, mrn=mrn)
            return patient
    except IntegrityError as exc:
        raise ValidationError(
            _("Another patient with this NIK or medical record number was just registered."), code="conflict"
        ) from exc
