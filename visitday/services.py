"""Visit-day writes: counter tickets, calling at the counter, calls for the display, tickets → bookings.

Each function is keyword-only, runs in one short transaction and raises ValidationError with a
code. Lock order (fixed, so two writers never wait on each other in a circle):
  1. ticket rows (FOR NO KEY UPDATE; the next waiting one with SKIP LOCKED on PostgreSQL);
  2. the line's TicketDay counter row (only when printing, visitday/counters.py);
  3. booking rows (queueing.task_times locks the booking it times).
SQLite ignores row locks; its IMMEDIATE transactions (settings) serialise writers instead.

Ticket statuses: waiting → called (→ called again: a recall) → done | absent; called → skipped
(put aside, callable again) → called; waiting | called | skipped → waiting on another line
(moved: it keeps `taken_at`, so its place in time). Every call and recall is a Call row (what the
waiting-room display shows and announces); the end is `done_at`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.models import Facility
from families import services as family_services
from queueing import task_times
from queueing.desk import services as desk_services
from queueing.models import Booking, BookingStatus, Clinic, Task
from visitday import counters
from visitday.models import (
    Call,
    CallKind,
    LineSettings,
    Loket,
    PlaceKind,
    Ticket,
    TicketBooking,
    TicketLine,
    TicketStatus,
)

CALLABLE = (TicketStatus.WAITING, TicketStatus.SKIPPED)
MOVABLE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SKIPPED)


def ticket_label(letter: str, number: int) -> str:
    """A-012: the one format of a ticket's label (printed, shown and spoken)."""
    return f"{letter}-{number:03d}"


def line_settings(facility: Facility) -> LineSettings:
    settings_row, _created = LineSettings.objects.get_or_create(facility=facility)
    return settings_row


# --- printing a ticket (the kiosk) --------------------------------------------------------------


def _ticket_clinic(line: TicketLine, clinic: Clinic | None) -> Clinic | None:
    if line.clinic_id is not None:
        return line.clinic
    if clinic is None:
        if line.asks_clinic:
            raise ValidationError(_("Choose the clinic."), code="clinic_required")
        return None
    if clinic.facility_id != line.facility_id or not clinic.active:
        raise ValidationError(_("Choose a clinic of this hospital."), code="clinic_unavailable")
    return clinic


def ticket_take(*, line: TicketLine, clinic: Clinic | None = None, now: dt.datetime | None = None) -> Ticket:
    """Print the next ticket of `line` today: gapless numbers per line per day, never the same twice."""
    if not line.active:
        raise ValidationError(_("This line is closed."), code="line_closed")
    clinic = _ticket_clinic(line, clinic)
    now = now or timezone.now()
    today = line.facility.local_today(now)
    with transaction.atomic():
        # The counter row's lock is held from here to the COMMIT: two kiosks take turns, and the
        # count below sees every ticket committed before ours.
        number = counters.take_ticket_number(line.pk, today)
        ahead = Ticket.objects.filter(line=line, date=today, status=TicketStatus.WAITING).count()
        return Ticket.objects.create(
            facility_id=line.facility_id,
            issued_line=line,
            line=line,
            clinic=clinic,
            date=today,
            number=number,
            label=ticket_label(line.letter, number),
            waiting_ahead=ahead,
            taken_at=now,
        )


# --- calls (the counter's, and the clinic's through h4's nurse page) ------------------------------


def call_record(
    *,
    facility: Facility | int,
    place_kind: str,
    place_name: str,
    label: str,
    kind: str = CallKind.CALL,
    ticket: Ticket | None = None,
    booking: Booking | None = None,
    loket: Loket | None = None,
    clinic: Clinic | None = None,
    detail: str = "",
    actor=None,
    at: dt.datetime | None = None,
) -> Call:
    """One call or recall of `label` to a place: the display shows it and announces it once."""
    facility_id = facility if isinstance(facility, int) else facility.pk
    return Call.objects.create(
        facility_id=facility_id,
        place_kind=place_kind,
        place_name=place_name[:100],
        detail=detail[:150],
        label=label,
        kind=kind,
        ticket=ticket,
        booking=booking,
        loket=loket,
        clinic=clinic,
        at=at or timezone.now(),
        by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _counter_call(ticket: Ticket, loket: Loket, actor, kind: str, now: dt.datetime) -> Call:
    return call_record(
        facility=ticket.facility_id,
        place_kind=PlaceKind.COUNTER,
        place_name=loket.name,
        label=ticket.label,
        kind=kind,
        ticket=ticket,
        loket=loket,
        actor=actor,
        at=now,
    )


# --- calling at the counter (loket) ---------------------------------------------------------------


def _lock_first(queryset) -> Ticket | None:
    """The first row, locked; on PostgreSQL rows another clerk holds are skipped, not waited for."""
    skip = connection.features.has_select_for_update_skip_locked
    return queryset.select_for_update(no_key=True, skip_locked=skip, of=("self",)).first()


def _priority_turn(loket: Loket, lines: list[TicketLine], today: dt.date) -> bool | None:
    """Whether this call should take a priority ticket (True), a regular one (False), or either (None).

    With a ratio N (LineSettings.regular_per_priority) the counter calls one priority ticket, then up
    to N regular ones, then a priority one again, each as long as such tickets wait; N = 0 means a
    waiting priority ticket always goes first. Counted per counter, from its own calls today.
    """
    kinds = {line.priority for line in lines}
    if kinds != {True, False}:
        return None
    ratio = line_settings(loket.facility).regular_per_priority
    if ratio == 0:
        return True
    today_calls = Call.objects.filter(loket=loket, kind=CallKind.CALL, ticket__date=today)
    last_priority = today_calls.filter(ticket__line__priority=True).order_by("-id").values_list("id", flat=True)[:1]
    regular_since = today_calls.filter(ticket__line__priority=False)
    if last_priority:
        regular_since = regular_since.filter(id__gt=last_priority[0])
    else:
        return True  # the day starts with a priority ticket when one waits
    return regular_since.count() >= ratio


def next_waiting(lines: list[TicketLine], today: dt.date, *, priority: bool | None, lock: bool) -> Ticket | None:
    """The oldest waiting ticket (by print time, kept when moved) on `lines`, of the kind asked."""
    queryset = Ticket.objects.filter(line__in=lines, date=today, status=TicketStatus.WAITING)
    if priority is not None:
        queryset = queryset.filter(line__priority=priority)
    queryset = queryset.order_by("taken_at", "id")
    return _lock_first(queryset) if lock else queryset.first()


def _finish_current(loket: Loket, actor, now: dt.datetime) -> None:
    """Pressing "next" ends the ticket this counter was serving."""
    Ticket.objects.filter(loket=loket, status=TicketStatus.CALLED).update(status=TicketStatus.DONE, done_at=now)


def _served_lines(loket: Loket, line_ids: Iterable[int]) -> list[TicketLine]:
    lines = list(TicketLine.objects.filter(facility_id=loket.facility_id, active=True, pk__in=list(line_ids)))
    if not lines:
        raise ValidationError(_("Choose the lines this counter serves."), code="no_lines")
    return lines


def ticket_call_next(*, loket: Loket, line_ids: Iterable[int], actor, now: dt.datetime | None = None) -> Ticket | None:
    """Panggil berikutnya: the next ticket for this counter, or None when nobody waits."""
    now = now or timezone.now()
    lines = _served_lines(loket, line_ids)
    today = loket.facility.local_today(now)
    with transaction.atomic():
        turn = _priority_turn(loket, lines, today)
        ticket = next_waiting(lines, today, priority=turn, lock=True)
        if ticket is None and turn is not None:
            ticket = next_waiting(lines, today, priority=not turn, lock=True)
        if ticket is None:
            return None
        _finish_current(loket, actor, now)
        return _take_call(ticket, loket, actor, now, from_statuses=(TicketStatus.WAITING,))


def _take_call(ticket: Ticket, loket: Loket, actor, now: dt.datetime, *, from_statuses) -> Ticket:
    changed = Ticket.objects.filter(pk=ticket.pk, status__in=from_statuses).update(
        status=TicketStatus.CALLED, loket=loket, called_by=actor, called_at=ticket.called_at or now
    )
    if not changed:
        raise ValidationError(_("Another counter called this ticket first."), code="conflict")
    ticket.refresh_from_db()
    _counter_call(ticket, loket, actor, CallKind.CALL, now)
    return ticket


def _locked(ticket: Ticket, loket: Loket | None = None) -> Ticket:
    locked = Ticket.objects.select_for_update(no_key=True).filter(pk=ticket.pk).first()
    if locked is None or (loket is not None and locked.facility_id != loket.facility_id):
        raise ValidationError(_("This ticket does not exist."), code="unknown")
    return locked


def ticket_call(*, ticket: Ticket, loket: Loket, actor, now: dt.datetime | None = None) -> Ticket:
    """Call one particular waiting or skipped ticket (the person is standing at the counter)."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket, loket)
        if ticket.status not in CALLABLE or ticket.date != loket.facility.local_today(now):
            raise ValidationError(_("This ticket cannot be called now."), code="not_callable")
        _finish_current(loket, actor, now)
        return _take_call(ticket, loket, actor, now, from_statuses=CALLABLE)


def ticket_recall(*, ticket: Ticket, loket: Loket, actor, now: dt.datetime | None = None) -> Ticket:
    """Panggil ulang: the same number announced again at this counter."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket, loket)
        if ticket.status != TicketStatus.CALLED:
            raise ValidationError(_("Only a called ticket can be called again."), code="not_called")
        Ticket.objects.filter(pk=ticket.pk).update(loket=loket)
        _counter_call(ticket, loket, actor, CallKind.RECALL, now)
    return ticket


def _end(ticket: Ticket, *, to_status: str, from_statuses, code: str, now: dt.datetime | None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status not in from_statuses:
            raise ValidationError(_("This ticket changed meanwhile."), code=code)
        fields = {"status": to_status}
        if to_status in (TicketStatus.DONE, TicketStatus.ABSENT):
            fields["done_at"] = now
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    return ticket


def ticket_skip(*, ticket: Ticket, actor=None, now: dt.datetime | None = None) -> Ticket:
    """Lewati: the person did not come; the ticket is put aside and may be called again later."""
    return _end(
        ticket, to_status=TicketStatus.SKIPPED, from_statuses=(TicketStatus.CALLED,), code="not_called", now=now
    )


def ticket_finish(*, ticket: Ticket, actor=None, now: dt.datetime | None = None) -> Ticket:
    """Selesai: served at the counter."""
    return _end(ticket, to_status=TicketStatus.DONE, from_statuses=(TicketStatus.CALLED,), code="not_called", now=now)


def ticket_absent(*, ticket: Ticket, actor=None, now: dt.datetime | None = None) -> Ticket:
    """Not present after being called (and perhaps skipped): the ticket ends."""
    return _end(
        ticket,
        to_status=TicketStatus.ABSENT,
        from_statuses=(TicketStatus.CALLED, TicketStatus.SKIPPED),
        code="not_called",
        now=now,
    )


def ticket_move(*, ticket: Ticket, line: TicketLine, actor=None, now: dt.datetime | None = None) -> Ticket:
    """Move a ticket to another line (Umum → BPJS): it waits there in its original place in time."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if line.facility_id != ticket.facility_id or not line.active:
            raise ValidationError(_("Choose a line of this hospital."), code="line_unavailable")
        if line.pk == ticket.line_id:
            raise ValidationError(_("Choose another line."), code="same_line")
        if ticket.status not in MOVABLE:
            raise ValidationError(_("This ticket has ended."), code="not_movable")
        Ticket.objects.filter(pk=ticket.pk).update(
            line=line, moved_from_id=ticket.line_id, moved_at=now, status=TicketStatus.WAITING, loket=None
        )
    ticket.refresh_from_db()
    return ticket


# --- tickets → bookings (BPJS tasks 1 and 2) -------------------------------------------------------


def ticket_attach(*, ticket: Ticket, bookings: Iterable[Booking]) -> list[Booking]:
    """The bookings registered or checked in from this ticket: its print time is task 1, its call time task 2.

    A booking already linked to a ticket keeps its first one; another facility's booking is ignored.
    """
    attached = []
    with transaction.atomic():
        for booking in bookings:
            if booking.clinic.facility_id != ticket.facility_id:
                continue
            TicketBooking.objects.get_or_create(booking=booking, defaults={"ticket": ticket})
            task_times.task_record(booking=booking, task_id=Task.ADMISSION_WAIT, at=ticket.taken_at)
            if ticket.called_at is not None:
                task_times.task_record(booking=booking, task_id=Task.ADMISSION_SERVICE, at=ticket.called_at)
            attached.append(booking)
    return attached


def ticket_check_in(*, ticket: Ticket, booking: Booking, actor, now: dt.datetime | None = None) -> Booking:
    """Check in a booking at the counter from a called ticket: tasks 1, 2 (the ticket), then 3.

    A new patient who already checked in at the kiosk (task 1 there) comes to the counter for their
    medical record: here they get it, and the clinic wait (3) starts.
    """
    now = now or timezone.now()
    today = booking.clinic.facility.local_today(now)
    with transaction.atomic():
        ticket_attach(ticket=ticket, bookings=[booking])
        if not (booking.status == BookingStatus.CHECKED_IN and booking.date == today):
            booking = desk_services.booking_check_in(booking=booking, actor=actor, today=today, now=now)
        family_services.patient_record_allocate(patient=booking.patient, facility=booking.clinic.facility)
        task_times.task_record(booking=booking, task_id=Task.CLINIC_WAIT, at=now)
    return booking
