"""Fixtures for the clinic calling and display tests: a clinic session today with checked-in patients."""

from __future__ import annotations

import pytest

from accounts.models import User
from facilities.models import FacilityMembership, FacilityRole, default_facility
from queueing.desk.services import CounterEntry, walkin_register
from queueing.models import Booking, DayQuota, Schedule
from queueing.tests.conftest import make_schedule
from queueing.tests.desk_helpers import make_patient
from visitday.nurse.services import nurse_group_ensure

NAMES = ["Budi", "Citra", "Dodi", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko", "Kartika"]


def session_today(today, clinic="GIGI", doctor="drg. Rina", start="07:00") -> Schedule:
    """A session today with room at the counter for everyone the tests register."""
    schedules = make_schedule(clinic, doctor, online=2, total=40, minutes=5, start=start, end="23:00")
    return next(s for s in schedules if s.weekday == today.weekday())


def arrive(actor, schedule: Schedule, count: int, names=NAMES) -> list[Booking]:
    """`count` walk-ins registered one by one (each checked in when registered): numbers in arrival order."""
    from guarantors.models import GuarantorType

    umum = GuarantorType.objects.get(code="umum")
    bookings = []
    for i in range(count):
        patient = make_patient(f"{names[i % len(names)]} {i + 1}")
        [booking] = walkin_register(
            actor=actor, schedule_id=schedule.pk, entries=[CounterEntry(patient_id=patient.pk, guarantor_id=umum.pk)]
        )
        bookings.append(booking)
    return bookings


def day_quota_of(booking: Booking) -> DayQuota:
    return DayQuota.objects.select_related("schedule__clinic", "schedule__doctor").get(pk=booking.day_quota_id)


def make_nurse(email: str = "perawat@rsud.example", name: str = "Ners Wati") -> User:
    from conftest import make_account

    user = make_account(email, name)
    user.groups.add(nurse_group_ensure())
    FacilityMembership.objects.create(user=user, facility=default_facility(), role=FacilityRole.NURSE)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def nurse(db) -> User:
    return make_nurse()
