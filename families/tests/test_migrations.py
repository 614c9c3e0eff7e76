"""The move of every medical record number into records at the default facility (families 0014-0016),
run on a database filled with the old shape: one `Patient.mrn` each and one hospital-wide counter."""

from __future__ import annotations

import datetime as dt

import pytest

from facilities.tests.test_migrations import _leaf_targets, _migrate

OLD = [("families", "0013_verify_existing_links"), ("facilities", "0001_initial")]
NEW = [("families", "0016_delete_mrncounter"), ("facilities", "0002_mrn_counter")]


def _fill_old_shape(apps) -> dict:
    Patient = apps.get_model("families", "Patient")
    MrnCounter = apps.get_model("families", "MrnCounter")
    born = dt.date(1980, 5, 17)
    old = {
        "00012345": Patient.objects.create(mrn="00012345", full_name="Slamet", sex="L", birth_date=born).pk,
        "00012399": Patient.objects.create(mrn="00012399", full_name="Rina", sex="P", birth_date=born).pk,
        "123": Patient.objects.create(mrn="123", full_name="Kartu Lama", sex="P", birth_date=born).pk,
    }
    Patient.objects.create(full_name="Baru Daftar", sex="L", birth_date=born)  # online, no MRN yet
    MrnCounter.objects.create(pk=1, last_number=12399)
    return old


@pytest.mark.django_db(transaction=True)
def test_every_old_mrn_becomes_a_record_at_the_default_facility_and_the_counter_carries_on(settings):
    settings.HOSPITAL_NAME = "RSUD Rekam Medis"
    try:
        old = _fill_old_shape(_migrate(OLD))
        apps = _migrate(NEW)
        Facility = apps.get_model("facilities", "Facility")
        PatientRecord = apps.get_model("families", "PatientRecord")
        Counter = apps.get_model("facilities", "MrnCounter")
        facility = Facility.objects.get()
        assert facility.name == "RSUD Rekam Medis"
        records = {r.mrn: r.patient_id for r in PatientRecord.objects.filter(facility=facility)}
        assert records == old  # nothing lost, nothing added for the patient without a number
        assert Counter.objects.get(facility=facility).last_number == 12399

        # The running code (every later migration applied) takes the next number where the old counter stopped.
        _migrate(_leaf_targets())
        from facilities.models import Facility as RealFacility
        from families import services
        from families.models import Patient

        facility = RealFacility.objects.get(pk=facility.pk)
        newcomer = Patient.objects.get(full_name="Baru Daftar")
        record = services.patient_record_allocate(patient=newcomer, facility=facility)
        assert record.mrn == "00012400"
        assert Patient.objects.get(pk=old["00012345"]).mrn_at(facility.pk) == "00012345"
    finally:
        _migrate(_leaf_targets())


@pytest.mark.django_db(transaction=True)
def test_records_go_to_the_facility_that_already_exists():
    try:
        apps = _migrate(OLD)
        Facility = apps.get_model("facilities", "Facility")
        first = Facility.objects.create(name="RSUD Pertama", mrn_digits=8)
        Facility.objects.create(name="Puskesmas Kedua", mrn_digits=6)
        old = _fill_old_shape(apps)
        apps = _migrate(NEW)
        PatientRecord = apps.get_model("families", "PatientRecord")
        assert set(PatientRecord.objects.values_list("facility_id", flat=True)) == {first.pk}
        assert PatientRecord.objects.count() == len(old)
    finally:
        _migrate(_leaf_targets())


@pytest.mark.django_db(transaction=True)
def test_an_empty_old_database_gets_no_facility():
    try:
        _migrate(OLD)
        apps = _migrate(NEW)
        assert not apps.get_model("facilities", "Facility").objects.exists()
    finally:
        _migrate(_leaf_targets())
