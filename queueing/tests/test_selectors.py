"""Reads: the booking window, open days, clinics and doctors offered on a date, my bookings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from queueing import selectors, services
from queueing.models import BookingSettings, ExceptionScope, ScheduleException
from queueing.tests.conftest import at, make_member, make_schedule

MONDAY = dt.date(2026, 11, 23)


def window(cfg: BookingSettings, when: dt.datetime) -> tuple[dt.date, dt.date] | None:
    return selectors.booking_window(cfg=cfg, now=when)


def test_window_runs_from_earliest_to_latest_day_ahead(cfg):
    cfg.earliest_days_ahead, cfg.latest_days_ahead = 1, 7
    assert window(cfg, at(MONDAY, "09:00")) == (MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=7))


def test_newest_day_opens_at_the_opening_time(cfg):
    cfg.earliest_days_ahead, cfg.latest_days_ahead, cfg.opening_time = 1, 7, dt.time(7, 0)
    assert window(cfg, at(MONDAY, "06:59"))[1] == MONDAY + dt.timedelta(days=6)
    assert window(cfg, at(MONDAY, "07:00"))[1] == MONDAY + dt.timedelta(days=7)


def test_same_day_booking_closes_at_the_cut_off(cfg):
    cfg.earliest_days_ahead, cfg.same_day_cutoff = 0, dt.time(10, 0)
    assert window(cfg, at(MONDAY, "09:59"))[0] == MONDAY
    assert window(cfg, at(MONDAY, "10:00"))[0] == MONDAY + dt.timedelta(days=1)


def test_window_can_be_empty(cfg):
    cfg.earliest_days_ahead = cfg.latest_days_ahead = 0
    assert window(cfg, at(MONDAY, "11:00")) is None
    assert selectors.window_dates(cfg=cfg, now=at(MONDAY, "11:00")) == []


def test_days_without_practice_or_closed_are_not_offered(cfg, db):
    cfg.earliest_days_ahead, cfg.latest_days_ahead = 1, 13
    make_schedule("UMUM", "dr. Andi", weekdays=range(6))  # Monday to Saturday
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    ScheduleException.objects.create(date=tuesday, scope=ExceptionScope.HOSPITAL, reason="Libur nasional")
    days = selectors.open_dates(cfg=cfg, now=at(MONDAY, "09:00"))
    assert tuesday not in days and wednesday in days
    assert all(d.weekday() != 6 for d in days)  # no Sundays
    assert len(days) == 13 - 2 - 1  # two Sundays, one holiday


def test_a_day_stays_open_while_one_clinic_practises(cfg, db):
    cfg.earliest_days_ahead, cfg.latest_days_ahead = 1, 3
    gigi = make_schedule("GIGI", "drg. Rina")
    make_schedule("UMUM", "dr. Andi")
    tuesday = MONDAY + dt.timedelta(days=1)
    ScheduleException.objects.create(date=tuesday, scope=ExceptionScope.CLINIC, clinic=gigi[0].clinic, reason="x")
    assert tuesday in selectors.open_dates(cfg=cfg, now=at(MONDAY, "09:00"))
    assert [c.code for c in selectors.clinics_on(tuesday)] == ["UMUM"]


def test_clinics_on_a_date_are_those_with_an_open_schedule(db):
    make_schedule("GIGI", "drg. Rina", weekdays=[0])
    make_schedule("MATA", "dr. Agus", weekdays=[1])
    make_schedule("THT", "dr. Ratna", weekdays=[0])[0]
    ScheduleException.objects.create(
        date=MONDAY,
        scope=ExceptionScope.DOCTOR,
        doctor=make_schedule("THT", "dr. Ratna", weekdays=[2])[0].doctor,
        reason="Cuti",
    )
    assert [c.code for c in selectors.clinics_on(MONDAY)] == ["GIGI"]


def test_doctors_show_hours_and_places_left(book, patient, tomorrow):
    rina = next(s for s in make_schedule("GIGI", "drg. Rina", online=3) if s.weekday == tomorrow.weekday())
    make_schedule("GIGI", "drg. Tono", weekdays=[tomorrow.weekday()], start="13:00", end="15:00", online=5)
    for i in range(3):
        book(make_member(patient, f"Anak {i}", relationship="child"), rina, tomorrow)
    offers = {o.schedule.doctor.name: o for o in selectors.doctors_on(rina.clinic, tomorrow)}
    assert (offers["drg. Rina"].places_left, offers["drg. Rina"].full) == (0, True)
    assert (offers["drg. Tono"].places_left, offers["drg. Tono"].schedule.start_time) == (5, dt.time(13, 0))


def test_cancelled_places_show_as_free_again(book, patient, member, tomorrow):
    schedule = next(s for s in make_schedule("GIGI", "drg. Rina", online=1) if s.weekday == tomorrow.weekday())
    booking = book(member, schedule, tomorrow)
    services.booking_cancel(booking=booking, actor=patient)
    assert selectors.doctors_on(schedule.clinic, tomorrow)[0].places_left == 1


@pytest.mark.parametrize("doctors", [1, 8])
def test_doctors_on_a_clinic_day_take_one_query(django_assert_num_queries, tomorrow, doctors, db):
    for i in range(doctors):
        make_schedule("ANAK", f"dr. Anak {i}", weekdays=[tomorrow.weekday()])
    clinic = selectors.clinics_on(tomorrow).get()
    with django_assert_num_queries(1):
        offers = selectors.doctors_on(clinic, tomorrow)
        assert [o.schedule.doctor.name for o in offers] and [o.schedule.clinic.code for o in offers]


@translation.override("en")
def test_member_missing_fields_names_what_is_missing(patient):
    incomplete = make_member(patient, "Bima", relationship="child", nik="", birth_place="", mrn=None)
    missing = selectors.member_missing_fields(selectors.bookable_patients(patient).get(pk=incomplete.pk))
    assert "NIK" in missing and "place of birth" in missing
    assert any("ID card" in item for item in missing)


def test_bookings_for_shows_the_family_only(book, patient, other_patient, member, gigi_tomorrow, tomorrow):
    mine = book(member, gigi_tomorrow, tomorrow)
    assert list(selectors.bookings_for(patient)) == [mine]
    assert list(selectors.bookings_for(other_patient)) == []
