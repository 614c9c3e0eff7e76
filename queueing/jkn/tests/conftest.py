"""The queueing fixtures (a small hospital, family members), plus the Mobile JKN personas."""

from __future__ import annotations

import datetime as dt  # noqa: E402
import json  # noqa: E402

import pytest  # noqa: E402
from django.utils import timezone  # noqa: E402

from facilities.models import default_facility  # noqa: E402
from families.models import Patient  # noqa: E402
from queueing.jkn.models import AntreanBridge  # noqa: E402
from queueing.models import BookingSettings, Clinic, Doctor, Schedule  # noqa: E402
from queueing.tests.conftest import *  # noqa: F403 - reuse the hospital's fixtures

WS_USER = "rsud-banyumas"
WS_PASSWORD = "mobile-jkn-kopi-2026"
CARD = "0001234567890"
REFERRAL = "0301R0011124B000123"


@pytest.fixture
def bridge(db) -> AntreanBridge:
    """RSUD Banyumas has enabled Mobile JKN with its WS RS login."""
    bridge = AntreanBridge(facility=default_facility(), enabled=True, ws_username=WS_USER)
    bridge.set_ws_password(WS_PASSWORD)
    bridge.save()
    return bridge


@pytest.fixture
def jkn_schedules(db) -> list[Schedule]:
    """dr. Andi at the internal-medicine clinic every day 08:00-12:00: 20 places, 10 online of which 4 Mobile JKN."""
    clinic = Clinic.objects.create(code="INT", name="Poli Penyakit Dalam", prefix="INT", bpjs_code="INT")
    doctor = Doctor.objects.create(name="dr. Andi, Sp.PD", bpjs_code="12345")
    return [
        Schedule.objects.create(
            doctor=doctor,
            clinic=clinic,
            weekday=day,
            start_time=dt.time(8),
            end_time=dt.time(12),
            total_quota=20,
            online_quota=10,
            jkn_quota=4,
            minutes_per_patient=10,
        )
        for day in range(7)
    ]


@pytest.fixture
def jkn_patient(db) -> Patient:
    """Pak Budi: a BPJS member with a medical record at the hospital."""
    return Patient.objects.create(
        full_name="Budi Santoso",
        sex="L",
        birth_date=dt.date(1970, 3, 12),
        nik="3302011203700001",
        bpjs_number=CARD,
        mrn="00012345",
        phone="+6281234567001",
    )


@pytest.fixture
def exam_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=2)


@pytest.fixture
def ws(client, bridge, jkn_schedules, guarantor_types):
    """A Mobile JKN caller holding a fresh token."""
    BookingSettings.load()

    class Caller:
        def __init__(self) -> None:
            response = client.get("/wsrs/auth", headers={"x-username": WS_USER, "x-password": WS_PASSWORD})
            self.token = response.json()["response"]["token"]

        def post(self, path: str, body, *, token: str | None = None, username: str = WS_USER):
            raw = body if isinstance(body, str | bytes) else json.dumps(body)
            return client.post(
                f"/wsrs/{path}",
                raw,
                content_type="application/json",
                headers={"x-token": self.token if token is None else token, "x-username": username},
            )

    return Caller()


def ambil_body(date: dt.date, **extra) -> dict:
    body = {
        "nomorkartu": CARD,
        "nik": "3302011203700001",
        "nohp": "081234567001",
        "kodepoli": "INT",
        "norm": "",
        "tanggalperiksa": date.isoformat(),
        "kodedokter": 12345,
        "jampraktek": "08:00-12:00",
        "jeniskunjungan": 1,
        "nomorreferensi": REFERRAL,
    }
    body.update(extra)
    return body
