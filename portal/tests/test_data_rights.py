"""UU 27/2022 rights from the profile page: a copy of the family's data, and closing the account."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from accounts.models import User
from families.models import AccessWhat, AccountPatient, LinkAction, LinkLog, Patient, PatientAccessLog
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from queueing import services as queueing_services
from queueing.models import Booking, BookingSettings, BookingStatus
from queueing.tests.conftest import make_member, make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital(db):
    """The dental clinic every day and the Umum guarantor."""
    ensure_types(GuarantorType)
    BookingSettings.load()
    return make_schedule()


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def book(account: User, member: Patient, schedules, date: dt.date) -> Booking:
    schedule = next(s for s in schedules if s.weekday == date.weekday())
    return queueing_services.booking_create(
        account=account,
        patient_id=member.pk,
        schedule_id=schedule.pk,
        date=date,
        guarantor_id=GuarantorType.objects.get(code="umum").pk,
        token=uuid.uuid4(),
    )


@pytest.fixture
def families(patient, other_patient, hospital, tomorrow):
    """Sari (self + child Bima), Joko (self), and Bima's grandmother shared: both accounts link her."""
    sari = make_member(patient, "Sari Wulandari")
    bima = make_member(
        patient,
        "Bima Wulandari",
        relationship="child",
        sex="L",
        birth_date=dt.date(2016, 2, 3),
        bpjs_number="0001234567890",
    )
    joko = make_member(other_patient, "Joko Prasetyo", sex="L")
    grandma = make_member(patient, "Mbah Partini", relationship="parent", birth_date=dt.date(1950, 1, 1))
    AccountPatient.objects.create(account=other_patient, patient=grandma, relationship="parent")
    sari_booking = book(patient, bima, hospital, tomorrow)
    joko_booking = book(other_patient, grandma, hospital, tomorrow)
    return {
        "sari": sari,
        "bima": bima,
        "joko": joko,
        "grandma": grandma,
        "sari_booking": sari_booking,
        "joko_booking": joko_booking,
    }


def export(client, account: User) -> dict:
    client.force_login(account)
    response = client.post("/akun/data-saya/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


# --- a copy of the data ---------------------------------------------------------------------


def test_the_export_page_explains_and_only_a_post_downloads(client, patient):
    client.force_login(patient)
    response = client.get("/akun/data-saya/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert b"/akun/data-saya/" in client.get("/akun/profil/").content


def test_the_export_holds_the_profile_the_linked_members_and_the_accounts_bookings(client, patient, families):
    data = export(client, patient)
    assert data["account"]["email"] == patient.email and data["account"]["consent_version"] == patient.consent_version
    members = {m["patient"]["full_name"]: m for m in data["family"]}
    assert set(members) == {"Sari Wulandari", "Bima Wulandari", "Mbah Partini"}
    assert members["Bima Wulandari"]["patient"]["nik"] == families["bima"].nik
    assert members["Bima Wulandari"]["patient"]["bpjs_number"] == "0001234567890"
    assert members["Bima Wulandari"]["relationship"] == "child"
    assert [b["code"] for b in data["bookings"]] == [families["sari_booking"].code]
    assert data["bookings"][0]["history"][0]["to"] == families["sari_booking"].status


def test_another_accounts_data_never_appears_in_the_export(client, patient, other_patient, families):
    text = json.dumps(export(client, patient))
    # The shared grandmother is Sari's family too, but Joko, his own member and the booking he made are not.
    assert families["joko_booking"].code not in text
    assert families["joko"].nik not in text and "Joko" not in text
    assert other_patient.email not in text
    joko_text = json.dumps(export(client, other_patient))
    assert families["sari_booking"].code not in joko_text and families["bima"].nik not in joko_text
    assert patient.email not in joko_text


def test_the_export_is_logged_per_member(client, patient, families):
    export(client, patient)
    logged = PatientAccessLog.objects.filter(user=patient, what=AccessWhat.PATIENT_RECORD, detail="data_export")
    assert {entry.patient_id for entry in logged} == {families["sari"].pk, families["bima"].pk, families["grandma"].pk}


def test_the_export_needs_a_signed_in_account(client):
    response = client.post("/akun/data-saya/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")


# --- closing the account --------------------------------------------------------------------


def close(client, account: User, password: str, understood: bool = True):
    client.force_login(account)
    data = {"password": password}
    if understood:
        data["understood"] = "on"
    return client.post("/akun/tutup/", data)


def test_a_wrong_password_closes_nothing_and_says_so_under_the_field(client, patient, password, families):
    queueing_services.booking_cancel(booking=families["sari_booking"], actor=patient)
    response = close(client, patient, "not-my-password")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["password"]] == ["password_incorrect"]
    patient.refresh_from_db()
    assert patient.is_active and AccountPatient.objects.filter(account=patient).count() == 3


def test_closing_needs_the_box_ticked(client, patient, password):
    response = close(client, patient, password, understood=False)
    assert response.context["form"].errors.as_data()["understood"][0].code == "required"
    assert User.objects.get(pk=patient.pk).is_active


def test_an_upcoming_booking_must_be_cancelled_first(client, patient, password, families):
    response = close(client, patient, password)
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["upcoming_bookings"]
    assert User.objects.get(pk=patient.pk).is_active


def test_closing_removes_links_and_personal_data_and_keeps_the_hospital_records(client, patient, password, families):
    queueing_services.booking_cancel(booking=families["sari_booking"], actor=patient)
    response = close(client, patient, password)
    assert response.status_code == 302

    closed = User.objects.get(pk=patient.pk)
    assert not closed.is_active and not closed.has_usable_password()
    assert closed.email.endswith("@closed.invalid") and closed.full_name == "" and closed.phone == ""
    assert not AccountPatient.objects.filter(account=closed).exists()
    removed = LinkLog.objects.filter(account=closed, action=LinkAction.REMOVED)
    assert {entry.patient_id for entry in removed} == {families["sari"].pk, families["bima"].pk, families["grandma"].pk}
    assert LogEntry.objects.filter(object_id=str(closed.pk), change_message__contains="closed").exists()
    # Hospital records stay: the patients (with their NIK) and the booking with its history.
    assert Patient.objects.get(pk=families["bima"].pk).nik == families["bima"].nik
    kept = Booking.objects.get(pk=families["sari_booking"].pk)
    assert kept.status == BookingStatus.CANCELLED and kept.account_id == closed.pk
    # The shared grandmother stays in Joko's family.
    assert AccountPatient.objects.filter(patient=families["grandma"]).count() == 1


def test_a_closed_account_is_signed_out_and_cannot_sign_in_again(client, patient, password, families):
    queueing_services.booking_cancel(booking=families["sari_booking"], actor=patient)
    email = patient.email
    close(client, patient, password)
    assert client.get("/beranda/").status_code == 302  # this session ended
    response = client.post("/akun/masuk/", {"username": email, "password": password})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_link_not_yet_verified_exports_identity_numbers_masked(client, other_patient, families):
    # Joko linked the grandmother by MRN + birth date only (no verified_at): masked, as on his pages.
    members = {m["patient"]["full_name"]: m["patient"] for m in export(client, other_patient)["family"]}
    grandma = families["grandma"]
    assert members["Mbah Partini"]["nik"] == f"{grandma.nik[:4]}********{grandma.nik[-4:]}"
    assert grandma.nik not in json.dumps(members)
    assert members["Joko Prasetyo"]["nik"] == families["joko"].nik  # his own verified link: in full
