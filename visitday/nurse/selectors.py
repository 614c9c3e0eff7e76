"""Reads for calling at the clinic: today's doctor sessions and each session's queue in call order.

One owner of "who is waiting, who is being seen, who did not come" at a clinic session: the
nurse's page and the waiting-room display both read `session_queues`, so the next patient on the
screen is the one the nurse's "Panggil berikutnya" will call. The order itself is the pure rule
in visitday/call_order.py; this module only gathers its facts (three queries for any number of
sessions: the bookings, their latest check-in, the calls made at the clinic).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max

from facilities.models import Facility
from queueing.models import Booking, BookingEvent, BookingStatus, DayQuota
from visitday.call_order import DEFAULT_LATE_GAP, Called, Waiting, call_order, is_late
from visitday.models import Call, CallKind, PlaceKind

# The statuses a clinic queue shows: waiting or being seen, not present, done.
QUEUE_STATUSES = (BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW, BookingStatus.SERVED)


@dataclass
class Entry:
    booking: Booking
    checked_in_at: dt.datetime
    late: bool = False
    called_at: dt.datetime | None = None  # the latest call since the latest check-in
    called_by_id: int | None = None


@dataclass
class SessionQueue:
    day_quota: DayQuota
    several_sessions: bool = False  # the clinic has other doctors' sessions today: name the doctor
    waiting: list[Entry] = field(default_factory=list)  # in call order: the first is called next
    in_service: list[Entry] = field(default_factory=list)  # called, not yet done or not present
    absent: list[Booking] = field(default_factory=list)
    last_label: str = ""  # the number called last at this session (what the display shows)
    last_call_id: int = 0
    served: int = 0
    booked: int = 0  # numbers given for the day (any status holding a place)

    @property
    def clinic(self):
        return self.day_quota.schedule.clinic

    @property
    def doctor(self):
        return self.day_quota.schedule.doctor

    @property
    def detail(self) -> str:
        """What the display and the voice add to the clinic's name: the doctor, when there are several."""
        return self.doctor.name if self.several_sessions else ""


def sessions_today(facility: Facility, today: dt.date | None = None):
    """Today's doctor sessions (DayQuota rows) at the facility's clinics, in clinic and start order."""
    today = today or facility.local_today()
    return (
        DayQuota.objects.filter(date=today, schedule__clinic__facility=facility, closed=False)
        .select_related("schedule__clinic", "schedule__doctor")
        .order_by("schedule__clinic__sort_order", "schedule__clinic__name", "schedule__start_time", "pk")
    )


def late_gap(facility_id: int) -> int:
    """How many patients a late arrival waits behind (a facility setting, default 3)."""
    from visitday.models import LineSettings

    row = LineSettings.objects.filter(facility_id=facility_id).values_list("late_gap", flat=True).first()
    return DEFAULT_LATE_GAP if row is None else row


def _several_sessions(day_quotas: list[DayQuota]) -> set[int]:
    """The clinics (ids) among these sessions' that hold more than one session on the same day."""
    keys = {(dq.schedule.clinic_id, dq.date) for dq in day_quotas}
    counts = (
        DayQuota.objects.filter(
            schedule__clinic_id__in={c for c, _d in keys}, date__in={d for _c, d in keys}, closed=False
        )
        .values("schedule__clinic_id", "date")
        .annotate(n=Count("pk"))
    )
    return {
        row["schedule__clinic_id"]
        for row in counts
        if row["n"] > 1 and (row["schedule__clinic_id"], row["date"]) in keys
    }


def session_queues(
    day_quotas: Iterable[DayQuota], *, gap: int | None = None, with_patients: bool = False
) -> dict[int, SessionQueue]:
    """Each session's queue (keyed by DayQuota id); `with_patients` loads names for the nurse's page."""
    day_quotas = list(day_quotas)
    queues = {dq.pk: SessionQueue(day_quota=dq) for dq in day_quotas}
    if not queues:
        return queues
    several = _several_sessions(day_quotas)
    for queue in queues.values():
        queue.several_sessions = queue.clinic.pk in several
    bookings = Booking.objects.filter(day_quota_id__in=queues, status__in=QUEUE_STATUSES).order_by("number")
    bookings = (
        bookings.select_related("patient")
        if with_patients
        else bookings.only(
            "pk", "day_quota_id", "number", "label", "status", "registered_at", "clinic_id", "doctor_id", "date"
        )
    )
    bookings = list(bookings)
    check_ins = dict(
        BookingEvent.objects.filter(booking_id__in=[b.pk for b in bookings], to_status=BookingStatus.CHECKED_IN)
        .values("booking_id")
        .annotate(at=Max("at"))
        .values_list("booking_id", "at")
    )
    calls = list(
        Call.objects.filter(place_kind=PlaceKind.CLINIC, booking__day_quota_id__in=queues)
        .order_by("at", "pk")
        .values_list("pk", "booking_id", "booking__day_quota_id", "booking__number", "label", "kind", "at", "by_id")
    )
    first_calls: dict[int, list[Called]] = defaultdict(list)
    calls_of: dict = defaultdict(list)
    for call_id, booking_id, dq_id, number, label, kind, at, by_id in calls:
        queues[dq_id].last_label, queues[dq_id].last_call_id = label, call_id
        if kind == CallKind.CALL:
            first_calls[dq_id].append(Called(number=number, at=at))
        calls_of[booking_id].append((at, by_id))
    if gap is None:
        gap = late_gap(day_quotas[0].schedule.clinic.facility_id)
    waiting: dict[int, list[Waiting]] = defaultdict(list)
    entries: dict = {}
    for booking in bookings:
        queue = queues[booking.day_quota_id]
        queue.booked += 1
        if booking.status == BookingStatus.SERVED:
            queue.served += 1
            continue
        if booking.status == BookingStatus.NO_SHOW:
            queue.absent.append(booking)
            continue
        # A walk-in or a paper form may start checked in without a check-in event: its registration.
        checked_in_at = check_ins.get(booking.pk) or booking.registered_at
        entry = entries[booking.pk] = Entry(booking=booking, checked_in_at=checked_in_at)
        since = [(at, by_id) for at, by_id in calls_of.get(booking.pk, []) if at >= checked_in_at]
        if since:
            entry.called_at, entry.called_by_id = since[-1]
            queue.in_service.append(entry)
        else:
            waiting[booking.day_quota_id].append(
                Waiting(key=booking.pk, number=booking.number, checked_in_at=checked_in_at)
            )
    for dq_id, patients in waiting.items():
        for patient in call_order(patients, first_calls[dq_id], late_gap=gap):
            entry = entries[patient.key]
            entry.late = is_late(patient, first_calls[dq_id])
            queues[dq_id].waiting.append(entry)
    for queue in queues.values():
        queue.in_service.sort(key=lambda e: e.called_at)
    return queues


def session_queue(day_quota: DayQuota, *, with_patients: bool = True) -> SessionQueue:
    return session_queues([day_quota], with_patients=with_patients)[day_quota.pk]
