"""Report fixtures: two facilities with clinics, and bookings written straight in the states a month leaves.

The report only reads bookings, so the fixtures make them as the month ended (served, cancelled,
no-show...) without walking each through the services; every row still passes the database's
constraints (one holding booking per patient and day, numbered when confirmed, rejections with a reason).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from accounts.models import User
from conftest import make_account
from facilities.models import Facility, FacilityMembership, FacilityRole, FacilityTimeZone, default_facility
from families.models import Patient
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from queueing.models import Booking, BookingChannel, BookingStatus, Clinic, DayQuota, Doctor, Schedule

NOVEMBER = dt.date(2026, 11, 1)
_serial = itertools.count(1)


def make_patient(birth_date: dt.date = dt.date(1990, 5, 17), sex: str = "P", name: str = "") -> Patient:
    serial = next(_serial)
    return Patient.objects.create(
        full_name=name or f"Pasien {serial}", sex=sex, birth_date=birth_date, mrn=f"RP{serial:06d}"
    )


def make_clinic(facility: Facility, code: str, name: str = "") -> Schedule:
    """A clinic with one doctor practising every day; returns its Monday schedule (any day's will do)."""
    clinic = Clinic.objects.create(facility=facility, code=code, name=name or f"Poli {code.title()}", prefix=code[:4])
    doctor = Doctor.objects.create(name=f"dr. {code.title()}", facility=facility)
    return Schedule.objects.create(
        doctor=doctor,
        clinic=clinic,
        weekday=0,
        start_time=dt.time(8),
        end_time=dt.time(12),
        total_quota=500,
        online_quota=500,
    )


class Visits:
    """Writes bookings for one account: `add(patient, schedule, date, status=..., ...)`."""

    def __init__(self, account: User, guarantor: GuarantorType) -> None:
        self.account, self.guarantor = account, guarantor

    def add(
        self,
        patient: Patient,
        schedule: Schedule,
        date: dt.date,
        *,
        status: str = BookingStatus.SERVED,
        channel: str = BookingChannel.ONLINE,
        guarantor: GuarantorType | None = None,
    ) -> Booking:
        quota, _created = DayQuota.objects.get_or_create(schedule=schedule, date=date, defaults={"quota": 500})
        quota.last_number += 1
        quota.save(update_fields=["last_number"])
        return Booking.objects.create(
            patient=patient,
            account=self.account,
            day_quota=quota,
            date=date,
            clinic=schedule.clinic,
            doctor=schedule.doctor,
            number=quota.last_number,
            label=f"{schedule.clinic.prefix}-{quota.last_number:03d}",
            status=status,
            reject_reason="Kuota penuh" if status == BookingStatus.REJECTED else "",
            guarantor=guarantor or self.guarantor,
            channel=channel,
        )


@pytest.fixture
def guarantors(db) -> dict[str, GuarantorType]:
    ensure_types(GuarantorType)
    return {g.code: g for g in GuarantorType.objects.all()}


@pytest.fixture
def rsud(db) -> Facility:
    return default_facility()


@pytest.fixture
def puskesmas(db) -> Facility:
    return Facility.objects.create(name="Puskesmas Denpasar Selatan", kind="puskesmas", time_zone=FacilityTimeZone.WITA)


@pytest.fixture
def visits(patient, guarantors) -> Visits:
    return Visits(patient, guarantors["umum"])


def staff_member(email: str, facility: Facility | None, role: str = FacilityRole.CLERK) -> User:
    user = make_account(email, email.split("@")[0].title(), is_staff=role != FacilityRole.HEALTH_OFFICE)
    if facility is not None:
        FacilityMembership.objects.create(user=user, facility=facility, role=role)
    return User.objects.get(pk=user.pk)
