"""Fixtures for the counter desk tests (import the ones a module uses)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from django.utils import timezone

from accounts.models import User
from families.models import Patient
from queueing import services
from queueing.desk.services import clerk_group_ensure
from queueing.models import Booking, Schedule
from queueing.tests.conftest import at, make_schedule

_serial = itertools.count(5001)


def make_patient(full_name: str = "Slamet Riyadi", **extra) -> Patient:
    """A patient of the hospital with no account (a walk-in)."""
    serial = next(_serial)
    fields = dict(
        full_name=full_name,
        sex="L",
        birth_place="Banyumas",
        birth_date=dt.date(1970, 3, 4),
        nik=f"3302010403{70:02d}{serial:04d}",
        kk_number="3302010101700001",
        mrn=f"{serial:08d}",
        address_street="Jl. Pahlawan 3",
        address_village="Sokaraja Kulon",
        address_district="Sokaraja",
        address_regency="Banyumas",
        address_province="Jawa Tengah",
    )
    fields.update(extra)
    return Patient.objects.create(**fields)


@pytest.fixture
def desk_clerk(clerk) -> User:
    """The clerk persona in the "Petugas Pendaftaran" group (fresh object: no stale permission cache)."""
    clerk.groups.add(clerk_group_ensure())
    return User.objects.get(pk=clerk.pk)


@pytest.fixture
def clerk_client(client, desk_clerk):
    client.force_login(desk_clerk)
    return client


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def schedule_on(schedules: list[Schedule], date: dt.date) -> Schedule:
    return next(s for s in schedules if s.weekday == date.weekday())


@pytest.fixture
def gigi_today(gigi, today) -> Schedule:
    """drg. Rina today: 10 online places of 20, 15 minutes each."""
    return schedule_on(gigi, today)


@pytest.fixture
def umum_today(today) -> Schedule:
    """dr. Andi at the general clinic today: 3 online places of 5."""
    return schedule_on(make_schedule("UMUM", "dr. Andi", online=3, total=5, minutes=6, start="07:30"), today)


@pytest.fixture
def book_today(patient, umum, cfg, today):
    """An online booking for today, booked at 06:00 when same-day booking was open (then closed again)."""

    def _book(patient_obj, schedule, *, account=None) -> Booking:
        cfg.earliest_days_ahead = 0
        cfg.save()
        try:
            return services.booking_create(
                account=account or patient,
                patient_id=patient_obj.pk,
                schedule_id=schedule.pk,
                date=today,
                guarantor_id=umum.pk,
                token=uuid.uuid4(),
                now=at(today, "06:00"),
            )
        finally:
            cfg.earliest_days_ahead = 1
            cfg.save()

    return _book
