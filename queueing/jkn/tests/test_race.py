"""Mobile JKN racing the portal for the last places, on PostgreSQL with real threads.

Never over the quota (either share), never two bookings for one patient on one day, one gapless
number sequence for the doctor-day whichever channel took each number.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter

import pytest
from django.test import Client

from families.models import Patient
from queueing import services
from queueing.jkn.tests.conftest import WS_USER, ambil_body
from queueing.models import HOLDING_STATUSES, Booking, BookingChannel, DayQuota
from queueing.tests.conftest import make_member
from queueing.tests.test_concurrency import _real_database_for_threads, run_at_once  # noqa: F401 - autouse skip

pytestmark = pytest.mark.django_db(transaction=True)


def _jkn_patient(i: int) -> Patient:
    return Patient.objects.create(
        full_name=f"Peserta JKN {i}",
        sex="L",
        birth_date=dt.date(1970, 3, 12),
        nik=f"330201120370{i:04d}",
        bpjs_number=f"{1_000_000_000_000 + i:013d}",
    )


def _ambil(token: str, date: dt.date, patient: Patient) -> dict:
    body = ambil_body(date, nomorkartu=patient.bpjs_number, nik=patient.nik)
    response = Client().post(
        "/wsrs/ambilantrean",
        json.dumps(body),
        content_type="application/json",
        headers={"x-token": token, "x-username": WS_USER},
    )
    return response.json() | {"http": response.status_code}


def _portal(account, member: Patient, schedule, date: dt.date, guarantor) -> Booking:
    return services.booking_create(
        account=account,
        patient_id=member.pk,
        schedule_id=schedule.pk,
        date=date,
        guarantor_id=guarantor.pk,
        token=uuid.uuid4(),
    )


def test_mobile_jkn_and_the_portal_racing_for_the_last_places_never_overbook(
    ws, patient, umum, jkn_schedules, exam_day
):
    schedule = jkn_schedules[exam_day.weekday()]  # 10 online places, 4 of them Mobile JKN's
    # Most places are gone already: 5 of the portal's 6, 3 of Mobile JKN's 4.
    for i in range(5):
        _portal(patient, make_member(patient, f"Awal {i}", relationship="other"), schedule, exam_day, umum)
    for i in range(1, 4):
        assert _ambil(ws.token, exam_day, _jkn_patient(i))["metadata"]["code"] == 200
    portal_members = [make_member(patient, f"Portal {i}", relationship="other") for i in range(8)]
    jkn_patients = [_jkn_patient(i) for i in range(10, 18)]
    # Four people try both channels at once: one of their attempts must lose.
    both = [
        make_member(patient, f"Dua jalur {i}", relationship="other", bpjs_number=f"{2_000_000_000_000 + i:013d}")
        for i in range(4)
    ]

    def work(i: int):
        if i < 8:
            return _portal(patient, portal_members[i], schedule, exam_day, umum)
        if i < 16:
            return _ambil(ws.token, exam_day, jkn_patients[i - 8])
        person = both[(i - 16) // 2]
        return _portal(patient, person, schedule, exam_day, umum) if i % 2 else _ambil(ws.token, exam_day, person)

    results = run_at_once(24, work)

    portal_errors = Counter(getattr(r, "code", type(r).__name__) for r in results if isinstance(r, Exception))
    assert set(portal_errors) <= {"full", "already_booked", "conflict"}, portal_errors
    answers = [r for r in results if isinstance(r, dict)]
    assert all(a["http"] in (200, 201) and a["metadata"]["message"] for a in answers)  # never a 500

    row = DayQuota.objects.get(schedule=schedule, date=exam_day)
    holding = Booking.objects.filter(day_quota=row, status__in=HOLDING_STATUSES)
    jkn_holding = holding.filter(channel=BookingChannel.MOBILE_JKN)
    assert row.active_count == holding.count() == 10  # every online place taken, none twice
    assert row.jkn_count == jkn_holding.count() == 4  # Mobile JKN's share, exactly
    assert holding.count() - jkn_holding.count() == 6  # the portal's share, exactly
    numbers = sorted(holding.values_list("number", flat=True))
    assert numbers == list(range(1, row.last_number + 1)) == list(range(1, 11))  # one gapless sequence
    per_patient = Counter(holding.values_list("patient_id", flat=True))
    assert max(per_patient.values()) == 1
    assert sum(1 for a in answers if a["metadata"]["code"] == 200) == 1  # the one JKN place left
    assert sum(isinstance(r, Booking) for r in results) == 1  # the one portal place left
