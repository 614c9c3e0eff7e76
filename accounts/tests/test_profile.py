from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from conftest import make_account
from notifications.models import Message
from notifications.services import channels_set

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("accounts:profile")


def profile_data(user, **overrides) -> dict:
    data = {
        f: getattr(user, f)
        for f in [
            "full_name",
            "phone",
            "email",
            "religion",
            "sex",
            "education",
            "blood_type",
            "marital_status",
            "occupation",
        ]
    }
    data.update(overrides)
    return data


def test_profile_edit_saves_changes(patient_client, patient):
    response = patient_client.post(PROFILE_URL, profile_data(patient, full_name="Sari W.", phone="+62 813 1111 2222"))

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.full_name, patient.phone) == ("Sari W.", "+6281311112222")
    assert patient.email_confirmed  # e-mail untouched, still confirmed
    assert mail.outbox == []


def change_email(client, patient, password, new="sari.baru@example.com", capture=None):
    with capture(execute=True):
        return client.post(PROFILE_URL, profile_data(patient, email=new, current_password=password))


def confirm_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/konfirmasi-email/" in line)
    return line[line.index("/akun/") :].strip()


def test_email_change_waits_for_the_new_address_to_be_confirmed(
    patient_client, patient, password, django_capture_on_commit_callbacks
):
    response = change_email(patient_client, patient, password, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    patient.refresh_from_db()
    # Still signed in and booking with the confirmed old address; the new one waits.
    assert (patient.email, patient.pending_email) == ("sari@example.com", "sari.baru@example.com")
    assert patient.email_confirmed
    to_new, to_old = sorted(mail.outbox, key=lambda m: m.to != ["sari.baru@example.com"])
    assert to_new.to == ["sari.baru@example.com"] and "/konfirmasi-email/" in to_new.body
    assert to_old.to == ["sari@example.com"] and "sari.baru@example.com" in to_old.body
    assert "/konfirmasi-email/" not in to_old.body


def test_the_link_goes_by_email_to_the_new_address_even_for_an_account_told_by_whatsapp_only(
    patient_client, patient, password, django_capture_on_commit_callbacks
):
    channels_set(account=patient, email=False, whatsapp=True)

    change_email(patient_client, patient, password, capture=django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == ["sari.baru@example.com", "sari@example.com"]
    assert set(Message.objects.values_list("channel", flat=True)) == {"email"}


def test_opening_the_link_moves_the_account_to_the_new_address(
    client, patient_client, patient, password, django_capture_on_commit_callbacks
):
    change_email(patient_client, patient, password, capture=django_capture_on_commit_callbacks)
    link = confirm_link(next(m for m in mail.outbox if m.to == ["sari.baru@example.com"]))

    assert client.get(link).status_code == 200
    patient.refresh_from_db()
    assert (patient.email, patient.pending_email) == ("sari.baru@example.com", "")
    assert patient.email_confirmed
    assert client.post(reverse("login"), {"username": "sari.baru@example.com", "password": password}).status_code == 302


def test_a_link_for_an_abandoned_new_address_stops_working(
    client, patient_client, patient, password, django_capture_on_commit_callbacks
):
    change_email(patient_client, patient, password, capture=django_capture_on_commit_callbacks)
    first = confirm_link(next(m for m in mail.outbox if m.to == ["sari.baru@example.com"]))
    change_email(
        patient_client, patient, password, new="sari.lain@example.com", capture=django_capture_on_commit_callbacks
    )

    assert client.get(first).status_code == 400
    patient.refresh_from_db()
    assert (patient.email, patient.pending_email) == ("sari@example.com", "sari.lain@example.com")


def test_the_new_address_is_refused_if_another_account_took_it_meanwhile(
    client, patient_client, patient, password, django_capture_on_commit_callbacks
):
    change_email(patient_client, patient, password, capture=django_capture_on_commit_callbacks)
    link = confirm_link(next(m for m in mail.outbox if m.to == ["sari.baru@example.com"]))
    make_account("Sari.Baru@example.com", "Someone Else")

    response = client.get(link)

    assert response.status_code == 400
    patient.refresh_from_db()
    assert patient.email == "sari@example.com"


@pytest.mark.parametrize("typed, code", [("", "required"), ("not-my-password", "password_incorrect")])
def test_email_change_needs_the_current_password(patient_client, patient, typed, code):
    response = patient_client.post(
        PROFILE_URL, profile_data(patient, email="sari.baru@example.com", current_password=typed)
    )

    assert [e.code for e in response.context["form"].errors.as_data()["current_password"]] == [code]
    patient.refresh_from_db()
    assert patient.pending_email == "" and mail.outbox == []


def test_email_changes_are_throttled_per_account(
    patient_client, patient, password, settings, django_capture_on_commit_callbacks
):
    settings.CONFIRMATION_EMAILS_PER_HOUR = 2
    for n in range(2):
        change_email(
            patient_client, patient, password, new=f"sari{n}@example.com", capture=django_capture_on_commit_callbacks
        )

    response = change_email(
        patient_client, patient, password, new="sari9@example.com", capture=django_capture_on_commit_callbacks
    )

    assert [e.code for e in response.context["form"].errors.as_data()["email"]] == ["too_many_emails"]
    patient.refresh_from_db()
    assert patient.pending_email == "sari1@example.com"


def test_profile_refuses_another_accounts_email(patient_client, patient, other_patient, password):
    response = patient_client.post(
        PROFILE_URL, profile_data(patient, email="JOKO@example.com", current_password=password)
    )

    assert [e.code for e in response.context["form"].errors.as_data()["email"]] == ["duplicate_email"]


def test_a_refused_email_change_still_names_the_saved_addresses(
    patient_client, patient, password, django_capture_on_commit_callbacks
):
    change_email(patient_client, patient, password, capture=django_capture_on_commit_callbacks)

    response = patient_client.post(PROFILE_URL, profile_data(patient, email="typo@example", current_password=""))

    notice = response.content.decode().split('id="pending-email"')[1].split("</div>")[0]
    assert "sari.baru@example.com" in notice and "sari@example.com" in notice and "typo@" not in notice


def test_profile_page_is_never_cached(patient_client):
    assert "no-store" in patient_client.get(PROFILE_URL)["Cache-Control"]


def test_profile_bad_input_keeps_what_was_typed(patient_client, patient):
    response = patient_client.post(PROFILE_URL, profile_data(patient, full_name="Sari Baru", phone="12"))

    assert response.status_code == 200
    assert 'value="Sari Baru"' in response.content.decode()
    patient.refresh_from_db()
    assert patient.full_name == "Sari Wulandari"
