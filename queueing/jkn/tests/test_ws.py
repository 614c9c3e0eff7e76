"""WS RS contract: every endpoint Mobile JKN calls, with the reference's field names (antrean-ws.md §1).

Good and bad input, wrong and expired tokens, the wrong user name; every refusal is metadata
code 201 with a message, never a 500.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from families.models import Patient
from queueing.jkn.models import AntreanBridge
from queueing.jkn.tests.conftest import CARD, REFERRAL, WS_PASSWORD, WS_USER, ambil_body
from queueing.models import Booking, BookingChannel, BookingStatus, DayQuota
from queueing.tests.conftest import make_member

pytestmark = pytest.mark.django_db

STATUS_FIELDS = {
    "namapoli",
    "namadokter",
    "totalantrean",
    "sisaantrean",
    "antreanpanggil",
    "sisakuotajkn",
    "kuotajkn",
    "sisakuotanonjkn",
    "kuotanonjkn",
    "keterangan",
}
AMBIL_FIELDS = {
    "nomorantrean",
    "angkaantrean",
    "kodebooking",
    "norm",
    "namapoli",
    "namadokter",
    "estimasidilayani",
    "sisakuotajkn",
    "kuotajkn",
    "sisakuotanonjkn",
    "kuotanonjkn",
    "keterangan",
}
SISA_FIELDS = {"nomorantrean", "namapoli", "namadokter", "sisaantrean", "antreanpanggil", "waktutunggu", "keterangan"}


def refused(response, fragment: str = "") -> str:
    """A 201 with a message (shown to the patient); returns the message."""
    body = response.json()
    assert response.status_code == 201 and body["metadata"]["code"] == 201, body
    assert body["metadata"]["message"]
    assert fragment in body["metadata"]["message"], body["metadata"]["message"]
    return body["metadata"]["message"]


def accepted(response) -> dict:
    body = response.json()
    assert response.status_code == 200 and body["metadata"] == {"message": body["metadata"]["message"], "code": 200}, (
        body
    )
    return body.get("response")


def status_body(date: dt.date, **extra) -> dict:
    body = {"kodepoli": "INT", "kodedokter": 12345, "tanggalperiksa": date.isoformat(), "jampraktek": "08:00-12:00"}
    body.update(extra)
    return body


# --- token ---------------------------------------------------------------------------------


def test_token_is_given_for_the_right_user_and_password(client, bridge):
    response = client.get("/wsrs/auth", headers={"x-username": WS_USER, "x-password": WS_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"] == {"message": "Ok", "code": 200}
    assert isinstance(body["response"]["token"], str) and len(body["response"]["token"]) > 40


@pytest.mark.parametrize(
    "headers",
    [
        {"x-username": WS_USER, "x-password": "salah"},
        {"x-username": "rs-lain", "x-password": WS_PASSWORD},
        {"x-username": WS_USER},
        {},
    ],
)
def test_token_is_refused_for_wrong_or_missing_credentials(client, bridge, headers):
    message = refused(client.get("/wsrs/auth", headers=headers))
    assert message == "Username atau password salah."
    assert "token" not in client.get("/wsrs/auth", headers=headers).json().get("response", {})


def test_token_must_be_asked_with_get(client, bridge):
    refused(client.post("/wsrs/auth", headers={"x-username": WS_USER, "x-password": WS_PASSWORD}), "GET")


def test_token_is_refused_while_the_bridge_is_disabled(client, bridge):
    AntreanBridge.objects.filter(pk=bridge.pk).update(enabled=False)
    refused(client.get("/wsrs/auth", headers={"x-username": WS_USER, "x-password": WS_PASSWORD}))


@override_settings(ANTREAN_WS_LOGIN_FAILURES=3)
def test_failed_token_requests_are_throttled_even_with_the_right_password_afterwards(client, bridge):
    for _i in range(3):
        refused(client.get("/wsrs/auth", headers={"x-username": WS_USER, "x-password": "tebakan"}), "salah")
    refused(client.get("/wsrs/auth", headers={"x-username": WS_USER, "x-password": WS_PASSWORD}), "Terlalu banyak")
    # Another address (another BPJS server) is not locked out by this one's failures.
    ok = client.get("/wsrs/auth", headers={"x-username": WS_USER, "x-password": WS_PASSWORD}, REMOTE_ADDR="10.9.8.7")
    assert ok.json()["metadata"]["code"] == 200


def test_calls_without_a_token_or_with_a_forged_one_are_refused(ws, exam_day):
    refused(ws.post("statusantrean", status_body(exam_day), token=""), "Token")
    refused(ws.post("statusantrean", status_body(exam_day), token=ws.token[:-2] + "xx"), "Token")


def test_a_token_is_refused_with_another_user_name(ws, exam_day):
    refused(ws.post("statusantrean", status_body(exam_day), username="rs-lain"), "Token")


def test_a_token_expires(ws, exam_day, time_machine):
    accepted(ws.post("statusantrean", status_body(exam_day)))
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=3601))
    refused(ws.post("statusantrean", status_body(exam_day)), "kedaluwarsa")


def test_a_new_ws_password_ends_the_tokens_given_before(ws, bridge, exam_day):
    bridge.set_ws_password("kata-sandi-baru-2026")
    bridge.save()
    refused(ws.post("statusantrean", status_body(exam_day)), "Token")


def test_tokens_are_signed_with_the_secret_from_the_environment(ws, exam_day):
    with override_settings(ANTREAN_WS_TOKEN_SECRET="another-secret-set-in-the-environment-0123456789"):
        refused(ws.post("statusantrean", status_body(exam_day)), "Token")
    accepted(ws.post("statusantrean", status_body(exam_day)))


def test_a_disabled_bridge_refuses_tokens_given_before(ws, bridge, exam_day):
    AntreanBridge.objects.filter(pk=bridge.pk).update(enabled=False)
    refused(ws.post("statusantrean", status_body(exam_day)), "Token")


# --- the envelope never breaks ----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', b"\xff\xfe", '{"kodepoli": {"x": 1}}'])
def test_malformed_bodies_are_refused_with_a_message_not_a_500(ws, raw):
    refused(ws.post("statusantrean", raw))


def test_posts_only(ws, client):
    response = client.get("/wsrs/statusantrean", headers={"x-token": ws.token, "x-username": WS_USER})
    refused(response, "POST")


def test_a_trailing_slash_reaches_the_same_endpoint(ws, exam_day):
    accepted(ws.post("statusantrean/", status_body(exam_day)))


# --- Status Antrean --------------------------------------------------------------------------------


def test_status_answers_the_reference_fields(ws, exam_day):
    answer = accepted(ws.post("statusantrean", status_body(exam_day)))
    assert set(answer) == STATUS_FIELDS
    assert answer["namapoli"] == "Poli Penyakit Dalam" and answer["namadokter"] == "dr. Andi, Sp.PD"
    assert (answer["kuotajkn"], answer["sisakuotajkn"]) == (4, 4)
    assert (answer["kuotanonjkn"], answer["sisakuotanonjkn"]) == (16, 16)  # the rest of the 20 places
    assert (answer["totalantrean"], answer["sisaantrean"]) == (0, 0)


def test_status_counts_portal_and_mobile_jkn_bookings(ws, exam_day, jkn_patient, patient, umum, book, jkn_schedules):
    accepted(ws.post("ambilantrean", ambil_body(exam_day)))
    book(make_member(patient), jkn_schedules[exam_day.weekday()], exam_day, guarantor=umum)
    answer = accepted(ws.post("statusantrean", status_body(exam_day)))
    assert (answer["totalantrean"], answer["sisaantrean"]) == (2, 2)
    assert (answer["sisakuotajkn"], answer["sisakuotanonjkn"]) == (3, 15)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"tanggalperiksa": "01-12-2026"}, "yyyy-mm-dd"),
        ({"tanggalperiksa": "2026-02-30"}, "yyyy-mm-dd"),
        ({"jampraktek": "08:00:00-12:00:00"}, "HH:MM-HH:MM"),
        ({"jampraktek": "12:00-08:00"}, "jampraktek"),
        ({"kodedokter": "dr-andi"}, "kodedokter"),
        ({"kodepoli": ""}, "kodepoli wajib diisi"),
        ({"kodepoli": "MATA"}, "MATA"),
        ({"kodedokter": 99999}, "Dokter tidak praktik"),
        ({"jampraktek": "13:00-16:00"}, "13:00-16:00"),
    ],
)
def test_status_refuses_bad_fields_with_a_message(ws, exam_day, change, fragment):
    refused(ws.post("statusantrean", status_body(exam_day, **change)), fragment)


def test_status_refuses_a_past_date(ws):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    refused(ws.post("statusantrean", status_body(yesterday)), "lewat")


def test_status_finds_a_clinic_by_its_subspecialty_code(ws, exam_day, jkn_schedules):
    clinic = jkn_schedules[0].clinic
    clinic.bpjs_subspecialty_code = "026"
    clinic.save()
    accepted(ws.post("statusantrean", status_body(exam_day, kodepoli="026")))
    refused(ws.post("statusantrean", status_body(exam_day, kodepoli="INT")))  # the sub-specialty code wins


# --- Ambil Antrean ---------------------------------------------------------------------------------


def test_ambil_books_through_the_shared_core_and_answers_the_reference_fields(ws, exam_day, jkn_patient, bridge):
    answer = accepted(ws.post("ambilantrean", ambil_body(exam_day)))
    assert set(answer) == AMBIL_FIELDS
    booking = Booking.objects.get(code=answer["kodebooking"])
    assert booking.patient == jkn_patient and booking.channel == BookingChannel.MOBILE_JKN
    assert booking.status == BookingStatus.VERIFIED and booking.bpjs_visit_kind == "1"
    assert (booking.card_number, booking.referral_number) == (CARD, REFERRAL)
    assert booking.guarantor.is_bpjs_kesehatan
    assert (answer["nomorantrean"], answer["angkaantrean"]) == (booking.label, 1) and answer["norm"] == "00012345"
    start = bridge.facility.make_aware(dt.datetime.combine(exam_day, dt.time(8)))
    assert answer["estimasidilayani"] == int(start.timestamp() * 1000)
    assert (answer["kuotajkn"], answer["sisakuotajkn"]) == (4, 3)
    row = DayQuota.objects.get(date=exam_day)
    assert (row.active_count, row.jkn_count, row.last_number) == (1, 1, 1)
    assert booking.events.get().actor.email.endswith("@mobile-jkn.invalid")


def test_ambil_shares_the_numbering_with_the_portal(ws, exam_day, jkn_patient, patient, umum, book, jkn_schedules):
    first = book(make_member(patient), jkn_schedules[exam_day.weekday()], exam_day, guarantor=umum)
    answer = accepted(ws.post("ambilantrean", ambil_body(exam_day)))
    assert answer["angkaantrean"] == first.number + 1


@pytest.mark.parametrize("lookup", [{"nomorkartu": CARD, "nik": "3302011203700001"}, {"norm": "12345"}])
def test_ambil_finds_the_patient_by_card_nik_or_mrn(ws, exam_day, jkn_patient, lookup):
    body = ambil_body(exam_day, **lookup)
    if "norm" in lookup:  # by MRN alone: a NIK the hospital has not stored, no card (non-JKN)
        body.update(nomorkartu="", nomorreferensi="", nik="3302011203700002")
        Patient.objects.filter(pk=jkn_patient.pk).update(nik_index=None)
    booking = Booking.objects.get(code=accepted(ws.post("ambilantrean", body))["kodebooking"])
    assert booking.patient_id == jkn_patient.pk


def test_ambil_for_an_unknown_patient_answers_202(ws, exam_day):
    response = ws.post("ambilantrean", ambil_body(exam_day))
    body = response.json()
    assert response.status_code == 202 and body["metadata"]["code"] == 202 and body["metadata"]["message"]
    assert not Booking.objects.exists()


def test_ambil_refuses_a_second_booking_the_same_day_on_any_channel(
    ws, exam_day, jkn_patient, patient, umum, book, jkn_schedules
):
    accepted(ws.post("ambilantrean", ambil_body(exam_day)))
    refused(ws.post("ambilantrean", ambil_body(exam_day)), "sudah")
    assert Booking.objects.count() == 1


def test_ambil_refuses_when_the_portal_already_booked_the_patient(ws, exam_day, patient, umum, book, jkn_schedules):
    member = make_member(patient, "Budi Santoso", bpjs_number=CARD)
    book(member, jkn_schedules[exam_day.weekday()], exam_day, guarantor=umum)
    refused(ws.post("ambilantrean", ambil_body(exam_day, nik=member.nik)), "sudah")
    assert Booking.objects.count() == 1


def test_ambil_refuses_once_the_mobile_jkn_share_is_taken(ws, exam_day, jkn_schedules):
    for i in range(4):
        nik = f"33020112037000{i + 10:02d}"
        Patient.objects.create(full_name=f"P {i}", sex="L", birth_date=dt.date(1970, 3, 12), nik=nik)
        accepted(ws.post("ambilantrean", ambil_body(exam_day, nomorkartu="", nomorreferensi="", nik=nik)))
    Patient.objects.create(full_name="P 5", sex="L", birth_date=dt.date(1970, 3, 12), nik="3302011203700099")
    refused(ws.post("ambilantrean", ambil_body(exam_day, nomorkartu="", nomorreferensi="", nik="3302011203700099")))
    row = DayQuota.objects.get(date=exam_day)
    assert (row.jkn_count, row.active_count) == (4, 4)  # the portal's six online places are untouched


def test_ambil_refuses_a_date_outside_the_booking_window(ws, jkn_patient):
    refused(ws.post("ambilantrean", ambil_body(timezone.localdate() + dt.timedelta(days=30))))


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"nomorkartu": "12345"}, "nomorkartu"),
        ({"nik": "123"}, "nik"),
        ({"nik": ""}, "nik wajib diisi"),
        ({"nohp": "12"}, "nohp"),
        ({"jeniskunjungan": 5}, "jeniskunjungan"),
        ({"nomorreferensi": ""}, "nomorreferensi"),
        ({"norm": "RM-12"}, "norm"),
    ],
)
def test_ambil_refuses_bad_fields(ws, exam_day, jkn_patient, change, fragment):
    refused(ws.post("ambilantrean", ambil_body(exam_day, **change)), fragment)
    assert not Booking.objects.exists()


def test_ambil_on_a_closed_day_is_refused(ws, exam_day, jkn_patient, jkn_schedules):
    from queueing import services
    from queueing.models import ExceptionScope, ScheduleException

    services.exception_create(
        exception=ScheduleException(
            date=exam_day, scope=ExceptionScope.CLINIC, clinic=jkn_schedules[0].clinic, reason="Cuti"
        )
    )
    refused(ws.post("ambilantrean", ambil_body(exam_day)))


# --- Sisa Antrean ---------------------------------------------------------------------------------


def test_sisa_answers_the_reference_fields(ws, exam_day, jkn_patient, patient, umum, book, jkn_schedules):
    book(make_member(patient), jkn_schedules[exam_day.weekday()], exam_day, guarantor=umum)
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    answer = accepted(ws.post("sisaantrean", {"kodebooking": code}))
    assert set(answer) == SISA_FIELDS
    assert answer["sisaantrean"] == 1 and answer["waktutunggu"] == 600  # one patient ahead, 10 minutes each


def test_sisa_refuses_an_unknown_or_cancelled_booking(ws, exam_day, jkn_patient):
    refused(ws.post("sisaantrean", {"kodebooking": "NOPE1234"}), "NOPE1234")
    refused(ws.post("sisaantrean", {}), "kodebooking wajib diisi")
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    accepted(ws.post("batalantrean", {"kodebooking": code, "keterangan": "Sembuh"}))
    refused(ws.post("sisaantrean", {"kodebooking": code}))


def test_a_booking_of_another_facility_is_not_found(ws, exam_day, jkn_patient):
    from facilities.models import Facility

    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    other = Facility.objects.create(name="RSUD Cilacap")
    second = AntreanBridge(facility=other, enabled=True, ws_username="rsud-cilacap")
    second.set_ws_password("cilacap-pass-2026")
    second.save()
    token = ws.post  # the same client, another facility's token
    from django.test import Client

    other_client = Client()
    other_token = other_client.get(
        "/wsrs/auth", headers={"x-username": "rsud-cilacap", "x-password": "cilacap-pass-2026"}
    ).json()["response"]["token"]
    assert token
    response = other_client.post(
        "/wsrs/sisaantrean",
        {"kodebooking": code},
        content_type="application/json",
        headers={"x-token": other_token, "x-username": "rsud-cilacap"},
    )
    refused(response, code)


# --- Batal Antrean -------------------------------------------------------------------------------------


def test_batal_cancels_by_the_portal_rules_and_gives_the_jkn_place_back(ws, exam_day, jkn_patient):
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    assert accepted(ws.post("batalantrean", {"kodebooking": code, "keterangan": "Sudah sembuh"})) is None
    booking = Booking.objects.get(code=code)
    assert booking.status == BookingStatus.CANCELLED
    assert "Sudah sembuh" in booking.events.last().reason
    row = DayQuota.objects.get(date=exam_day)
    assert (row.active_count, row.jkn_count, row.last_number) == (0, 0, 1)
    refused(ws.post("batalantrean", {"kodebooking": code, "keterangan": "lagi"}))  # already cancelled
    # The place is free again for the next Mobile JKN patient: the day can book anew.
    accepted(ws.post("ambilantrean", ambil_body(exam_day)))


def test_batal_refuses_after_the_cancel_cut_off(ws, exam_day, jkn_patient, time_machine, bridge):
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    time_machine.move_to(bridge.facility.make_aware(dt.datetime.combine(exam_day, dt.time(7, 30))))
    token = ws.__class__().token  # the old token has expired meanwhile
    refused(ws.post("batalantrean", {"kodebooking": code, "keterangan": "Batal"}, token=token), "jam")


def test_batal_needs_a_reason(ws, exam_day, jkn_patient):
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    refused(ws.post("batalantrean", {"kodebooking": code}), "keterangan")


# --- Check-in ------------------------------------------------------------------------------------------


def _on_exam_day(ws, time_machine, bridge, exam_day, hhmm: str = "07:45"):
    moment = bridge.facility.make_aware(dt.datetime.combine(exam_day, dt.time.fromisoformat(hhmm)))
    time_machine.move_to(moment)
    return ws.__class__().token, int(moment.timestamp() * 1000)


def test_checkin_checks_the_booking_in_on_the_day(ws, exam_day, jkn_patient, time_machine, bridge):
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    token, millis = _on_exam_day(ws, time_machine, bridge, exam_day)
    assert accepted(ws.post("checkinantrean", {"kodebooking": code, "waktu": millis - 60_000}, token=token)) is None
    booking = Booking.objects.get(code=code)
    assert booking.status == BookingStatus.CHECKED_IN
    # The arrival task is recorded at the time Mobile JKN sent (3: he has a record here; 1 for a new patient).
    [(task, at_ms)] = booking.task_times.values_list("task_id", "at_ms")
    assert task in (1, 3) and at_ms == millis - 60_000
    refused(ws.post("checkinantrean", {"kodebooking": code, "waktu": millis}, token=token), "check-in")


def test_checkin_before_the_exam_day_is_refused(ws, exam_day, jkn_patient):
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    now = int(timezone.now().timestamp() * 1000)
    refused(ws.post("checkinantrean", {"kodebooking": code, "waktu": now}))
    assert Booking.objects.get(code=code).status == BookingStatus.VERIFIED


def test_checkin_after_the_practice_ended_is_refused(ws, exam_day, jkn_patient, time_machine, bridge):
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    token, millis = _on_exam_day(ws, time_machine, bridge, exam_day, "12:30")
    refused(ws.post("checkinantrean", {"kodebooking": code, "waktu": millis}, token=token), "berakhir")


@pytest.mark.parametrize("waktu", ["kemarin", "", "12"])
def test_checkin_refuses_a_bad_time(ws, exam_day, jkn_patient, waktu):
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    refused(ws.post("checkinantrean", {"kodebooking": code, "waktu": waktu}), "waktu")


# --- Info Pasien Baru -----------------------------------------------------------------------------------

NEW_PATIENT = {
    "nomorkartu": "0009876543210",
    "nik": "3302015508950003",
    "nomorkk": "3302010101200001",
    "nama": "Siti Aminah",
    "jeniskelamin": "P",
    "tanggallahir": "1995-08-15",
    "nohp": "085712345678",
    "alamat": "Jl. Kenanga 3",
    "kodeprop": "33",
    "namaprop": "Jawa Tengah",
    "kodedati2": "3302",
    "namadati2": "Kab. Banyumas",
    "kodekec": "330201",
    "namakec": "Lumbir",
    "kodekel": "3302012001",
    "namakel": "Cingebul",
    "rw": "2",
    "rt": "4",
}


def test_pasien_baru_registers_the_patient_and_returns_the_mrn_then_ambil_books(ws, exam_day):
    response = ws.post("pasienbaru", NEW_PATIENT)
    answer = accepted(response)
    assert set(answer) == {"norm"} and answer["norm"]
    patient = Patient.objects.get(nik=NEW_PATIENT["nik"])
    assert patient.mrn == answer["norm"]
    assert (patient.full_name, patient.sex, patient.bpjs_number, patient.kk_number) == (
        "Siti Aminah",
        "P",
        "0009876543210",
        "3302010101200001",
    )
    assert (patient.address_rt, patient.address_rw, patient.phone) == ("004", "002", "+6285712345678")
    assert not patient.nik_mismatch
    # Mobile JKN's next Ambil finds her by card.
    body = ambil_body(exam_day, nomorkartu=NEW_PATIENT["nomorkartu"], nik=NEW_PATIENT["nik"])
    assert Booking.objects.get(code=accepted(ws.post("ambilantrean", body))["kodebooking"]).patient == patient


def test_pasien_baru_sent_twice_gives_the_same_record(ws):
    first = accepted(ws.post("pasienbaru", NEW_PATIENT))["norm"]
    assert accepted(ws.post("pasienbaru", NEW_PATIENT))["norm"] == first
    assert Patient.objects.count() == 1


def test_pasien_baru_refuses_a_card_of_someone_else(ws, jkn_patient):
    refused(ws.post("pasienbaru", {**NEW_PATIENT, "nomorkartu": CARD}))
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("nik", "1234567890123456", "nik"),
        ("nomorkk", "12", "nomorkk"),
        ("nomorkartu", "000", "nomorkartu"),
        ("jeniskelamin", "X", "jeniskelamin"),
        ("tanggallahir", "2099-01-01", "tanggallahir"),
        ("tanggallahir", "15-08-1995", "yyyy-mm-dd"),
        ("rt", "abc", "rt"),
        ("nama", "", "nama wajib diisi"),
        ("kodekel", "", "kodekel wajib diisi"),
    ],
)
def test_pasien_baru_checks_every_field(ws, field, value, fragment):
    refused(ws.post("pasienbaru", {**NEW_PATIENT, field: value}), fragment)
    assert not Patient.objects.exists()


# --- Jadwal Operasi ---------------------------------------------------------------------------------------


def test_jadwal_operasi_rs_answers_an_honest_empty_list(ws, exam_day):
    body = {"tanggalawal": exam_day.isoformat(), "tanggalakhir": exam_day.isoformat()}
    assert accepted(ws.post("jadwaloperasirs", body)) == {"list": []}
    refused(ws.post("jadwaloperasirs", {"tanggalawal": exam_day.isoformat(), "tanggalakhir": "2020-01-01"}))
    refused(ws.post("jadwaloperasirs", {"tanggalawal": "kemarin", "tanggalakhir": exam_day.isoformat()}), "yyyy-mm-dd")


def test_jadwal_operasi_pasien_answers_an_honest_empty_list(ws):
    assert accepted(ws.post("jadwaloperasipasien", {"nopeserta": CARD})) == {"list": []}
    refused(ws.post("jadwaloperasipasien", {"nopeserta": "12"}), "nopeserta")


# --- medical record numbers are per facility -------------------------------------------------------


def test_ambil_by_mrn_looks_at_this_facilitys_records_only(ws, exam_day, jkn_patient):
    from facilities.models import Facility
    from families.services import patient_record_attach

    other = Facility.objects.create(name="RSUD Cilacap")
    stranger = Patient.objects.create(full_name="Orang Lain", sex="L", birth_date=dt.date(1980, 1, 1))
    patient_record_attach(patient=stranger, facility=other, mrn="00054321")
    body = ambil_body(exam_day, nomorkartu="", nomorreferensi="", nik="3302011203700002", norm="54321")
    assert ws.post("ambilantrean", body).json()["metadata"]["code"] == 202  # 00054321 is Cilacap's, not ours


def test_pasien_baru_for_someone_known_at_another_facility_gives_a_record_here(ws, bridge):
    from facilities.models import Facility
    from families.services import patient_record_attach

    other = Facility.objects.create(name="RSUD Cilacap")
    siti = Patient.objects.create(
        full_name="Siti Aminah",
        sex="P",
        birth_date=dt.date(1995, 8, 15),
        nik=NEW_PATIENT["nik"],
        bpjs_number=NEW_PATIENT["nomorkartu"],
    )
    patient_record_attach(patient=siti, facility=other, mrn="00000077")
    norm = accepted(ws.post("pasienbaru", NEW_PATIENT))["norm"]
    assert norm == siti.mrn_at(bridge.facility_id) and norm != "00000077"
    assert Patient.objects.count() == 1


def test_a_json_body_sent_as_form_urlencoded_is_read(ws, client, exam_day):
    """SSECD and mLITE send Content-Type application/x-www-form-urlencoded "as the TrustMark doc says"."""
    import json

    response = client.post(
        "/wsrs/statusantrean",
        json.dumps(status_body(exam_day)),
        content_type="Application/x-www-form-urlencoded",
        headers={"x-token": ws.token, "x-username": WS_USER},
    )
    assert accepted(response)["namapoli"] == "Poli Penyakit Dalam"


def test_the_demo_hospital_answers_mobile_jkn_out_of_the_box(client, guarantor_types):
    import importlib

    from accounts.management.commands.loaddemo import DEMO_MODULES
    from queueing.demo import DEMO_WS_PASSWORD, DEMO_WS_USERNAME

    for module in DEMO_MODULES:
        importlib.import_module(module).load()
    token = client.get("/wsrs/auth", headers={"x-username": DEMO_WS_USERNAME, "x-password": DEMO_WS_PASSWORD})
    token = token.json()["response"]["token"]
    monday = timezone.localdate() + dt.timedelta(days=(7 - timezone.localdate().weekday()) % 7 or 7)
    body = {"kodepoli": "INT", "kodedokter": 31007, "tanggalperiksa": monday.isoformat(), "jampraktek": "08:00-13:00"}
    response = client.post(
        "/wsrs/statusantrean",
        body,
        content_type="application/json",
        headers={"x-token": token, "x-username": DEMO_WS_USERNAME},
    )
    answer = accepted(response)
    assert answer["namadokter"] == "dr. Bambang Wijaya, Sp.PD" and answer["kuotajkn"] == 25 // 3


def test_status_and_sisa_follow_the_clinic_calls(ws, exam_day, jkn_patient, patient, umum, book, jkn_schedules):
    from queueing.task_times import task_record

    first = book(make_member(patient), jkn_schedules[exam_day.weekday()], exam_day, guarantor=umum)
    code = accepted(ws.post("ambilantrean", ambil_body(exam_day)))["kodebooking"]
    assert accepted(ws.post("statusantrean", status_body(exam_day)))["antreanpanggil"] == "-"
    task_record(booking=first, task_id=3)
    task_record(booking=first, task_id=4)  # the clinic calls the first patient
    status = accepted(ws.post("statusantrean", status_body(exam_day)))
    assert (status["antreanpanggil"], status["sisaantrean"]) == (first.label, 2)
    assert accepted(ws.post("sisaantrean", {"kodebooking": code}))["sisaantrean"] == 1
    task_record(booking=first, task_id=5)  # done with the first: the remaining queue drops
    assert accepted(ws.post("statusantrean", status_body(exam_day)))["sisaantrean"] == 1
    answer = accepted(ws.post("sisaantrean", {"kodebooking": code}))
    assert (answer["sisaantrean"], answer["waktutunggu"]) == (0, 0)


def test_mobile_jkn_bookings_send_no_message_to_the_mobile_jkn_account(ws, exam_day, jkn_patient, bridge):
    from notifications.models import Message
    from queueing import reminders

    accepted(ws.post("ambilantrean", ambil_body(exam_day)))
    evening = bridge.facility.make_aware(dt.datetime.combine(exam_day - dt.timedelta(days=1), dt.time(19)))
    assert reminders.reminders_queue(evening) == 0
    assert not Message.objects.exists()
