"""Medical record numbers per facility on the family pages (issue 11): Pasien Lama, Cek Nomor Rekam
Medis and the dashboard with one facility (exactly as before) and with several."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from facilities.models import Facility, default_facility
from families.models import Patient, PatientRecord
from families.tests.conftest import link, make_patient
from families.views import FOUND_SESSION_KEY

pytestmark = pytest.mark.django_db
ADD_EXISTING = reverse("families:member_add_existing")
CONFIRM = reverse("families:member_add_existing_confirm")
BORN = dt.date(2015, 7, 9)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def two_facilities(db) -> tuple[Facility, Facility]:
    return default_facility(), Facility.objects.create(name="Puskesmas Jetis", kind="puskesmas", mrn_digits=6)


@pytest.fixture
def known_at_both(two_facilities) -> Patient:
    """Adi: 00123456 at the RSUD, 000042 at the puskesmas."""
    rsud, puskesmas = two_facilities
    adi = Patient.objects.create(mrn="00123456", full_name="Adi Wibowo", sex="L", birth_date=BORN)
    PatientRecord.objects.create(patient=adi, facility=puskesmas, mrn="000042")
    return adi


def test_pasien_lama_in_a_single_facility_deployment_shows_no_facility_choice(patient_client, hospital_record):
    page = html(patient_client.get(ADD_EXISTING))
    assert 'name="facility"' not in page
    response = patient_client.post(ADD_EXISTING, {"mrn": "12-34-56", "birth_date": "2015-07-09"})
    assert response.status_code == 302 and response.url == CONFIRM


def test_pasien_lama_asks_the_facility_first_when_there_are_several(patient_client, two_facilities):
    page = html(patient_client.get(ADD_EXISTING))
    assert 'name="facility"' in page and "Puskesmas Jetis" in page
    assert page.index('name="facility"') < page.index('name="mrn"')
    response = patient_client.post(ADD_EXISTING, {"mrn": "42", "birth_date": "2015-07-09"})
    assert response.status_code == 200 and "is-invalid" in html(response)
    assert [e.code for e in response.context["form"].errors.as_data()["facility"]] == ["required"]


def test_pasien_lama_looks_up_the_number_within_the_chosen_facility(patient_client, two_facilities, known_at_both):
    rsud, puskesmas = two_facilities
    found = patient_client.post(ADD_EXISTING, {"facility": puskesmas.pk, "mrn": "42", "birth_date": "2015-07-09"})
    assert found.status_code == 302 and found.url == CONFIRM
    assert patient_client.session[FOUND_SESSION_KEY]["patient"] == str(known_at_both.pk)
    # The puskesmas's number is not the RSUD's: the same digits there match nobody.
    missed = patient_client.post(ADD_EXISTING, {"facility": rsud.pk, "mrn": "000042", "birth_date": "2015-07-09"})
    assert missed.status_code == 200 and "alert-danger" in html(missed)
    assert [e.code for e in missed.context["form"].non_field_errors().as_data()] == ["no_match"]


def test_cek_nomor_rekam_medis_attaches_the_number_of_the_chosen_facility(
    patient_client, patient, two_facilities, known_at_both
):
    rsud, puskesmas = two_facilities
    child = make_patient(nik="", full_name="Adi W.", birth_date=BORN)
    link(patient, child)
    url = reverse("families:member_check_mrn", kwargs={"patient_id": child.pk})
    response = patient_client.post(url, {"cek-facility": puskesmas.pk, "cek-mrn": "42", "cek-birth_date": "2015-07-09"})
    assert response.status_code == 302
    assert not Patient.objects.filter(pk=child.pk).exists()  # merged into the record the puskesmas holds
    page = html(patient_client.get(response.url))
    assert "Puskesmas Jetis" in page and "00-00-42" in page and "00-12-34-56" in page
    assert 'name="cek-facility"' in page  # several facilities: another one's number can still be added


def test_cek_nomor_rekam_medis_gives_a_member_without_records_a_puskesmas_record_only(
    patient_client, patient, two_facilities
):
    rsud, puskesmas = two_facilities
    holder = Patient.objects.create(full_name="Rina", sex="P", birth_date=BORN)
    PatientRecord.objects.create(patient=holder, facility=puskesmas, mrn="000077")
    child = make_patient(nik="", full_name="Rina", sex="P", birth_date=BORN)
    link(patient, child)
    url = reverse("families:member_check_mrn", kwargs={"patient_id": child.pk})
    patient_client.post(url, {"cek-facility": puskesmas.pk, "cek-mrn": "77", "cek-birth_date": "2015-07-09"})
    assert list(holder.records.values_list("facility_id", "mrn")) == [(puskesmas.pk, "000077")]
    assert Patient.objects.get(pk=holder.pk).mrn is None  # no RSUD number was made up


def test_dashboard_lists_numbers_per_facility_with_several(patient_client, patient, two_facilities, known_at_both):
    link(patient, known_at_both)
    page = html(patient_client.get(reverse("dashboard")))
    assert page.count('class="member-record') == 2
    assert "RSUD" in page and "Puskesmas Jetis" in page and "00-00-42" in page and "00-12-34-56" in page


def test_dashboard_with_one_facility_shows_the_one_number_as_before(patient_client, patient, hospital_record):
    link(patient, hospital_record)
    page = html(patient_client.get(reverse("dashboard")))
    assert "00-12-34-56" in page and "member-record" not in page


# --- the CSV import takes the facility ------------------------------------------------------------

CSV = "mrn,full_name,sex,birth_date,nik\n{rows}"


def _import(tmp_path, rows: str, *args) -> str:
    path = tmp_path / "index.csv"
    path.write_text(CSV.format(rows=rows), encoding="utf-8")
    out = io.StringIO()
    call_command("import_patients", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_with_facility_makes_that_facilitys_records_in_its_width(tmp_path, two_facilities):
    rsud, puskesmas = two_facilities
    output = _import(tmp_path, "12-34,Budi Santoso,L,1980-01-02,\n", "--facility", "Puskesmas Jetis")
    assert "Puskesmas Jetis" in output and "1 created" in output
    budi = Patient.objects.get(full_name="Budi Santoso")
    assert list(budi.records.values_list("facility_id", "mrn")) == [(puskesmas.pk, "001234")]
    assert budi.mrn is None  # not the default facility's number


def test_import_without_facility_goes_to_the_default_one(tmp_path, two_facilities):
    rsud, _puskesmas = two_facilities
    _import(tmp_path, "12-34,Budi Santoso,L,1980-01-02,\n")
    budi = Patient.objects.get(full_name="Budi Santoso")
    assert budi.mrn_at(rsud.pk) == "00001234" and budi.mrn == "00001234"


def test_import_gives_a_person_known_elsewhere_by_nik_this_facilitys_number(tmp_path, two_facilities):
    rsud, puskesmas = two_facilities
    known = make_patient(mrn="00000009")  # at the RSUD
    rows = f"77,{known.full_name},{known.sex},{known.birth_date.isoformat()},{known.nik}\n"
    output = _import(tmp_path, rows, "--facility", str(puskesmas.pk))
    assert "1 updated" in output and Patient.objects.count() == 1
    assert known.mrn_at(puskesmas.pk) == "000077" and known.mrn_at(rsud.pk) == "00000009"


def test_import_refuses_an_unknown_facility(tmp_path, two_facilities):
    with pytest.raises(CommandError, match="no such facility"):
        _import(tmp_path, "1,Budi,L,1980-01-02,\n", "--facility", "Puskesmas Entah")
    assert not Patient.objects.exists()
