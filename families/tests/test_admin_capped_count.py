"""The patient index's capped count (issue 16): a common name's thousands of matches are not counted.

The cap is set small here (the admin class's `count_cap`) so that a few rows exceed it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Permission
from django.urls import reverse

from conftest import make_account
from facilities.models import Facility, FacilityMembership, default_facility
from families.admin import PatientAdmin
from families.models import Patient, PatientRecord
from families.tests.conftest import make_patient
from portal.lib.admin_paging import CappedCountPaginator
from queueing.desk.services import clerk_group_ensure

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:families_patient_changelist")


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(PatientAdmin, "count_cap", 3)
    monkeypatch.setattr(PatientAdmin, "list_per_page", 2)


@pytest.fixture
def two_facilities(db):
    """Five Budis with a record at the RSUD, three at a puskesmas (and one Siti at the RSUD)."""
    rsud = default_facility()
    jetis = Facility.objects.create(name="Puskesmas Jetis", mrn_digits=6)
    here = [make_patient(full_name=f"Budi {name}", nik="", mrn=f"0000100{i}") for i, name in enumerate("ABCDE")]
    there = []
    for i, name in enumerate(["Santoso", "Wibowo", "Zainal"]):
        patient = make_patient(full_name=f"Budi Jetis {name}", nik="", birth_date=dt.date(1980, 1, i + 1))
        PatientRecord.objects.create(patient=patient, facility=jetis, mrn=f"00020{i}")
        there.append(patient)
    make_patient(full_name="Siti Rahayu", nik="", mrn="00002000")
    make_patient(full_name="Siti Baru", nik="")  # no booking, no record anywhere yet: every clerk's
    return rsud, jetis, here, there


def clerk_of(client, facility: Facility, email: str):
    clerk = make_account(email, "Petugas", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_patient", "change_patient"]))
    FacilityMembership.objects.create(user=clerk, facility=facility, role="clerk")
    client.force_login(clerk)
    return client


def names(response) -> list[str]:
    return [patient.full_name for patient in response.context["cl"].result_list]


def test_paginator_counts_up_to_the_cap_and_says_when_there_are_more():
    exact = CappedCountPaginator(list(range(3)), 2, cap=3)
    assert (exact.count, exact.capped, exact.num_pages) == (3, False, 2)
    over = CappedCountPaginator(list(range(4)), 2, cap=3)
    assert (over.count, over.capped, over.num_pages) == (3, True, 2)


def test_the_cap_is_always_above_one_page(rf, admin_user, small_cap):
    # A count that fits on one page makes Django's changelist show the whole queryset unsliced.
    request = rf.get(CHANGELIST)
    request.user = admin_user
    model_admin = PatientAdmin(Patient, site)
    assert model_admin.get_paginator(request, Patient.objects.all(), 2).cap == 3
    assert model_admin.get_paginator(request, Patient.objects.all(), 10).cap == 11


def test_a_common_name_shows_more_than_the_cap_with_pages_of_the_first_rows(client, two_facilities, small_cap):
    rsud, _jetis, here, _there = two_facilities
    clerk_of(client, rsud, "rsud@rsud.example")
    first = client.get(CHANGELIST, {"q": "budi"})
    assert first.status_code == 200
    assert names(first) == ["Budi A", "Budi B"]  # sorted by name, only the clerk's facility
    page = first.content.decode()
    assert "Lebih dari 3 pasien ditemukan: persempit pencarian." in page  # the admin speaks Indonesian
    assert "lebih dari 3 hasil" in page
    assert 'class="question hidden"' not in page  # the number is unknown: no "select all N" for an action
    assert first.context["cl"].result_count == 3
    second = client.get(CHANGELIST, {"q": "budi", "p": 2})
    assert names(second) == ["Budi C"]  # the pages cover the counted rows
    assert client.get(CHANGELIST, {"q": "budi", "p": 3}).status_code == 302  # past the counted rows: ?e=1


def test_a_search_within_the_cap_is_counted_exactly(client, two_facilities, small_cap):
    _rsud, jetis, _here, there = two_facilities
    clerk_of(client, jetis, "jetis@puskesmas.example")
    response = client.get(CHANGELIST, {"q": "budi"})
    assert names(response) == ["Budi Jetis Santoso", "Budi Jetis Wibowo"]  # not the RSUD's five
    page = response.content.decode()
    assert "Lebih dari" not in page and "3 pasien" in page and "3 buah" in page  # Django's "3 results"
    assert 'class="question hidden"' in page  # "select all 3 patients" is offered again
    assert names(client.get(CHANGELIST, {"q": "budi", "p": 2})) == ["Budi Jetis Zainal"]
    assert names(client.get(CHANGELIST, {"q": "siti"})) == ["Siti Baru"]  # not the RSUD's Siti Rahayu


def test_a_superuser_sees_every_facility_and_exact_lookups_stay_exact(client, admin_user, two_facilities, small_cap):
    _rsud, _jetis, _here, there = two_facilities
    client.force_login(admin_user)
    response = client.get(CHANGELIST, {"q": "budi"})
    assert response.context["cl"].paginator.capped  # eight Budis at the two facilities
    assert names(response) == ["Budi A", "Budi B"]
    assert names(client.get(CHANGELIST, {"q": "budi jetis w"})) == ["Budi Jetis Wibowo"]
    assert names(client.get(CHANGELIST, {"q": "02/01/1980"})) == ["Budi Jetis Wibowo"]  # birth date
    assert names(client.get(CHANGELIST, {"q": "000201"})) == ["Budi Jetis Wibowo"]  # the puskesmas's number
