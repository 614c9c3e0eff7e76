"""Calling at the clinic (poli): the nurse's writes (seed 002 step 9 and its closing rule).

- `clinic_call_next`: the first patient in the computed call order is called (a Call row for the
  display, BPJS task 4). Two nurses pressing at once never get the same patient: the session's
  DayQuota row is locked (FOR NO KEY UPDATE) while the order is computed and the call written, so
  the second nurse computes after the first one's call is committed and sees that patient taken.
- `clinic_recall`: the same patient called again (a recall on the display; no task).
- `clinic_not_present`: called and not there: the booking is marked not come (BookingEvent). If the
  patient turns up and checks in again (kiosk or counter), they are a late arrival and come back
  a few numbers later (visitday/call_order.py). No task 99 yet: that waits for the session's close.
- `clinic_done`: served (BookingEvent) and BPJS task 5.
- `clinic_session_close`: the doctor's session is over: patients who never came are marked not come
  and every booking left unserved gets task 99 (queueing.task_times.tasks_close_session).

Lock order (as in queueing.desk.services): the DayQuota row, then booking rows (task_record and
the status change lock their booking).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from queueing import task_times
from queueing.desk import services as desk_services
from queueing.models import Booking, BookingStatus, DayQuota, Task
from visitday.models import Call, CallKind, PlaceKind
from visitday.nurse.near import notify_turn_near
from visitday.nurse.selectors import SessionQueue, session_queue
from visitday.services import call_record

# Kept in step with the migration that makes the group. Like the kiosk's "Anjungan", the group
# holds no model permission: its members reach the clinic calling pages (visitday.nurse.access)
# and no admin or counter page.
NURSE_GROUP = "Perawat Poli"


def nurse_group_ensure() -> Group:
    group, _created = Group.objects.get_or_create(name=NURSE_GROUP)
    group.permissions.clear()
    return group


def _place(queue: SessionQueue) -> str:
    return queue.clinic.name


def _call(queue: SessionQueue, booking: Booking, *, kind: str, actor, now: dt.datetime) -> Call:
    return call_record(
        facility=queue.clinic.facility_id,
        place_kind=PlaceKind.CLINIC,
        place_name=_place(queue),
        label=booking.label,
        kind=kind,
        booking=booking,
        clinic=queue.clinic,
        detail=queue.detail,
        actor=actor,
        at=now,
    )


def _locked_day_quota(day_quota: DayQuota) -> DayQuota:
    return (
        DayQuota.objects.select_for_update(no_key=True, of=("self",))
        .select_related("schedule__clinic", "schedule__doctor")
        .get(pk=day_quota.pk)
    )


def clinic_call_next(*, day_quota: DayQuota, actor, now: dt.datetime | None = None) -> Booking:
    """Call the next patient of this doctor's session; ValidationError "empty" when nobody waits."""
    with transaction.atomic():
        day_quota = _locked_day_quota(day_quota)
        now = now or timezone.now()
        queue = session_queue(day_quota, with_patients=False)
        if not queue.waiting:
            raise ValidationError(_("Nobody is waiting for this clinic."), code="empty")
        booking = queue.waiting[0].booking
        _call(queue, booking, kind=CallKind.CALL, actor=actor, now=now)
        task_times.task_record(booking=booking, task_id=Task.CLINIC_SERVICE, at=now)
        notify_turn_near([entry.booking for entry in queue.waiting[1:]], clinic_name=_place(queue), detail=queue.detail)
    return booking


def _in_service(day_quota: DayQuota, booking: Booking) -> tuple[SessionQueue, Booking]:
    queue = session_queue(day_quota, with_patients=False)
    for entry in queue.in_service:
        if entry.booking.pk == booking.pk:
            return queue, entry.booking
    raise ValidationError(_("This patient is not being called now."), code="not_called")


def clinic_recall(*, day_quota: DayQuota, booking: Booking, actor, now: dt.datetime | None = None) -> Call:
    """Call the patient being seen once more (they did not hear it)."""
    with transaction.atomic():
        day_quota = _locked_day_quota(day_quota)
        queue, booking = _in_service(day_quota, booking)
        return _call(queue, booking, kind=CallKind.RECALL, actor=actor, now=now or timezone.now())


def clinic_not_present(*, day_quota: DayQuota, booking: Booking, actor) -> Booking:
    """Called and not there: set aside as not come; checking in again brings them back a few numbers later."""
    with transaction.atomic():
        day_quota = _locked_day_quota(day_quota)
        _queue, booking = _in_service(day_quota, booking)
        return desk_services.booking_mark_no_show(
            booking=booking, actor=actor, reason=_("Not present when called at the clinic")
        )


def clinic_done(*, day_quota: DayQuota, booking: Booking, actor, now: dt.datetime | None = None) -> Booking:
    """The patient has been seen: served, and BPJS task 5."""
    with transaction.atomic():
        day_quota = _locked_day_quota(day_quota)
        _queue, booking = _in_service(day_quota, booking)
        booking = desk_services.booking_mark_served(booking=booking, actor=actor)
        task_times.task_record(booking=booking, task_id=Task.CLINIC_DONE, at=now)
    return booking


def clinic_session_close(*, day_quota: DayQuota, actor, now: dt.datetime | None = None) -> int:
    """The doctor's session is over: who never came is marked not come; task 99 for all left unserved.

    Patients still checked in (waiting or called) keep their status: they may yet be seen after
    the close, when the nurse marks them done (BPJS keeps the 99, the hospital's record is true).
    """
    now = now or timezone.now()
    with transaction.atomic():
        day_quota = _locked_day_quota(day_quota)
        never_came = Booking.objects.filter(day_quota_id=day_quota.pk, status=BookingStatus.VERIFIED).order_by("number")
        for booking in never_came:
            desk_services.booking_mark_no_show(
                booking=booking, actor=actor, reason=_("Did not come before the session closed")
            )
        return task_times.tasks_close_session(day_quota_id=day_quota.pk, at=now)
