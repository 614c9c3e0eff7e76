"""Named constraints, each both ways: full_clean() raises ValidationError, a raw save raises IntegrityError."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from queueing.models import (
    Booking,
    BookingSettings,
    BookingStatus,
    DayQuota,
    ExceptionScope,
    Schedule,
    ScheduleException,
    new_booking_code,
)
from queueing.tests.conftest import make_member


def codes_of(error: ValidationError) -> list[str]:
    return [e.code for errors in error.error_dict.values() for e in errors]


def both_ways(obj, constraint: str, code: str) -> None:
    """full_clean() raises ValidationError with the constraint's code; a raw save, IntegrityError naming it."""
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    assert code in codes_of(exc.value)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        obj.save()
    if connection.vendor == "postgresql":  # SQLite names the columns of a unique index instead
        assert constraint in str(exc.value)


@pytest.fixture
def booking(book, member, gigi_tomorrow, tomorrow) -> Booking:
    return book(member, gigi_tomorrow, tomorrow)


def copy_of(booking: Booking, **changes) -> Booking:
    fields = dict(
        patient=booking.patient,
        account=booking.account,
        day_quota=booking.day_quota,
        date=booking.date,
        clinic=booking.clinic,
        doctor=booking.doctor,
        guarantor=booking.guarantor,
        status=BookingStatus.REQUESTED,
    )
    fields.update(changes)
    return Booking(**fields)


def test_one_active_booking_per_patient_and_day(booking):
    both_ways(copy_of(booking), "queueing_booking_one_active_per_patient_day", "already_booked")


def test_a_cancelled_booking_does_not_block_the_day(booking):
    copy_of(booking, status=BookingStatus.CANCELLED).save()


def test_queue_numbers_are_unique_per_schedule_day(booking, patient):
    other = copy_of(
        booking,
        patient=make_member(patient, "Lain", relationship="child"),
        status=BookingStatus.VERIFIED,
        number=booking.number,
        label="GIGI-001",
    )
    both_ways(other, "queueing_booking_number_unique_per_day", "number_taken")


def test_a_confirmed_booking_has_a_number(booking, patient):
    other = copy_of(booking, patient=make_member(patient, "Lain", relationship="child"), status=BookingStatus.VERIFIED)
    both_ways(other, "queueing_booking_numbered_when_confirmed", "number_missing")


def test_a_rejection_has_a_reason(booking):
    booking.status = BookingStatus.REJECTED
    both_ways(booking, "queueing_booking_rejection_has_reason", "reason_required")


def test_confirm_tokens_are_unique(booking, patient):
    other = copy_of(
        booking, patient=make_member(patient, "Lain", relationship="child"), confirm_token=booking.confirm_token
    )
    both_ways(other, "queueing_booking_confirm_token_unique", "unique")


def test_places_taken_never_exceed_the_quota(booking):
    quota = booking.day_quota
    quota.active_count = quota.quota + 1
    both_ways(quota, "queueing_dayquota_within_quota", "quota_exceeded")


def test_one_counter_row_per_schedule_and_day(booking):
    quota = booking.day_quota
    both_ways(
        DayQuota(schedule=quota.schedule, date=quota.date, quota=5),
        "queueing_dayquota_schedule_date_unique",
        "day_quota_exists",
    )


def test_online_and_counter_places_never_exceed_the_total_quota(booking):
    quota = booking.day_quota
    quota.total_quota, quota.counter_count = quota.active_count, 1
    both_ways(quota, "queueing_dayquota_within_total", "total_exceeded")


def test_queue_numbers_start_at_one(booking):
    booking.number = 0
    both_ways(booking, "queueing_booking_number_positive", "number_not_positive")


def test_booking_codes_are_unique(booking, patient):
    other = copy_of(booking, patient=make_member(patient, "Lain", relationship="child"), code=booking.code)
    both_ways(other, "queueing_booking_code_unique", "unique")


def test_a_schedule_gives_each_patient_at_least_a_minute(gigi):
    schedule: Schedule = gigi[0]
    schedule.minutes_per_patient = 0
    both_ways(schedule, "queueing_schedule_minutes_positive", "minutes_not_positive")


def test_online_quota_within_total_quota(gigi):
    schedule = gigi[0]
    schedule.online_quota = schedule.total_quota + 1
    both_ways(schedule, "queueing_schedule_online_within_total", "online_over_total")


def test_schedule_ends_after_it_starts(gigi):
    schedule = gigi[0]
    schedule.end_time = dt.time(7, 0)
    both_ways(schedule, "queueing_schedule_ends_after_start", "ends_before_start")


def test_exception_scope_names_its_target(gigi_tomorrow, tomorrow):
    both_ways(
        ScheduleException(date=tomorrow, scope=ExceptionScope.CLINIC, reason="x"),
        "queueing_scheduleexception_scope_matches_target",
        "scope_mismatch",
    )
    both_ways(
        ScheduleException(date=tomorrow, scope=ExceptionScope.HOSPITAL, clinic=gigi_tomorrow.clinic, reason="x"),
        "queueing_scheduleexception_scope_matches_target",
        "scope_mismatch",
    )


def test_booking_settings_window_is_ordered(cfg):
    cfg.earliest_days_ahead, cfg.latest_days_ahead = 5, 2
    both_ways(cfg, "queueing_bookingsettings_window_ordered", "window_reversed")


def test_booking_settings_are_one_row_per_facility(cfg):
    second = BookingSettings(facility=cfg.facility, earliest_days_ahead=3)
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert refused.value.error_dict["facility"][0].code == "unique"
    with pytest.raises(IntegrityError, match="queueing_bookingsettings_facility_id_key"):
        second.save()


def test_estimated_time_is_start_plus_waiting_patients(gigi):
    schedule: Schedule = gigi[0]  # 08:00, 15 minutes each
    assert [schedule.estimated_time(n) for n in (1, 2, 5)] == [dt.time(8, 0), dt.time(8, 15), dt.time(9, 0)]


def test_booking_codes_are_eight_unambiguous_characters():
    codes = {new_booking_code() for _i in range(500)}
    assert len(codes) == 500
    assert all(len(code) == 8 and not set(code) & set("01OIL") for code in codes)
