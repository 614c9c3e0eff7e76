"""BPJS task times: one writer, one row per booking and task, each strictly later than the task before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from families.models import Patient, PatientRecord
from queueing import services
from queueing.desk import services as desk_services
from queueing.desk.services import CounterEntry
from queueing.models import Task, TaskTime
from queueing.task_times import epoch_ms, task_record, tasks_close_session, tasks_for
from queueing.tests.conftest import at, make_member
from queueing.tests.desk_helpers import (  # noqa: F401 - fixtures
    book_today,
    desk_clerk,
    gigi_today,
    make_patient,
    today,
)


@pytest.fixture
def booking(member, gigi_today, book_today):
    return book_today(member, gigi_today)


def test_a_task_is_recorded_in_epoch_milliseconds(booking, today):
    row = task_record(booking=booking, task_id=Task.ADMISSION_WAIT, at=at(today, "07:00"))
    assert row.at_ms == epoch_ms(at(today, "07:00")) == int(at(today, "07:00").timestamp()) * 1000
    assert row.at == at(today, "07:00")


def test_recording_the_same_task_again_keeps_the_first_time(booking, today):
    first = task_record(booking=booking, task_id=Task.CLINIC_WAIT, at=at(today, "07:00"))
    again = task_record(booking=booking, task_id=Task.CLINIC_WAIT, at=at(today, "09:00"))
    assert again.pk == first.pk and again.at_ms == first.at_ms
    assert TaskTime.objects.filter(booking=booking).count() == 1


def test_a_time_equal_to_the_task_before_is_moved_one_millisecond_later(booking, today):
    one = task_record(booking=booking, task_id=Task.ADMISSION_WAIT, at=at(today, "07:00"))
    two = task_record(booking=booking, task_id=Task.ADMISSION_SERVICE, at=at(today, "07:00"))
    assert two.at_ms == one.at_ms + 1


def test_a_time_earlier_than_a_lower_task_is_moved_after_it(booking, today):
    task_record(booking=booking, task_id=Task.ADMISSION_WAIT, at=at(today, "07:00"))
    two = task_record(booking=booking, task_id=Task.ADMISSION_SERVICE, at=at(today, "07:10"))
    three = task_record(booking=booking, task_id=Task.CLINIC_WAIT, at=at(today, "07:05"))
    assert three.at_ms == two.at_ms + 1


def test_a_later_time_is_kept_as_given(booking, today):
    task_record(booking=booking, task_id=Task.ADMISSION_WAIT, at=at(today, "07:00"))
    two = task_record(booking=booking, task_id=Task.ADMISSION_SERVICE, at=at(today, "07:10"))
    assert two.at_ms == epoch_ms(at(today, "07:10"))


def test_cancellation_99_comes_after_every_task_recorded(booking, today):
    task_record(booking=booking, task_id=Task.CLINIC_WAIT, at=at(today, "08:00"))
    row = task_record(booking=booking, task_id=Task.CANCELLED, at=at(today, "07:00"))
    assert row.at_ms == epoch_ms(at(today, "08:00")) + 1


def test_an_unknown_task_id_is_refused(booking):
    with pytest.raises(ValueError):
        task_record(booking=booking, task_id=6)


def test_the_task_constraints_hold_both_ways(booking):
    task_record(booking=booking, task_id=Task.CLINIC_WAIT)
    duplicate = TaskTime(booking=booking, task_id=Task.CLINIC_WAIT, at_ms=5)
    with pytest.raises(ValidationError) as exc_info:
        duplicate.full_clean()
    assert "task_recorded" in {e.code for errors in exc_info.value.error_dict.values() for e in errors}
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskTime.objects.create(booking=booking, task_id=Task.CLINIC_WAIT, at_ms=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskTime.objects.create(booking=booking, task_id=7, at_ms=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskTime.objects.create(booking=booking, task_id=Task.CLINIC_DONE, at_ms=0)


def test_check_in_records_task_3_for_a_patient_with_a_medical_record(desk_clerk, booking):
    desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    assert [t.task_id for t in tasks_for(booking)] == [Task.CLINIC_WAIT]


def test_check_in_records_task_1_for_a_new_patient(desk_clerk, patient, gigi_today, book_today):
    newcomer = make_member(patient, "Rudi Baru", relationship="child")
    booking = book_today(newcomer, gigi_today)
    PatientRecord.objects.filter(patient=newcomer).delete()  # no record at the hospital yet
    Patient.objects.filter(pk=newcomer.pk).update(mrn=None)
    booking.patient.refresh_from_db()
    desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    assert [t.task_id for t in tasks_for(booking)] == [Task.ADMISSION_WAIT]


def test_a_refused_check_in_records_no_task(desk_clerk, booking):
    desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    with pytest.raises(ValidationError):
        desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    assert TaskTime.objects.filter(booking=booking).count() == 1


def test_a_walk_in_records_task_3_at_registration(desk_clerk, gigi_today, umum, today):
    walker = make_patient()
    [booking] = desk_services.walkin_register(
        actor=desk_clerk,
        schedule_id=gigi_today.pk,
        entries=[CounterEntry(patient_id=walker.pk, guarantor_id=umum.pk)],
        now=at(today, "09:00"),
    )
    assert [(t.task_id, t.at) for t in tasks_for(booking)] == [(Task.CLINIC_WAIT, at(today, "09:00"))]


def test_cancelling_records_task_99(patient, member, gigi, book, tomorrow):
    from queueing.tests.conftest import make_schedule  # noqa: F401 - gigi covers every day

    schedule = next(s for s in gigi if s.weekday == tomorrow.weekday())
    booking = book(member, schedule, tomorrow)
    services.booking_cancel(booking=booking, actor=patient, now=at(tomorrow, "00:30") - dt.timedelta(hours=12))
    assert [t.task_id for t in tasks_for(booking)] == [Task.CANCELLED]


def test_closing_a_session_marks_only_the_unserved_as_99(desk_clerk, patient, member, gigi_today, book_today, today):
    served = book_today(member, gigi_today)
    waiting = book_today(make_member(patient, "Bima", relationship="child"), gigi_today)
    desk_services.booking_check_in(booking=served, actor=desk_clerk)
    desk_services.booking_check_in(booking=waiting, actor=desk_clerk)
    task_record(booking=served, task_id=Task.CLINIC_DONE)
    desk_services.booking_mark_served(booking=served, actor=desk_clerk)
    assert tasks_close_session(day_quota_id=served.day_quota_id) == 1
    assert Task.CANCELLED in [t.task_id for t in tasks_for(waiting)]
    assert Task.CANCELLED not in [t.task_id for t in tasks_for(served)]
    assert tasks_close_session(day_quota_id=served.day_quota_id) == 0  # once only
