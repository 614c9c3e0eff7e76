"""BPJS Antrean task times: the one writer of TaskTime rows (issue 12 section 5).

Task ids (see shared/reference/antrean-ws.md): 1 admission wait starts, 2 admission service,
3 clinic wait starts, 4 clinic service (called), 5 clinic done, 99 cancelled / no-show.

Who records what:
- check-in (desk.services.booking_check_in, at the counter or the kiosk): 3 for a patient with a
  medical record number, 1 for a new patient (who then goes through the counter: 2, then 3);
- a counter ticket attached to a booking (visitday.services): the ticket's print time is 1 and
  its call time 2; the registration or check-in that follows is 3;
- the clinic's nurse page (visitday): 4 when called, 5 when done;
- cancellation (services.booking_cancel): 99; a no-show only when the doctor's session closes
  with the patient unserved (`tasks_close_session`), so a late arrival can still be called.

Rules kept here: one row per booking and task (a second record of the same task is a no-op that
returns the first row), and each time strictly later than the latest time of a lower task (BPJS
refuses equal or earlier times): a time that is not is moved to 1 ms after it. The booking row is
locked (FOR NO KEY UPDATE) so two writers for the same booking take turns.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from queueing.jkn import outbox
from queueing.models import Booking, BookingStatus, Task, TaskTime

# Bookings that held a number on a doctor-day and were never seen: a no-show when the session closes.
UNSERVED_STATUSES = (BookingStatus.VERIFIED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


def epoch_ms(at: dt.datetime) -> int:
    """An aware datetime as Unix epoch milliseconds (BPJS's waktu)."""
    return int(at.timestamp() * 1000)


def _floor_ms(booking_id, task_id: int) -> int | None:
    """The latest time of a lower task already recorded (every task counts for 99)."""
    lower = TaskTime.objects.filter(booking_id=booking_id)
    if task_id != Task.CANCELLED:
        lower = lower.filter(task_id__lt=task_id)
    return lower.aggregate(latest=Max("at_ms"))["latest"]


def task_record(*, booking: Booking, task_id: int, at: dt.datetime | None = None) -> TaskTime:
    """Record `task_id` for `booking` at `at` (now by default); the existing row if it is already recorded."""
    if task_id not in Task.values:
        raise ValueError(f"unknown BPJS task id {task_id}")
    at_ms = epoch_ms(at or timezone.now())
    with transaction.atomic():
        # Lock order: the booking row only (callers may already hold it or its DayQuota row).
        Booking.objects.select_for_update(no_key=True).filter(pk=booking.pk).values_list("pk").first()
        existing = TaskTime.objects.filter(booking_id=booking.pk, task_id=task_id).first()
        if existing is not None:
            return existing
        floor = _floor_ms(booking.pk, task_id)
        if floor is not None and at_ms <= floor:
            at_ms = floor + 1
        outbox.record_task(booking.pk, task_id, at_ms)  # BPJS Antrean hears of it (Mobile JKN bridge on)
        return TaskTime.objects.create(booking_id=booking.pk, task_id=task_id, at_ms=at_ms)


def tasks_for(booking: Booking) -> list[TaskTime]:
    """The booking's task times in time order (the clerk's booking page)."""
    return list(TaskTime.objects.filter(booking_id=booking.pk).order_by("at_ms", "task_id"))


def tasks_close_session(*, day_quota_id: int, at: dt.datetime | None = None) -> int:
    """The doctor's session closed: task 99 for every numbered booking of that doctor-day left unserved.

    Only now, not when a patient is first passed over: a late arrival can still be called until
    the session closes. Returns how many bookings got their 99.
    """
    at = at or timezone.now()
    unserved = (
        Booking.objects.filter(day_quota_id=day_quota_id, status__in=UNSERVED_STATUSES)
        .exclude(task_times__task_id__in=(Task.CLINIC_DONE, Task.CANCELLED))
        .order_by("number")
    )
    count = 0
    for booking in unserved:
        task_record(booking=booking, task_id=Task.CANCELLED, at=at)
        count += 1
    return count
