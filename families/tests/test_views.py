"""Family pages: the SOP 000 E-H flows, no enumeration, and the access matrix between accounts."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from families import panels
from families.models import AccountPatient, IdentityDocument, LookupFailure, Patient
from families.tests.conftest import SARI_NIK, form_data, image_bytes, make_patient, upload
from families.views import FOUND_SESSION_KEY

pytestmark = pytest.mark.django_db

ADD_NEW = reverse("families:member_add_new")
ADD_EXISTING = reverse("families:member_add_existing")
CONFIRM = reverse("families:member_add_existing_confirm")
DASHBOARD = reverse("dashboard")


def html(response) -> str:
    return response.content.decode()


def error_under(response, field: str) -> str:
    match = re.search(rf'id="error_1_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html(response), re.S)
    return match.group(1).strip() if match else ""


def edit_url(member) -> str:
    return reverse("families:member_edit", kwargs={"patient_id": member.pk})


# --- dashboard --------------------------------------------------------------------------


def test_dashboard_lists_members_with_masked_nik_mrn_and_age(patient_client, sari_self, sari_child):
    response = patient_client.get(DASHBOARD)
    page = html(response)
    assert response.status_code == 200
    assert "Sari Wulandari" in page and "Adi Wibowo" in page
    assert "3302********0001" in page and SARI_NIK not in page and sari_child.nik not in page
    assert "00-00-01-01" in page
    assert edit_url(sari_self) in page and edit_url(sari_child) in page
    assert ADD_NEW in page
    assert "no-store" in response["Cache-Control"]


def test_dashboard_keeps_the_unconfirmed_email_warning(client, patient):
    patient.email_confirmed_at = None
    patient.save()
    client.force_login(patient)
    assert reverse("accounts:resend_confirmation") in html(client.get(DASHBOARD))


def test_dashboard_includes_panels_registered_by_other_apps(patient_client, tmp_path, settings):
    (tmp_path / "panel.html").write_text("<p id='panel'>{{ panel_context.greeting }} {{ user.full_name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    panels.register_dashboard_panel("panel.html", get_context=lambda request: {"greeting": "Antrian besok"})
    try:
        page = html(patient_client.get(DASHBOARD))
    finally:
        panels.unregister_dashboard_panel("panel.html")
    assert "<p id='panel'>Antrian besok Sari Wulandari</p>" in page


def test_dashboard_needs_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and reverse("login") in response.url


# --- new patient tab --------------------------------------------------------------------


def test_new_member_page_prefills_the_holder_when_they_are_not_added_yet(patient_client):
    page = html(patient_client.get(ADD_NEW))
    assert 'value="Sari Wulandari"' in page and 'value="self" selected' in page


def test_adding_a_new_member_redirects_to_the_dashboard(patient_client, patient):
    response = patient_client.post(ADD_NEW, form_data())
    assert response.status_code == 302 and response.url == DASHBOARD
    member = AccountPatient.objects.get(account=patient).patient
    assert member.full_name == "Adi Wibowo" and member.phone == "+6281211112222" and member.mrn is None


def test_wrong_nik_shows_red_text_under_the_field_and_keeps_what_was_typed(patient_client):
    response = patient_client.post(ADD_NEW, form_data(nik="9902020907150042", mother_name="Ibu Sari"))
    assert response.status_code == 200
    assert error_under(response, "nik")
    assert 'value="9902020907150042"' in html(response) and 'value="Ibu Sari"' in html(response)
    assert not Patient.objects.exists()


def test_nik_mismatch_asks_for_the_tick_then_flags_the_record(patient_client, patient):
    response = patient_client.post(ADD_NEW, form_data(birth_date="2015-07-10"))
    assert error_under(response, "confirm_nik")
    assert 'type="checkbox" name="confirm_nik"' in html(response)
    response = patient_client.post(ADD_NEW, form_data(birth_date="2015-07-10", confirm_nik="on"))
    assert response.status_code == 302
    assert Patient.objects.get().nik_mismatch is True


def test_nik_of_a_registered_patient_points_to_the_existing_patient_tab(patient_client):
    make_patient(full_name="Orang Lain", mrn="00077777")  # holds the NIK that form_data() uses
    response = patient_client.post(ADD_NEW, form_data())
    assert error_under(response, "nik")
    assert "Orang Lain" not in html(response) and "00077777" not in html(response)
    assert Patient.objects.count() == 1


# --- existing patient tab ---------------------------------------------------------------


def test_existing_patient_match_shows_masked_name_and_keeps_the_id_in_the_session(patient_client, hospital_record):
    response = patient_client.post(ADD_EXISTING, {"mrn": "12-34-56", "birth_date": "2015-07-09"})
    assert response.status_code == 302 and response.url == CONFIRM
    assert patient_client.session[FOUND_SESSION_KEY]["patient"] == str(hospital_record.pk)
    page = html(patient_client.get(CONFIRM))
    assert "Ad* Wi****" in page and "Adi Wibowo" not in page
    assert str(hospital_record.pk) not in page  # no hidden field with the id


def test_confirming_links_the_patient_and_fills_missing_data(patient_client, patient, hospital_record):
    patient_client.post(ADD_EXISTING, {"mrn": "00123456", "birth_date": "2015-07-09"})
    data = form_data(confirm="on", relationship="child")
    for name in ("full_name", "birth_date", "sex", "birth_place"):
        data.pop(name)
    response = patient_client.post(CONFIRM, data)
    assert response.status_code == 302 and response.url == DASHBOARD
    hospital_record.refresh_from_db()
    assert AccountPatient.objects.get(account=patient).patient == hospital_record
    assert hospital_record.is_complete
    assert FOUND_SESSION_KEY not in patient_client.session


def test_confirm_without_the_yes_shows_the_error(patient_client, hospital_record):
    patient_client.post(ADD_EXISTING, {"mrn": "00123456", "birth_date": "2015-07-09"})
    response = patient_client.post(CONFIRM, {"relationship": "child"})
    assert error_under(response, "confirm")
    assert not AccountPatient.objects.exists()


def test_confirm_page_without_a_search_goes_back_to_the_search(patient_client, hospital_record):
    response = patient_client.get(CONFIRM)
    assert response.status_code == 302 and response.url == ADD_EXISTING


def test_an_expired_search_must_be_repeated(patient_client, hospital_record):
    patient_client.post(ADD_EXISTING, {"mrn": "00123456", "birth_date": "2015-07-09"})
    session = patient_client.session
    session[FOUND_SESSION_KEY]["until"] = 0
    session.save()
    assert patient_client.post(CONFIRM, form_data(confirm="on")).url == ADD_EXISTING
    assert not AccountPatient.objects.exists()


def test_wrong_mrn_and_wrong_birth_date_look_exactly_the_same(patient_client, hospital_record):
    wrong_mrn = patient_client.post(ADD_EXISTING, {"mrn": "00123457", "birth_date": "2015-07-09"})
    wrong_date = patient_client.post(ADD_EXISTING, {"mrn": "00123456", "birth_date": "2015-07-10"})
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"', "", html(r))  # noqa: E731
    assert wrong_mrn.status_code == wrong_date.status_code == 200
    assert strip(wrong_mrn) == strip(wrong_date)
    assert "alert-danger" in html(wrong_mrn)
    assert FOUND_SESSION_KEY not in patient_client.session


def test_eleventh_failed_search_in_an_hour_is_refused(patient_client, patient, hospital_record):
    for _ in range(10):
        patient_client.post(ADD_EXISTING, {"mrn": "00000001", "birth_date": "2015-07-09"})
    response = patient_client.post(ADD_EXISTING, {"mrn": "00123456", "birth_date": "2015-07-09"})
    assert response.status_code == 200
    assert FOUND_SESSION_KEY not in patient_client.session
    assert LookupFailure.objects.filter(account=patient).count() == 10


def test_searching_for_an_own_member_says_so(patient_client, sari_self):
    response = patient_client.post(ADD_EXISTING, {"mrn": "101", "birth_date": "1988-03-14"}, follow=True)
    assert response.redirect_chain[-1][0] == DASHBOARD


# --- edit, MRN check, remove ------------------------------------------------------------


def test_edit_page_has_the_form_documents_and_mrn_check(patient_client, sari_child):
    page = html(patient_client.get(edit_url(sari_child)))
    assert 'id="edit-member-form"' in page and 'id="dokumen"' in page and 'id="check-mrn-form"' in page
    assert f'value="{sari_child.nik}"' in page


def test_saving_changes_returns_to_the_dashboard(patient_client, sari_child):
    response = patient_client.post(edit_url(sari_child), form_data(address_street="Jl. Melati 9"))
    assert response.status_code == 302 and response.url == DASHBOARD
    sari_child.refresh_from_db()
    assert sari_child.address_street == "Jl. Melati 9"


def test_bad_edit_stays_on_the_page_with_the_error(patient_client, sari_child):
    response = patient_client.post(edit_url(sari_child), form_data(phone="12"))
    assert response.status_code == 200 and error_under(response, "phone")


def test_mrn_check_merges_and_moves_to_the_kept_record(patient_client, sari_child, hospital_record):
    url = reverse("families:member_check_mrn", kwargs={"patient_id": sari_child.pk})
    response = patient_client.post(url, {"cek-mrn": "123456", "cek-birth_date": "2015-07-09"})
    assert response.status_code == 302 and response.url == edit_url(hospital_record)
    assert not Patient.objects.filter(pk=sari_child.pk).exists()
    assert "00-12-34-56" in html(patient_client.get(edit_url(hospital_record)))


def test_failed_mrn_check_shows_the_generic_error_on_the_edit_page(patient_client, sari_child, hospital_record):
    url = reverse("families:member_check_mrn", kwargs={"patient_id": sari_child.pk})
    response = patient_client.post(url, {"cek-mrn": "123456", "cek-birth_date": "2015-07-01"})
    assert response.status_code == 200 and "alert-danger" in html(response)
    assert Patient.objects.filter(pk=sari_child.pk, mrn=None).exists()


def test_removing_a_member_keeps_the_patient(patient_client, sari_child):
    url = reverse("families:member_remove", kwargs={"patient_id": sari_child.pk})
    assert patient_client.get(url).status_code == 200
    assert patient_client.post(url).url == DASHBOARD
    assert not AccountPatient.objects.filter(patient=sari_child).exists()
    assert Patient.objects.filter(pk=sari_child.pk).exists()


# --- access matrix ----------------------------------------------------------------------


def member_urls(member_id, document_id):
    return [
        ("get", reverse("families:member_edit", kwargs={"patient_id": member_id})),
        ("post", reverse("families:member_edit", kwargs={"patient_id": member_id})),
        ("post", reverse("families:member_check_mrn", kwargs={"patient_id": member_id})),
        ("post", reverse("families:member_document_upload", kwargs={"patient_id": member_id})),
        ("get", reverse("families:member_remove", kwargs={"patient_id": member_id})),
        ("post", reverse("families:member_remove", kwargs={"patient_id": member_id})),
        ("get", reverse("families:document_view", kwargs={"document_id": document_id})),
    ]


@pytest.fixture
def sari_document(patient_client, sari_child):
    url = reverse("families:member_document_upload", kwargs={"patient_id": sari_child.pk})
    patient_client.post(url, {"doc-kind": "ktp", "doc-file": upload("ktp.png", image_bytes("PNG"))})
    return IdentityDocument.objects.get()


def test_owner_reaches_the_member_pages(patient_client, sari_child, sari_document):
    urls = member_urls(sari_child.pk, sari_document.pk)
    for method, url in (urls[0], urls[4], urls[6]):
        assert getattr(patient_client, method)(url).status_code == 200, url


@pytest.mark.parametrize("index", range(7))
def test_another_account_gets_404_for_every_member_and_document_url(
    client, other_patient, sari_child, sari_document, index
):
    client.force_login(other_patient)
    method, url = member_urls(sari_child.pk, sari_document.pk)[index]
    data = {"doc-kind": "ktp", "doc-file": upload("x.png", image_bytes("PNG"))} if "dokumen" in url else form_data()
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 404, url
    assert AccountPatient.objects.filter(patient=sari_child).exists()
    sari_child.refresh_from_db()
    assert sari_child.documents.count() == 1


@pytest.mark.parametrize("index", range(7))
def test_unknown_ids_are_404_too(patient_client, sari_child, index):
    method, url = member_urls(uuid.uuid4(), uuid.uuid4())[index]
    assert getattr(patient_client, method)(url).status_code == 404


@pytest.mark.parametrize("index", range(7))
def test_anonymous_visitors_are_sent_to_login(sari_child, sari_document, index):
    method, url = member_urls(sari_child.pk, sari_document.pk)[index]
    response = getattr(Client(), method)(url)
    assert response.status_code == 302 and reverse("login") in response.url


def test_pages_speak_the_sops_indonesian(patient_client, sari_child, hospital_record):
    dashboard = html(patient_client.get(DASHBOARD))
    assert "Tambah Anggota Akun" in dashboard and "belum ada" in dashboard
    add_page = html(patient_client.get(ADD_NEW))
    assert "Pasien Baru" in add_page and "Pasien Lama" in add_page and "Tambahkan" in add_page
    edit_page = html(patient_client.get(edit_url(sari_child)))
    assert "Simpan Perubahan" in edit_page and "Cek Nomor Rekam Medis" in edit_page
    patient_client.post(ADD_EXISTING, {"mrn": "00123456", "birth_date": "2015-07-09"})
    assert "Ya, ini anggota keluarga saya" in html(patient_client.get(CONFIRM))
