"""Medical record numbers per facility at the counter and on slips (issue 11).

The world of test_facility_scope: an RSUD (WIB) and a puskesmas in Bali (WITA), a clerk each,
Ayu who booked at the RSUD and Ketut who booked at the puskesmas (each with that facility's number).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from families.models import PatientAccessLog, PatientRecord
from families.validators import format_mrn
from queueing import selectors
from queueing.desk import services as desk_services
from queueing.models import Schedule
from queueing.tests.test_facility_scope import private_media, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_slip_shows_the_number_of_the_bookings_facility(world):
    b, rsud = world["b"], world["a"].facility
    PatientRecord.objects.create(patient=b.patient, facility=rsud, mrn="00000500")  # Ketut also at the RSUD
    here = b.patient.mrn_at(b.facility.pk)
    assert selectors.slip_data(b.booking).mrn == format_mrn(here)
    assert selectors.slip_data(world["a"].booking).mrn == format_mrn(world["a"].patient.mrn_at(rsud.pk))


def test_the_desk_booking_card_shows_the_bookings_facility_number(client, world):
    b, rsud = world["b"], world["a"].facility
    PatientRecord.objects.create(patient=b.patient, facility=rsud, mrn="00000500")
    client.force_login(world["clerk_b"])
    page = client.get(reverse("queueing:desk_check_in"), {"kode": b.booking.code}).content.decode()
    assert format_mrn(b.patient.mrn_at(b.facility.pk)) in page and "00-00-05-00" not in page


def test_a_clerk_gives_a_person_of_another_facility_a_number_here_by_their_nik(client, world):
    a, b = world["a"], world["b"]
    PatientRecord.objects.filter(patient=b.patient).update(mrn="00000950")  # unlike any the RSUD gives next
    client.force_login(world["clerk_a"])
    search = client.post(reverse("queueing:desk_walk_in"), {"q": b.patient.nik}).content.decode()
    assert 'id="patient-elsewhere"' in search
    # Registering them as new is refused on the NIK, as before: the search is the way.
    response = client.post(
        reverse("queueing:desk_patient_record_here") + "?lanjut=daftar", {"nik": b.patient.nik}, follow=True
    )
    record = PatientRecord.objects.get(patient=b.patient, facility=a.facility)
    assert response.redirect_chain[-1][0].endswith(f"pasien={b.patient.pk}")
    page = response.content.decode()
    assert format_mrn(record.mrn) in page and b.patient.full_name in page
    assert format_mrn(b.patient.mrn_at(b.facility.pk)) not in page and b.facility.name not in page
    assert PatientAccessLog.objects.filter(user=world["clerk_a"], patient=b.patient).exists()
    # Now Ketut is also the RSUD's patient: found by name at its counter.
    found = client.post(reverse("queueing:desk_walk_in"), {"q": "Suardana"}).content.decode()
    assert 'id="search-results"' in found and f"pasien={b.patient.pk}" in found


def test_giving_a_number_here_needs_the_full_nik_of_someone_not_yet_ours(client, world):
    a, b = world["a"], world["b"]
    client.force_login(world["clerk_a"])
    client.post(reverse("queueing:desk_patient_record_here"), {"nik": b.patient.nik[:12]})
    client.post(reverse("queueing:desk_patient_record_here"), {"nik": a.patient.nik})  # already ours
    assert not PatientRecord.objects.filter(patient=b.patient, facility=a.facility).exists()
    assert PatientRecord.objects.filter(patient=a.patient).count() == 1


def test_a_walk_in_at_the_puskesmas_takes_the_puskesmas_counters_next_number(world, umum):
    a, b = world["a"], world["b"]
    puskesmas = b.facility
    today = puskesmas.local_today()
    schedule = Schedule.objects.get(clinic__facility=puskesmas, weekday=today.weekday())
    entry = desk_services.CounterEntry(patient_id=a.patient.pk, guarantor_id=umum.pk)
    [booking] = desk_services.walkin_register(actor=world["clerk_b"], schedule_id=schedule.pk, entries=[entry])
    highest = int(b.patient.mrn_at(puskesmas.pk))  # the puskesmas's counter starts after its own index
    assert a.patient.mrn_at(puskesmas.pk) == str(highest + 1).rjust(puskesmas.mrn_digits, "0")
    assert booking.patient_mrn == a.patient.mrn_at(puskesmas.pk)
    assert a.patient.mrn_at(a.facility.pk) is not None  # the RSUD's number stays
