"""Cashier personas: the RSUD (WIB) and a puskesmas (WITA), a cashier at each, a supervisor, visits today."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from accounts.models import User
from cashier.models import PatientVisit, ServiceArea, Tariff, TariffCondition
from cashier.services import CASHIER_GROUP, SUPERVISOR_GROUP, cashier_group_ensure
from conftest import make_account
from facilities.models import (
    Facility,
    FacilityKind,
    FacilityMembership,
    FacilityRole,
    FacilityTimeZone,
    default_facility,
)
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorKind, GuarantorType
from queueing.models import Booking, BookingStatus, Clinic, DayQuota, Doctor, Schedule
from queueing.tests.desk_helpers import make_patient

_number = itertools.count(1)


@pytest.fixture
def guarantors(db) -> dict[str, GuarantorType]:
    ensure_types(GuarantorType)
    return {g.kind: g for g in GuarantorType.objects.order_by("-pk")}


@pytest.fixture
def rsud(db) -> Facility:
    return default_facility()


@pytest.fixture
def puskesmas(rsud) -> Facility:
    """Made after the RSUD, so that the RSUD stays the deployment's first (default) facility."""
    return Facility.objects.create(
        name="Puskesmas Kuala Mandor B",
        kind=FacilityKind.PUSKESMAS,
        time_zone=FacilityTimeZone.WITA,
        address="Jl. Raya Kuala Mandor B",
    )


def make_clinic(facility: Facility, code: str = "UMUM") -> Clinic:
    clinic, _created = Clinic.objects.get_or_create(
        facility=facility, code=code, defaults={"name": f"Poli {code.title()}", "prefix": code}
    )
    return clinic


def make_visit(
    facility: Facility,
    patient=None,
    *,
    guarantor: GuarantorType,
    date: dt.date | None = None,
    status: str = BookingStatus.CHECKED_IN,
    clinic_code: str = "UMUM",
) -> Booking:
    """A booking made straight in the database: the cashier only reads what the counter wrote."""
    clinic = make_clinic(facility, clinic_code)
    date = date or facility.local_today()
    doctor, _created = Doctor.objects.get_or_create(facility=facility, name=f"dr. {facility.pk}")
    schedule, _created = Schedule.objects.get_or_create(
        doctor=doctor,
        clinic=clinic,
        weekday=date.weekday(),
        start_time=dt.time(8),
        defaults={"end_time": dt.time(12), "total_quota": 200, "online_quota": 100},
    )
    day_quota, _created = DayQuota.objects.get_or_create(schedule=schedule, date=date, defaults={"quota": 100})
    patient = patient or make_patient()
    number = next(_number) if status != BookingStatus.REQUESTED else None
    return Booking.objects.create(
        patient=patient,
        account=make_account(f"acct{next(_number)}@example.com", patient.full_name),
        day_quota=day_quota,
        date=date,
        clinic=clinic,
        doctor=doctor,
        number=number,
        label=f"{clinic.prefix}-{number:03d}" if number else "",
        status=status,
        guarantor=guarantor,
        reject_reason="no" if status == BookingStatus.REJECTED else "",
    )


@pytest.fixture
def rsud_tariffs(rsud) -> dict[str, Tariff]:
    rows = {
        "new": (GuarantorKind.SELF_PAY, PatientVisit.NEW, TariffCondition.STANDARD, 50_000),
        "returning": (GuarantorKind.SELF_PAY, PatientVisit.RETURNING, TariffCondition.STANDARD, 40_000),
        "tk": (GuarantorKind.BPJS_KETENAGAKERJAAN, PatientVisit.ANY, TariffCondition.STANDARD, 35_000),
    }
    return {
        key: Tariff.objects.create(
            facility=rsud, name="Konsultasi dokter", guarantor_kind=k, visit=v, condition=c, amount=a
        )
        for key, (k, v, c, a) in rows.items()
    }


@pytest.fixture
def puskesmas_tariffs(puskesmas) -> dict[str, Tariff]:
    """Seed 003: residents free; no identity document or outside Kuala Mandor B pays the retribution."""
    ServiceArea.objects.create(facility=puskesmas, regency="Kubu Raya", district="Kuala Mandor B")
    rows = {
        "new": (PatientVisit.NEW, 15_000),
        "returning": (PatientVisit.RETURNING, 10_000),
    }
    return {
        key: Tariff.objects.create(
            facility=puskesmas,
            name="Retribusi pelayanan",
            guarantor_kind=GuarantorKind.SELF_PAY,
            visit=v,
            condition=TariffCondition.NON_RESIDENT,
            amount=a,
        )
        for key, (v, a) in rows.items()
    }


def make_staff(email: str, facility: Facility, *, role: str = FacilityRole.CASHIER, group: str = CASHIER_GROUP) -> User:
    user = make_account(email, email.split("@")[0].title(), is_staff=True)
    user.groups.add(cashier_group_ensure(group))
    FacilityMembership.objects.create(user=user, facility=facility, role=role)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def cashier(rsud) -> User:
    """Rina, the RSUD's cashier ("Kasir" group, cashier membership)."""
    return make_staff("rina.kasir@rsud.example", rsud)


@pytest.fixture
def puskesmas_cashier(puskesmas) -> User:
    return make_staff("made.kasir@puskesmas.example", puskesmas)


@pytest.fixture
def supervisor(rsud) -> User:
    """Bagus, the RSUD's cashier supervisor (may void)."""
    return make_staff(
        "bagus.supervisor@rsud.example", rsud, role=FacilityRole.CASHIER_SUPERVISOR, group=SUPERVISOR_GROUP
    )


@pytest.fixture
def cashier_client(client, cashier):
    client.force_login(cashier)
    return client
