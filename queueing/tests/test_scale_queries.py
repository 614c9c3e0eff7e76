"""The shapes of the clerk's queries that stay fast at 1,000,000 bookings (issue 16; bench/scale.py
times them): they must still answer exactly what they answered before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from conftest import make_account
from facilities.models import Facility, FacilityMembership, FacilityRole, default_facility
from families.models import Patient, PatientRecord
from queueing.desk import selectors as desk_selectors
from queueing.desk.services import clerk_group_ensure
from queueing.models import Clinic, Doctor

pytestmark = pytest.mark.django_db


@pytest.fixture
def here() -> Facility:
    return default_facility()


@pytest.fixture
def elsewhere() -> Facility:
    return Facility.objects.create(name="Puskesmas Kembaran")


@pytest.fixture
def clerk_here(here) -> User:
    user = make_account("dewi@rsud.example", "Dewi Petugas", is_staff=True)
    user.groups.add(clerk_group_ensure())
    FacilityMembership.objects.create(user=user, facility=here, role=FacilityRole.CLERK)
    return User.objects.get(pk=user.pk)


def _patient(name: str, facility: Facility | None, mrn: str = "") -> Patient:
    patient = Patient.objects.create(full_name=name, sex="L", birth_date=dt.date(1980, 1, 1))
    if facility is not None:
        PatientRecord.objects.create(patient=patient, facility=facility, mrn=mrn)
    return patient


def test_the_name_search_looks_past_the_first_matches_when_they_belong_to_another_facility(
    monkeypatch, here, elsewhere, clerk_here
):
    """Only the first SEARCH_CANDIDATES matches are checked against the clerk's facilities at
    first; when they leave the page short, every match is."""
    monkeypatch.setattr(desk_selectors, "SEARCH_CANDIDATES", 2)
    for n, name in enumerate(["Budi Adi", "Budi Bima", "Budi Cahya"]):
        _patient(name, elsewhere, mrn=f"0000000{n}")
    new = _patient("Budi Dani", None)  # registered nowhere yet: every clerk may find them
    ours = _patient("budi eko", here, mrn="00000009")

    found = desk_selectors.patient_search("budi", clerk_here)

    assert [p.pk for p in found] == [new.pk, ours.pk]  # by name, whatever the case


def test_the_name_search_stops_at_the_limit_in_name_order(monkeypatch, here, clerk_here):
    monkeypatch.setattr(desk_selectors, "SEARCH_CANDIDATES", 3)
    patients = [_patient(f"Siti {letter}", here, mrn=f"0000001{n}") for n, letter in enumerate("EDCBA")]

    found = desk_selectors.patient_search("siti", clerk_here, limit=2)

    assert [p.full_name for p in found] == ["Siti A", "Siti B"]
    assert {p.pk for p in patients} >= {p.pk for p in found}


def test_the_booking_lists_clinic_and_doctor_filters_offer_the_clerks_facility_only(
    client, here, elsewhere, clerk_here
):
    """The choices come from the clinics and doctors of the clerk's facilities (not from a DISTINCT
    over the bookings): one without bookings is offered too, another facility's never."""
    for code in ("MATA", "KULIT"):  # a filter shows from two choices on
        Clinic.objects.create(facility=here, code=code, name=f"Poli {code.title()} Sini", prefix=code)
        Doctor.objects.create(facility=here, name=f"dr. {code.title()} Sini")
    Clinic.objects.create(facility=elsewhere, code="GIGI", name="Poli Gigi Sana", prefix="GIGI")
    Doctor.objects.create(facility=elsewhere, name="dr. Gigi Sana")
    client.force_login(clerk_here)

    page = client.get(reverse("admin:queueing_booking_changelist"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Poli Mata Sini" in html and "Poli Kulit Sini" in html and "dr. Mata Sini" in html
    assert "Poli Gigi Sana" not in html and "dr. Gigi Sana" not in html


def test_other_queues_read_the_familys_own_bookings_not_every_upcoming_one(patient, django_assert_max_num_queries):
    """The family's ids come first (one query, shared with the readable bookings' rule): a subquery
    made PostgreSQL read every upcoming booking and look its patient up (7 ms at 2,400, issue 16)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from queueing import selectors
    from queueing.tests.conftest import make_member

    member = make_member(patient, "Sari Wulandari")
    with CaptureQueriesContext(connection) as queries:
        selectors.other_queues_for(patient)
        selectors.bookings_for(patient).prefetch_related(None).count()
    booking_reads = [q["sql"] for q in queries if 'FROM "queueing_booking"' in q["sql"]]
    assert len(queries) == 3 and len(booking_reads) == 2  # the family's ids once, for both
    assert all("families_accountpatient" not in sql for sql in booking_reads)
    assert str(member.pk).replace("-", "") in booking_reads[0].replace("-", "")
