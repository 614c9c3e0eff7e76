from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("accounts:profile")


def profile_data(user, **overrides) -> dict:
    data = {f: getattr(user, f) for f in ["full_name", "phone", "email", "religion", "sex", "education",
                                          "blood_type", "marital_status", "occupation"]}
    data.update(overrides)
    return data


def test_profile_edit_saves_changes(patient_client, patient):
    response = patient_client.post(PROFILE_URL, profile_data(patient, full_name="Sari W.", phone="+62 813 1111 2222"))

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.full_name, patient.phone) == ("Sari W.", "+6281311112222")
    assert patient.email_confirmed  # e-mail untouched, still confirmed
    assert mail.outbox == []


def test_profile_email_change_needs_reconfirmation(patient_client, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post(PROFILE_URL, profile_data(patient, email="sari.baru@example.com"))

    patient.refresh_from_db()
    assert patient.email == "sari.baru@example.com" and not patient.email_confirmed
    assert mail.outbox[0].to == ["sari.baru@example.com"]


def test_profile_refuses_another_accounts_email(patient_client, patient, other_patient):
    response = patient_client.post(PROFILE_URL, profile_data(patient, email="JOKO@example.com"))

    assert [e.code for e in response.context["form"].errors.as_data()["email"]] == ["duplicate_email"]


def test_profile_bad_input_keeps_what_was_typed(patient_client, patient):
    response = patient_client.post(PROFILE_URL, profile_data(patient, full_name="Sari Baru", phone="12"))

    assert response.status_code == 200
    assert 'value="Sari Baru"' in response.content.decode()
    patient.refresh_from_db()
    assert patient.full_name == "Sari Wulandari"
