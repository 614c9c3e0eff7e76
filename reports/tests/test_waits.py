"""Waiting times per clinic from the visit day's task times: percentiles worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from queueing.models import BookingStatus, Task
from queueing.task_times import task_record
from reports import waits
from reports.selectors import outpatient_report
from reports.tests.conftest import NOVEMBER, make_clinic, make_patient

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 16)
NOV_30 = dt.date(2026, 11, 30)
EIGHT = timezone.make_aware(dt.datetime(2026, 11, 16, 8, 0))


def _timed(visits, schedule, minutes: dict[int, int], status: str = BookingStatus.SERVED):
    """A visit with task times at the given minutes after 08:00 ({task id: minute})."""
    booking = visits.add(make_patient(), schedule, DAY, status=status)
    for task_id, minute in sorted(minutes.items()):
        task_record(booking=booking, task_id=task_id, at=EIGHT + dt.timedelta(minutes=minute))
    return booking


@pytest.fixture
def timed(visits, rsud):
    """Poli Gigi: waits 10, 20, 30, 40 and consultations 15, 10, 5, 20 minutes; Poli Umum: one wait of 7."""
    gigi = make_clinic(rsud, "GIGI", "Poli Gigi")
    umum = make_clinic(rsud, "UMUM", "Poli Umum")
    arrive, call, done = Task.CLINIC_WAIT, Task.CLINIC_SERVICE, Task.CLINIC_DONE
    _timed(visits, gigi, {arrive: 0, call: 10, done: 25})
    _timed(visits, gigi, {arrive: 5, call: 25, done: 35})
    _timed(visits, gigi, {arrive: 10, call: 40, done: 45})
    _timed(visits, gigi, {arrive: 20, call: 60, done: 80})
    _timed(visits, gigi, {arrive: 30})  # still waiting when the day ended: no wait measured
    _timed(visits, gigi, {arrive: 0, call: 90, done: 95}, status=BookingStatus.CANCELLED)  # not a visit
    _timed(visits, umum, {arrive: 0, call: 7})  # called, never marked done
    return {"gigi": gigi, "umum": umum}


# percentile_cont over 10, 20, 30, 40: median at rank 1.5 -> 25; 90th at rank 2.7 -> 30 + 0.7 x 10 = 37.
# Over 5, 10, 15, 20: median 12.5; 90th 15 + 0.7 x 5 = 18.5.
EXPECTED = {
    "Poli Gigi": (4, 25.0, 37.0, 12.5, 18.5),
    "Poli Umum": (1, 7.0, 7.0, None, None),
}


def _as_dict(rows):
    return {w.clinic: (w.visits, w.wait_median, w.wait_p90, w.service_median, w.service_p90) for w in rows}


def test_waiting_times_per_clinic_are_the_hand_computed_percentiles(timed):
    assert _as_dict(outpatient_report(facility_ids=None, start=NOVEMBER, end=NOV_30).waits) == EXPECTED


def test_the_portable_window_function_sql_gives_the_same_percentiles(timed):
    """SQLite's path (no percentile_cont), run here on whichever database the tests use."""
    assert _as_dict(waits.clinic_waits(None, NOVEMBER, NOV_30, portable=True)) == EXPECTED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's percentile_cont")
def test_the_portable_sql_agrees_with_percentile_cont_on_uneven_data(visits, rsud):
    kia = make_clinic(rsud, "KIA")
    for i in range(23):  # waits 3, 10, 17, ... in an odd order, so ranks matter; odd count, ties
        call = 3 + (i * 7) % 50
        _timed(visits, kia, {Task.CLINIC_WAIT: 0, Task.CLINIC_SERVICE: call, Task.CLINIC_DONE: call + 1 + i % 4})
    native = _as_dict(waits.clinic_waits(None, DAY, DAY, portable=False))
    portable = _as_dict(waits.clinic_waits(None, DAY, DAY, portable=True))
    assert native == portable and native["Poli Kia"][0] == 23


def test_a_facility_s_waits_leave_other_facilities_out(timed, puskesmas, visits):
    kia = make_clinic(puskesmas, "KIA", "Poli KIA")
    _timed(visits, kia, {Task.CLINIC_WAIT: 0, Task.CLINIC_SERVICE: 50, Task.CLINIC_DONE: 60})
    assert set(_as_dict(waits.clinic_waits([puskesmas.pk], NOVEMBER, NOV_30))) == {"Poli KIA"}
    assert waits.clinic_waits([], NOVEMBER, NOV_30) == []


def test_without_task_times_the_report_says_waits_are_not_available(visits, rsud, client):
    from reports.tests.conftest import staff_member

    visits.add(make_patient(), make_clinic(rsud, "GIGI"), DAY)
    client.force_login(staff_member("clerk@rsud.example", rsud))
    response = client.get("/laporan/", {"month": "2026-11"})
    assert response.status_code == 200
    assert 'id="note-waits"' in response.content.decode()
    assert response.context["report"].waits == []
