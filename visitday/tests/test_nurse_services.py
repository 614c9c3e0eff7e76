"""Calling at the clinic: the nurse's four buttons, the computed order, task times, closing the session."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from queueing.desk.services import booking_check_in
from queueing.models import BookingEvent, BookingStatus, Task, TaskTime
from queueing.tests.desk_helpers import desk_clerk, today  # noqa: F401 - fixtures
from visitday.models import Call, CallKind, PlaceKind
from visitday.nurse import services
from visitday.nurse.selectors import session_queue
from visitday.tests.clinic_helpers import arrive, day_quota_of, make_nurse, nurse, session_today  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(desk_clerk, today, guarantor_types):
    schedule = session_today(today)
    bookings = arrive(desk_clerk, schedule, 6)
    return day_quota_of(bookings[0]), bookings


def labels(queue_entries) -> list[str]:
    return [e.booking.label for e in queue_entries]


def tasks(booking) -> dict[int, int]:
    return dict(TaskTime.objects.filter(booking=booking).values_list("task_id", "at_ms"))


def test_checked_in_patients_wait_in_number_order(clinic):
    day_quota, bookings = clinic
    queue = session_queue(day_quota)
    assert labels(queue.waiting) == [b.label for b in bookings]
    assert queue.in_service == [] and queue.served == 0 and queue.booked == 6


def test_call_next_calls_the_first_and_records_a_clinic_call_and_task_4(clinic, nurse):
    day_quota, bookings = clinic
    called = services.clinic_call_next(day_quota=day_quota, actor=nurse)
    assert called.pk == bookings[0].pk
    call = Call.objects.get()
    assert (call.place_kind, call.kind, call.label, call.place_name, call.booking_id) == (
        PlaceKind.CLINIC,
        CallKind.CALL,
        bookings[0].label,
        "Poli Gigi",
        bookings[0].pk,
    )
    assert call.by == nurse and call.detail == ""  # one session at this clinic today: no doctor named
    assert Task.CLINIC_SERVICE in tasks(bookings[0])
    queue = session_queue(day_quota)
    assert labels(queue.in_service) == [bookings[0].label]
    assert labels(queue.waiting) == [b.label for b in bookings[1:]]


def test_a_second_nurse_pressing_next_gets_the_next_patient(clinic, nurse):
    day_quota, bookings = clinic
    other = make_nurse("perawat2@rsud.example", "Ners Yuni")
    first = services.clinic_call_next(day_quota=day_quota, actor=nurse)
    second = services.clinic_call_next(day_quota=day_quota, actor=other)
    assert (first.pk, second.pk) == (bookings[0].pk, bookings[1].pk)


def test_recall_repeats_the_call_without_a_new_task(clinic, nurse):
    day_quota, bookings = clinic
    services.clinic_call_next(day_quota=day_quota, actor=nurse)
    before = tasks(bookings[0])
    services.clinic_recall(day_quota=day_quota, booking=bookings[0], actor=nurse)
    assert list(Call.objects.order_by("id").values_list("kind", flat=True)) == [CallKind.CALL, CallKind.RECALL]
    assert tasks(bookings[0]) == before
    # Recalling someone who is not being called is refused with a reason.
    with pytest.raises(ValidationError) as exc:
        services.clinic_recall(day_quota=day_quota, booking=bookings[1], actor=nurse)
    assert exc.value.code == "not_called"


def test_done_marks_served_and_records_task_5_after_task_4(clinic, nurse):
    day_quota, bookings = clinic
    services.clinic_call_next(day_quota=day_quota, actor=nurse)
    services.clinic_done(day_quota=day_quota, booking=bookings[0], actor=nurse)
    bookings[0].refresh_from_db()
    assert bookings[0].status == BookingStatus.SERVED
    times = tasks(bookings[0])
    assert times[Task.CLINIC_DONE] > times[Task.CLINIC_SERVICE]
    queue = session_queue(day_quota)
    assert queue.served == 1 and queue.in_service == []
    with pytest.raises(ValidationError):
        services.clinic_done(day_quota=day_quota, booking=bookings[0], actor=nurse)


def test_nobody_waiting_is_a_clear_refusal(desk_clerk, today, nurse, guarantor_types):
    schedule = session_today(today)
    [booking] = arrive(desk_clerk, schedule, 1)
    day_quota = day_quota_of(booking)
    services.clinic_call_next(day_quota=day_quota, actor=nurse)
    with pytest.raises(ValidationError) as exc:
        services.clinic_call_next(day_quota=day_quota, actor=nurse)
    assert exc.value.code == "empty"


def test_not_present_then_checking_in_again_comes_back_three_numbers_later(clinic, nurse, desk_clerk):
    day_quota, bookings = clinic
    services.clinic_call_next(day_quota=day_quota, actor=nurse)  # number 1
    services.clinic_not_present(day_quota=day_quota, booking=bookings[0], actor=nurse)
    bookings[0].refresh_from_db()
    assert bookings[0].status == BookingStatus.NO_SHOW
    assert not TaskTime.objects.filter(booking=bookings[0], task_id=Task.CANCELLED).exists()  # not before closing
    assert session_queue(day_quota).absent == [bookings[0]]
    # The patient comes back and checks in again at the counter: late, after the next three.
    booking_check_in(booking=bookings[0], actor=desk_clerk)
    queue = session_queue(day_quota)
    assert labels(queue.waiting) == [bookings[i].label for i in (1, 2, 3, 0, 4, 5)]
    assert [e.late for e in queue.waiting] == [False, False, False, True, False, False]
    # Each call of another patient brings them one place forward.
    services.clinic_call_next(day_quota=day_quota, actor=nurse)
    assert labels(session_queue(day_quota).waiting) == [bookings[i].label for i in (2, 3, 0, 4, 5)]


def test_a_late_arrival_whose_number_was_passed_waits_behind_three(desk_clerk, today, nurse, guarantor_types):
    schedule = session_today(today)
    bookings = arrive(desk_clerk, schedule, 7)
    day_quota = day_quota_of(bookings[0])
    # Number 2 went home after registering (marked not come at the counter), numbers 1, 3, 4 are called.
    from queueing.desk.services import booking_mark_no_show

    booking_mark_no_show(booking=bookings[1], actor=desk_clerk)
    for _i in range(3):
        called = services.clinic_call_next(day_quota=day_quota, actor=nurse)
        services.clinic_done(day_quota=day_quota, booking=called, actor=nurse)
    booking_check_in(booking=bookings[1], actor=desk_clerk)
    order = labels(session_queue(day_quota).waiting)
    assert order == [bookings[i].label for i in (4, 5, 6, 1)]


def test_the_gap_follows_the_facility_setting(clinic, nurse, desk_clerk):
    from visitday.services import line_settings

    day_quota, bookings = clinic
    setting = line_settings(day_quota.schedule.clinic.facility)
    setting.late_gap = 1
    setting.save()
    services.clinic_call_next(day_quota=day_quota, actor=nurse)
    services.clinic_not_present(day_quota=day_quota, booking=bookings[0], actor=nurse)
    bookings[0].refresh_from_db()
    booking_check_in(booking=bookings[0], actor=desk_clerk)
    assert labels(session_queue(day_quota).waiting)[:3] == [bookings[1].label, bookings[0].label, bookings[2].label]


def test_a_clinic_with_two_sessions_today_names_the_doctor_in_the_call(desk_clerk, today, nurse, guarantor_types):
    morning = session_today(today, doctor="drg. Rina", start="07:00")
    evening = session_today(today, doctor="drg. Bayu", start="07:30")
    [rina] = arrive(desk_clerk, morning, 1)
    [bayu] = arrive(desk_clerk, evening, 1)
    assert rina.label == bayu.label  # each session numbers from 1
    services.clinic_call_next(day_quota=day_quota_of(bayu), actor=nurse)
    assert Call.objects.get().detail == "drg. Bayu"


def test_closing_the_session_records_99_for_the_unserved_only(clinic, nurse, desk_clerk):
    day_quota, bookings = clinic
    services.clinic_call_next(day_quota=day_quota, actor=nurse)
    services.clinic_done(day_quota=day_quota, booking=bookings[0], actor=nurse)
    services.clinic_call_next(day_quota=day_quota, actor=nurse)
    services.clinic_not_present(day_quota=day_quota, booking=bookings[1], actor=nurse)
    count = services.clinic_session_close(day_quota=day_quota, actor=nurse)
    assert count == 5
    with_99 = set(TaskTime.objects.filter(task_id=Task.CANCELLED).values_list("booking_id", flat=True))
    assert with_99 == {b.pk for b in bookings[1:]}
    # Closing twice records nothing twice.
    services.clinic_session_close(day_quota=day_quota, actor=nurse)
    assert TaskTime.objects.filter(task_id=Task.CANCELLED).count() == 5
    assert BookingEvent.objects.filter(booking=bookings[0], to_status=BookingStatus.SERVED).count() == 1
