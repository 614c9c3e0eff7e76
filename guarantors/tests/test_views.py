"""Requirement pages, the checklist snippet and the admin's one-per-line document lists."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from guarantors.models import ClinicDocumentRule, GuarantorType


def test_requirements_page_lists_every_active_guarantor_and_its_documents(client, guarantor_types):
    response = client.get(reverse("guarantors:guarantor_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for gtype in guarantor_types.values():
        assert gtype.name in html
    assert "Surat laporan kepolisian" in html and "Surat rekomendasi DINSOS" in html


def test_documents_endpoint_includes_clinic_rules(client, guarantor_types):
    ClinicDocumentRule.objects.create(
        clinic_code="SAR", documents=["Surat keterangan dokter (SKD)"], needs_letter_upload=True
    )
    url = reverse("guarantors:guarantor_documents", args=["bpjs-kesehatan"])
    data = client.get(url, {"clinic": "SAR"}).json()
    assert data["needs_card_number"] and data["needs_referral"] and data["needs_letter_upload"]
    assert data["documents"][-1] == "Surat keterangan dokter (SKD)"
    assert client.get(url).json()["needs_letter_upload"] is False


def test_documents_endpoint_is_404_for_unknown_or_switched_off_types(client, guarantor_types):
    assert client.get(reverse("guarantors:guarantor_documents", args=["arisan"])).status_code == 404
    GuarantorType.objects.filter(code="taspen").update(is_active=False)
    assert client.get(reverse("guarantors:guarantor_documents", args=["taspen"])).status_code == 404


def test_checklist_snippet_prints_one_box_per_document():
    html = render_to_string("guarantors/_required_documents.html", {"documents": ["E-KTP", "Surat <rujukan>"]})
    assert html.count("&#9744;") == 2 and "Surat &lt;rujukan&gt;" in html


def test_admin_edits_documents_one_per_line(client, admin_user, guarantor_types):
    client.force_login(admin_user)
    taspen = guarantor_types["taspen"]
    url = reverse("admin:guarantors_guarantortype_change", args=[taspen.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "E-KTP\nKK (Kartu Keluarga)\nSurat Jaminan TASPEN" in page.content.decode()  # one per line
    data = {
        "name": taspen.name,
        "description": taspen.description,
        "is_active": "on",
        "sort_order": "40",
        "card_number_label": "",
        "card_number_pattern": "",
        "required_documents": "E-KTP\r\n\r\n  Surat Jaminan TASPEN  \r\n",
        "clinic_rules-TOTAL_FORMS": "1",
        "clinic_rules-INITIAL_FORMS": "0",
        "clinic_rules-MIN_NUM_FORMS": "0",
        "clinic_rules-MAX_NUM_FORMS": "1000",
        "clinic_rules-0-clinic_code": "SAR",
        "clinic_rules-0-documents": "SKD\nHasil EEG",
        "clinic_rules-0-is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    taspen.refresh_from_db()
    assert taspen.required_documents == ["E-KTP", "Surat Jaminan TASPEN"]
    assert taspen.clinic_rules.get().documents == ["SKD", "Hasil EEG"]


def test_admin_code_and_kind_cannot_change_after_creation(client, admin_user, guarantor_types):
    client.force_login(admin_user)
    page = client.get(reverse("admin:guarantors_guarantortype_change", args=[guarantor_types["umum"].pk]))
    assert 'name="code"' not in page.content.decode() and 'name="kind"' not in page.content.decode()
