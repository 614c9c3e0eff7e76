"""Medical record numbers per facility (issue 11): records, the per-facility counter, races."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from facilities.models import Facility, MrnCounter, default_facility
from families import services
from families.models import Patient, PatientRecord
from families.tests.conftest import make_patient
from families.tests.test_concurrency import run_parallel
from families.validators import encode_nik, normalize_mrn


def _facility(name: str, digits: int = 8, **extra) -> Facility:
    return Facility.objects.create(name=name, mrn_digits=digits, **extra)


def _person(serial: str, **overrides) -> Patient:
    birth = overrides.pop("birth_date", dt.date(1990, 1, 1))
    overrides.setdefault("nik", encode_nik(region="330201", birth_date=birth, sex="L", serial=serial))
    return make_patient(birth_date=birth, full_name=f"Pasien {serial}", **overrides)


@pytest.mark.django_db
def test_one_number_per_facility_refused_by_full_clean_and_by_the_database():
    rsud, puskesmas = default_facility(), _facility("Puskesmas Gondokusuman")
    first, second = _person("0001"), _person("0002")
    PatientRecord.objects.create(patient=first, facility=rsud, mrn="00012345")
    # The same number at another facility is someone else's record there: allowed.
    PatientRecord.objects.create(patient=second, facility=puskesmas, mrn="00012345")
    with pytest.raises(ValidationError) as taken:
        PatientRecord(patient=second, facility=rsud, mrn="00012345").full_clean()
    assert taken.value.error_dict["__all__"][0].code == "mrn_exists"
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientRecord.objects.create(patient=second, facility=rsud, mrn="00012345")


@pytest.mark.django_db
def test_a_patient_has_one_record_per_facility_refused_both_ways():
    rsud = default_facility()
    person = _person("0001")
    PatientRecord.objects.create(patient=person, facility=rsud, mrn="00000001")
    with pytest.raises(ValidationError) as twice:
        PatientRecord(patient=person, facility=rsud, mrn="00000002").full_clean()
    assert twice.value.error_dict["__all__"][0].code == "record_exists"
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientRecord.objects.create(patient=person, facility=rsud, mrn="00000002")


@pytest.mark.django_db
def test_two_facilities_hand_out_numbers_independently_each_in_its_own_width():
    rsud, puskesmas = default_facility(), _facility("Puskesmas Jetis", digits=6)
    people = [_person(f"{i:04d}") for i in range(1, 4)]
    at_rsud = [services.patient_record_allocate(patient=p, facility=rsud).mrn for p in people]
    at_puskesmas = [services.patient_record_allocate(patient=p, facility=puskesmas).mrn for p in people[1:]]
    assert at_rsud == ["00000001", "00000002", "00000003"]
    assert at_puskesmas == ["000001", "000002"]
    assert people[1].mrn_at(rsud.pk) == "00000002" and people[1].mrn_at(puskesmas.pk) == "000001"
    assert people[0].mrn_at(puskesmas.pk) is None
    assert dict(MrnCounter.objects.values_list("facility_id", "last_number")) == {rsud.pk: 3, puskesmas.pk: 2}


@pytest.mark.django_db
def test_allocating_again_returns_the_record_the_patient_already_has():
    puskesmas = _facility("Puskesmas Umbulharjo")
    person = _person("0001")
    first = services.patient_record_allocate(patient=person, facility=puskesmas)
    again = services.patient_record_allocate(patient=person, facility=puskesmas)
    assert again.pk == first.pk
    assert MrnCounter.objects.get(facility=puskesmas).last_number == 1


@pytest.mark.django_db
def test_the_counter_starts_after_the_highest_number_and_skips_typed_ones():
    puskesmas = _facility("Puskesmas Kraton", digits=6)
    services.patient_record_attach(patient=_person("0001"), facility=puskesmas, mrn="000041")
    services.patient_record_attach(patient=_person("0002"), facility=puskesmas, mrn="12")  # short: not counted
    assert services.patient_record_allocate(patient=_person("0003"), facility=puskesmas).mrn == "000042"
    services.patient_record_attach(patient=_person("0004"), facility=puskesmas, mrn="000043")  # a paper card
    assert services.patient_record_allocate(patient=_person("0005"), facility=puskesmas).mrn == "000044"


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_number_back():
    puskesmas = _facility("Puskesmas Tegalrejo")
    with transaction.atomic():
        services.patient_record_allocate(patient=_person("0001"), facility=puskesmas)
        transaction.set_rollback(True)
    assert services.patient_record_allocate(patient=_person("0002"), facility=puskesmas).mrn == "00000001"


@pytest.mark.django_db
def test_a_typed_number_taken_by_another_patient_at_that_facility_is_refused_next_to_the_field():
    rsud, puskesmas = default_facility(), _facility("Puskesmas Mergangsan")
    services.patient_record_attach(patient=_person("0001"), facility=puskesmas, mrn="00000007")
    with pytest.raises(ValidationError) as taken:
        services.patient_record_attach(patient=_person("0002"), facility=puskesmas, mrn="00000007")
    assert taken.value.error_dict["mrn"][0].code == "mrn_exists"
    # The same number at the default facility is free.
    other = _person("0003")
    services.patient_record_attach(patient=other, facility=rsud, mrn="00000007")
    assert Patient.objects.get(pk=other.pk).mrn == "00000007"  # the default facility's mirror


@pytest.mark.django_db
def test_the_deprecated_mrn_field_mirrors_the_default_facilitys_record_both_ways():
    rsud, puskesmas = default_facility(), _facility("Puskesmas Gedongtengen")
    typed = make_patient(mrn="00012345")
    assert typed.records.get().facility_id == rsud.pk and typed.mrn_at(rsud.pk) == "00012345"
    given = _person("0009", nik="")
    services.patient_record_allocate(patient=given, facility=puskesmas)
    assert Patient.objects.get(pk=given.pk).mrn is None  # another facility's number is not the mirror
    record = services.patient_record_allocate(patient=given, facility=rsud)
    assert Patient.objects.get(pk=given.pk).mrn == record.mrn == given.mrn


@pytest.mark.django_db
def test_normalising_uses_the_facilitys_width():
    default_facility()
    puskesmas = _facility("Puskesmas Danurejan", digits=6)
    assert normalize_mrn("12-34", puskesmas) == "001234"
    assert normalize_mrn("12-34") == "00001234"  # the default facility: 8
    with pytest.raises(ValidationError) as long:
        normalize_mrn("1234567", puskesmas)
    assert long.value.code == "mrn_too_long"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_clerks_at_two_facilities_get_distinct_gapless_numbers():
    rsud, puskesmas = default_facility(), _facility("Puskesmas Wirobrajan", digits=6)
    people = [_person(f"{i:04d}") for i in range(1, 13)]
    facilities = [rsud, puskesmas]

    def register(index: int) -> tuple[int, str]:
        facility = facilities[index % 2]
        with transaction.atomic():  # the registering transaction holds the counter row until it commits
            record = services.patient_record_allocate(patient=people[index], facility=facility)
        return facility.pk, record.mrn

    results = run_parallel(12, register)
    for facility in facilities:
        numbers = sorted(mrn for pk, mrn in results if pk == facility.pk)
        assert numbers == [str(n).rjust(facility.mrn_digits, "0") for n in range(1, 7)]  # no duplicate, no gap
    assert PatientRecord.objects.count() == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_giving_the_same_person_a_number_at_once_make_one_record():
    puskesmas = _facility("Puskesmas Pakualaman")
    person = _person("0001")
    results = run_parallel(4, lambda i: services.patient_record_allocate(patient=person, facility=puskesmas).mrn)
    assert results == ["00000001"] * 4
    assert MrnCounter.objects.get(facility=puskesmas).last_number == 1
