"""Queueing fixtures: a small hospital (clinics, doctors, schedules every day), family members."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from django.utils import timezone

from families.models import AccountPatient, Patient
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from queueing.models import BookingSettings, Clinic, Doctor, Schedule

_nik_serial = itertools.count(1)


def make_member(account, full_name: str = "Sari Wulandari", relationship: str = "self", **extra) -> Patient:
    """A family member with every identity field the counter needs."""
    serial = next(_nik_serial)
    fields = dict(
        full_name=full_name,
        sex="P",
        birth_place="Banyumas",
        birth_date=dt.date(1990, 5, 17),
        nik=f"330201{570590 + 0:06d}{serial:04d}"[:16],
        address_street="Jl. Merdeka 5",
        address_rt="001",
        address_rw="002",
        address_village="Sokaraja Kulon",
        address_district="Sokaraja",
        address_regency="Banyumas",
        address_province="Jawa Tengah",
        phone="+6281234567890",
        religion="islam",
        blood_type="A",
        marital_status="kawin",
        education="sma",
        occupation="irt",
        mother_name="Siti",
        mrn=f"RM{serial:06d}",
    )
    fields.update(extra)
    patient = Patient.objects.create(**fields)
    AccountPatient.objects.create(
        account=account, patient=patient, relationship=relationship, verified_at=timezone.now()
    )
    return patient


def make_schedule(
    clinic_code: str = "GIGI",
    doctor_name: str = "drg. Rina",
    weekdays=range(7),
    *,
    start: str = "08:00",
    end: str = "12:00",
    online: int = 10,
    total: int = 20,
    minutes: int = 15,
) -> list[Schedule]:
    clinic, _c = Clinic.objects.get_or_create(
        code=clinic_code, defaults={"name": f"Poli {clinic_code.title()}", "prefix": clinic_code}
    )
    doctor, _d = Doctor.objects.get_or_create(name=doctor_name)
    return [
        Schedule.objects.create(
            doctor=doctor,
            clinic=clinic,
            weekday=day,
            start_time=dt.time.fromisoformat(start),
            end_time=dt.time.fromisoformat(end),
            total_quota=total,
            online_quota=online,
            minutes_per_patient=minutes,
        )
        for day in weekdays
    ]


def at(date: dt.date, hhmm: str) -> dt.datetime:
    """An aware Jakarta datetime."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time.fromisoformat(hhmm)))


@pytest.fixture
def guarantor_types(db) -> dict[str, GuarantorType]:
    """Seed 004's types by code (migration 0003; made again where a transactional test flushed them)."""
    ensure_types(GuarantorType)
    return {g.code: g for g in GuarantorType.objects.all()}


@pytest.fixture
def umum(guarantor_types) -> GuarantorType:
    return guarantor_types["umum"]


@pytest.fixture
def bpjs(guarantor_types) -> GuarantorType:
    """BPJS Kesehatan: a 13-digit card and a referral."""
    return guarantor_types["bpjs-kesehatan"]


@pytest.fixture
def cfg(db) -> BookingSettings:
    return BookingSettings.load()


@pytest.fixture
def gigi(db) -> list[Schedule]:
    """drg. Rina at the dental clinic every day 08:00-12:00, 10 online places, 15 minutes each."""
    return make_schedule()


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def gigi_tomorrow(gigi, tomorrow) -> Schedule:
    return next(s for s in gigi if s.weekday == tomorrow.weekday())


@pytest.fixture
def member(patient) -> Patient:
    """Sari herself, as a patient of the hospital."""
    return make_member(patient)


@pytest.fixture
def child(patient) -> Patient:
    return make_member(patient, "Bima Wulandari", relationship="child", sex="L", birth_date=dt.date(2016, 2, 3))


@pytest.fixture
def book(patient, umum, cfg):
    """Call booking_create with sensible defaults and objects instead of ids."""
    from queueing import services

    def _book(patient_obj, schedule, date, *, guarantor=None, **kwargs):
        kwargs.setdefault("account", patient)
        kwargs.setdefault("token", uuid.uuid4())
        return services.booking_create(
            patient_id=patient_obj.pk, schedule_id=schedule.pk, date=date, guarantor_id=(guarantor or umum).pk, **kwargs
        )

    return _book


@pytest.fixture(autouse=True)
def _fresh_settings_cache():
    """Each test starts from its own database's settings and guarantors, not a previous test's."""
    from queueing.models import _SETTINGS_CACHE
    from queueing.selectors import forget_guarantors

    _SETTINGS_CACHE.clear(), forget_guarantors()
    yield
    _SETTINGS_CACHE.clear(), forget_guarantors()
