"""Booking under every seed-004 guarantor: BPJS checks against the real simulator over loopback,
outages that never block a booking, the JPKMKT-to-BPJS rule, document lists and letters.

No function is patched: the VClaim client talks HTTP to guarantors' simulator, which counts
the requests it gets.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import PASSWORD, make_account
from families.models import AccountPatient, Patient, PatientAccessLog
from guarantors import simulator
from guarantors.catalogue import SEED_004_V1, ensure_types
from guarantors.models import ClinicDocumentRule, GuarantorType
from portal.tests.hostile_files import (
    PDF_ACTIVE_MARKERS,
    gps_jpeg,
    hostile_pdfs,
    pdf_all_text,
    plain_pdf,
    polyglot_jpeg,
)
from queueing.desk.services import CLERK_GROUP
from queueing.models import Booking, BookingDocument, BookingSettings, Schedule
from queueing.tests.conftest import make_member, make_schedule

CARD_BUDI = "0001234567890"
REFERRAL_VALID = "0902P0010000Y000001"  # Budi's, poli INT, 10 days old
REFERRAL_EXPIRED = "0902P0010000Y000002"  # Budi's, poli INT, 120 days old
REFERRAL_OTHER_CLINIC = "0902P0010000Y000003"  # Budi's, poli MAT
SLOW_SECONDS, TIMEOUT = 4.0, 2.0  # BPJS_TIMEOUT is a total deadline: room for a loaded machine


# --- the simulator and the people it knows -----------------------------------------------------------


@pytest.fixture(scope="module")
def sim() -> Iterator[simulator.SimulatorServer]:
    server = simulator.start_simulator(slow_seconds=SLOW_SECONDS)
    yield server
    server.stop()


@pytest.fixture
def bpjs_live(settings, sim) -> Iterator[simulator.SimulatorServer]:
    """Settings aimed at the simulator, an empty cache and a fresh request count."""
    settings.BPJS_VCLAIM_URL = sim.url
    settings.BPJS_CONS_ID, settings.BPJS_SECRET = simulator.DEMO_CONS_ID, simulator.DEMO_SECRET
    settings.BPJS_USER_KEY = simulator.DEMO_USER_KEY
    settings.BPJS_TIMEOUT, settings.BPJS_CACHE_SECONDS = TIMEOUT, 300
    cache.clear()
    sim.reset_requests()
    yield sim
    cache.clear()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Letters go to this test's own private folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def types(guarantor_types) -> dict[str, GuarantorType]:
    return guarantor_types


@pytest.fixture
def dalam(db, tomorrow) -> Schedule:
    """The internal medicine clinic (BPJS poli INT), where Budi's referral sends him."""
    schedule = next(s for s in make_schedule("DALAM", "dr. Bambang, Sp.PD") if s.weekday == tomorrow.weekday())
    schedule.clinic.bpjs_code = "INT"
    schedule.clinic.save()
    return schedule


def budi(account, **extra) -> Patient:
    """The simulator's demo participant: active card, referrals to internal medicine."""
    fields = dict(
        sex="L", birth_date=dt.date(1985, 4, 12), nik="3302011204850001", bpjs_number=CARD_BUDI, relationship="spouse"
    )
    return make_member(account, "Budi Santoso", **{**fields, **extra})


@pytest.fixture
def budi_member(patient) -> Patient:
    return budi(patient)


# --- walking the wizard --------------------------------------------------------------------------


def follow(response) -> str:
    assert response.status_code == 302, response.content[:800]
    return response["Location"]


def to_guarantor_step(client, member: Patient, date: dt.date) -> str:
    url = follow(client.get(reverse("queueing:booking_start")))
    url = follow(client.post(url, {"patient": member.pk}))
    url = follow(client.post(url, {"date": date.isoformat()}))
    assert url.endswith("/penjamin/")
    return url


def from_clinic_to_confirm(client, url: str, schedule: Schedule) -> str:
    url = follow(client.post(url, {"clinic": schedule.clinic_id}))
    url = follow(client.post(url, {"schedule": schedule.pk}))
    assert url.endswith("/konfirmasi/"), url
    return url


def walk(client, member, date, schedule, code: str, **fields) -> str:
    url = to_guarantor_step(client, member, date)
    url = follow(client.post(url, {"guarantor_type": code, **fields}))
    return from_clinic_to_confirm(client, url, schedule)


def confirm(client, url: str, **extra):
    token = re.search(r"/ambil/([0-9a-f]{32})/", url).group(1)
    return client.post(url, {"token": token, **extra})


def field_codes(form, name: str) -> set[str]:
    return {e.code for e in form.errors.as_data().get(name, [])}


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name: str = "surat budi.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


# --- every seed-004 type ---------------------------------------------------------------------------

SEED_CODES = [row["code"] for row in SEED_004_V1]
TYPED = {
    "bpjs-kesehatan": {"card_number": CARD_BUDI, "referral_number": REFERRAL_VALID},
    "asuransi": {"card_number": "POL-2026/0042"},
}


@pytest.mark.parametrize("code", SEED_CODES)
def test_a_patient_can_book_under_every_seed_004_guarantor_with_its_documents(
    patient_client, patient, member, types, dalam, tomorrow, bpjs_live, code
):
    # Budi (an active BPJS card) for BPJS Kesehatan; Sari (no BPJS card known to BPJS) for the rest.
    person = budi(patient) if code == "bpjs-kesehatan" else member
    gtype = types[code]
    step = patient_client.get(to_guarantor_step(patient_client, person, tomorrow))
    page = step.content.decode()
    assert code in step.context["type_meta"] and f'value="{code}"' in page
    assert all(doc in page for doc in gtype.required_documents)  # the list, while choosing
    assert gtype.description in page
    url = follow(patient_client.post(step.wsgi_request.path, {"guarantor_type": code, **TYPED.get(code, {})}))
    url = from_clinic_to_confirm(patient_client, url, dalam)
    confirm_page = patient_client.get(url)
    assert confirm_page.context["documents"] == gtype.required_documents
    assert all(doc in confirm_page.content.decode() for doc in gtype.required_documents)
    assert confirm_page.context["letter_needed"] is gtype.needs_letter_upload
    follow(confirm(patient_client, url))
    booking = Booking.objects.get()
    assert (booking.guarantor.code, booking.number) == (code, 1)
    assert booking.card_number == TYPED.get(code, {}).get("card_number", "")
    assert booking.guarantor_verified is (code == "bpjs-kesehatan")


def test_types_without_a_card_ignore_a_typed_number_whatever_their_code(patient_client, member, types, dalam, tomorrow):
    url = to_guarantor_step(patient_client, member, tomorrow)
    meta = patient_client.get(url).context["type_meta"]
    assert meta["bpjs-tk-jalan"]["card"] is False and meta["bpjs-tk-tempat-kerja"]["card"] is False
    assert meta["bpjs-kesehatan"] == {
        "card": True,
        "referral": True,
        "bpjs": True,
        "card_label": "Nomor kartu BPJS Kesehatan",
    }
    # BPJS Ketenagakerjaan: its code starts with "bpjs", but it needs no card: nothing is checked or kept.
    url = follow(
        patient_client.post(url, {"guarantor_type": "bpjs-tk-jalan", "card_number": "12", "referral_number": "x"})
    )
    follow(confirm(patient_client, from_clinic_to_confirm(patient_client, url, dalam)))
    assert Booking.objects.values_list("card_number", "referral_number").get() == ("", "")


def test_insurance_asks_for_its_own_card_number(patient_client, member, types, dalam, tomorrow):
    url = to_guarantor_step(patient_client, member, tomorrow)
    response = patient_client.post(url, {"guarantor_type": "asuransi", "card_number": ""})
    assert field_codes(response.context["form"], "card_number") == {"card_required"}
    response = patient_client.post(url, {"guarantor_type": "asuransi", "card_number": "polis 42!"})
    assert field_codes(response.context["form"], "card_number") == {"card_format"}


def test_the_bpjs_card_is_prefilled_from_the_member(patient_client, budi_member, types, dalam, tomorrow):
    form = patient_client.get(to_guarantor_step(patient_client, budi_member, tomorrow)).context["form"]
    assert form["card_number"].value() == CARD_BUDI


# --- BPJS Kesehatan: verified, and each refusal under its field -----------------------------------


def test_bpjs_booking_is_verified_and_the_answer_is_stored(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    url = walk(
        patient_client,
        budi_member,
        tomorrow,
        dalam,
        "bpjs-kesehatan",
        card_number=CARD_BUDI,
        referral_number=REFERRAL_VALID,
    )
    page = patient_client.get(url).content.decode()
    assert 'id="bpjs-result"' in page and "BUDI SANTOSO" in page
    result = follow(confirm(patient_client, url))
    booking = Booking.objects.get()
    check = booking.guarantor_check
    assert booking.guarantor_verified and check["status"] == "verified"
    assert check["summary"]["participant"]["name"] == "BUDI SANTOSO"
    assert check["summary"]["referral"]["clinic_bpjs_code"] == "INT" and check["summary"]["referral"]["poli_checked"]
    assert (booking.card_number, booking.referral_number) == (CARD_BUDI, REFERRAL_VALID)
    detail = patient_client.get(result).content.decode()
    assert 'id="guarantor-unverified"' not in detail and "diperiksa dengan BPJS" in detail


@pytest.mark.parametrize(
    "person, card, referral, field, codes",
    [
        (
            dict(full_name="Andi Pratama", birth_date=dt.date(1990, 1, 15), nik="3302011501900003"),
            "0002000000011",
            "0902P0010000Y000006",
            "card_number",
            {"participant_inactive"},
        ),
        (
            dict(full_name="Sari Wulandari", birth_date=dt.date(1990, 5, 17)),
            CARD_BUDI,
            REFERRAL_VALID,
            "card_number",
            {"name_mismatch", "birth_date_mismatch"},
        ),
        (
            dict(full_name="Budi Santoso", birth_date=dt.date(1985, 4, 12)),
            CARD_BUDI,
            REFERRAL_EXPIRED,
            "referral_number",
            {"referral_expired"},
        ),
        (
            dict(full_name="Budi Santoso", birth_date=dt.date(1985, 4, 12)),
            CARD_BUDI,
            "0902P0010000Y000005",
            "referral_number",
            {"referral_other_participant"},
        ),
    ],
    ids=["inactive", "name-mismatch", "expired-referral", "someone-elses-referral"],
)
def test_bpjs_refusal_shows_under_its_field_and_keeps_what_was_typed(
    patient_client, patient, types, dalam, tomorrow, bpjs_live, person, card, referral, field, codes
):
    member = make_member(patient, **person)
    url = to_guarantor_step(patient_client, member, tomorrow)
    response = patient_client.post(
        url, {"guarantor_type": "bpjs-kesehatan", "card_number": card, "referral_number": referral}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field_codes(form, field) == codes
    assert set(form.errors) == {field}
    page = response.content.decode()
    assert f'id="error_1_id_{field}"' in page
    assert (form["card_number"].value(), form["referral_number"].value()) == (card, referral)
    assert f'value="{card}"' in page and f'value="{referral}"' in page
    assert Booking.objects.count() == 0


def test_referral_for_another_clinic_sends_the_person_back_to_the_guarantor_step(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    url = to_guarantor_step(patient_client, budi_member, tomorrow)
    url = follow(
        patient_client.post(
            url,
            {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": REFERRAL_OTHER_CLINIC},
        )
    )
    assert url.endswith("/poli/")  # without a clinic the referral's clinic cannot be compared yet
    url = follow(patient_client.post(url, {"clinic": dalam.clinic_id}))
    back = follow(patient_client.post(url, {"schedule": dalam.pk}))
    assert back.endswith("/penjamin/")
    response = patient_client.get(back)
    form = response.context["form"]
    assert field_codes(form, "referral_number") == {"referral_other_clinic"}
    assert (form["card_number"].value(), form["referral_number"].value()) == (CARD_BUDI, REFERRAL_OTHER_CLINIC)
    page = response.content.decode()
    assert 'id="error_1_id_referral_number"' in page and "MATA" in page
    assert dalam.clinic.name in page  # the clinic and doctor chosen are kept
    # With the right referral the person goes straight back to the confirm page.
    url = follow(
        patient_client.post(
            back, {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": REFERRAL_VALID}
        )
    )
    assert url.endswith("/konfirmasi/")
    follow(confirm(patient_client, url))
    assert Booking.objects.get().guarantor_verified


def test_the_confirm_page_refuses_a_referral_for_another_clinic_chosen_later(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    """The person changes the clinic from the confirm page: the referral is compared again."""
    mata = next(s for s in make_schedule("MATA", "dr. Agus, Sp.M") if s.weekday == tomorrow.weekday())
    mata.clinic.bpjs_code = "MAT"
    mata.clinic.save()
    url = walk(
        patient_client,
        budi_member,
        tomorrow,
        mata,
        "bpjs-kesehatan",
        card_number=CARD_BUDI,
        referral_number=REFERRAL_OTHER_CLINIC,
    )
    assert patient_client.get(url).status_code == 200
    url = follow(patient_client.post(url.replace("/konfirmasi/", "/poli/"), {"clinic": dalam.clinic_id}))
    back = follow(patient_client.post(url, {"schedule": dalam.pk}))
    assert back.endswith("/penjamin/")
    assert field_codes(patient_client.get(back).context["form"], "referral_number") == {"referral_other_clinic"}


# --- BPJS slow or down: booked, unverified, told plainly ------------------------------------------


@pytest.mark.parametrize(
    "person, card, failure",
    [
        (dict(full_name="Toni Lambat", birth_date=dt.date(1980, 1, 1)), simulator.CARD_SLOW, "BpjsDeadlineExceeded"),
        (dict(full_name="Toni Lambat", birth_date=dt.date(1980, 1, 1)), simulator.CARD_TRICKLE, "BpjsDeadlineExceeded"),
        (
            dict(full_name="Budi Santoso", birth_date=dt.date(1985, 4, 12)),
            simulator.CARD_SERVER_ERROR,
            "BpjsServerError",
        ),
    ],
    ids=["timeout", "trickle", "http-500"],
)
def test_bpjs_outage_still_books_unverified_and_says_so(
    patient_client, patient, types, dalam, tomorrow, bpjs_live, clerk, client, person, card, failure
):
    member = make_member(patient, **person)
    url = walk(
        patient_client, member, tomorrow, dalam, "bpjs-kesehatan", card_number=card, referral_number=REFERRAL_VALID
    )
    confirm_page = patient_client.get(url)
    assert 'id="bpjs-result"' in confirm_page.content.decode()
    result = follow(confirm(patient_client, url))
    # One request to BPJS for the whole walk: the outage is remembered, not waited for at every step.
    assert len(bpjs_live.request_paths) == 1
    booking = Booking.objects.get()
    assert booking.number == 1 and not booking.guarantor_verified
    assert booking.guarantor_check["status"] == "unverified"
    assert booking.guarantor_check["summary"]["failure"] == failure
    assert (booking.card_number, booking.referral_number) == (card, REFERRAL_VALID)
    detail = patient_client.get(result).content.decode()
    assert 'id="guarantor-unverified"' in detail and "belum terverifikasi" in detail
    assert "petugas" in detail
    listing = patient_client.get(reverse("queueing:booking_list")).content.decode()
    assert "belum terverifikasi" in listing


def test_bpjs_not_configured_books_unverified(patient_client, budi_member, types, dalam, tomorrow, settings):
    settings.BPJS_VCLAIM_URL = ""  # production without credentials (DEBUG off): never blocks
    url = walk(
        patient_client,
        budi_member,
        tomorrow,
        dalam,
        "bpjs-kesehatan",
        card_number=CARD_BUDI,
        referral_number=REFERRAL_VALID,
    )
    follow(confirm(patient_client, url))
    booking = Booking.objects.get()
    assert booking.guarantor_check["summary"]["failure"] == "BpjsNotConfigured" and not booking.guarantor_verified


# --- asking BPJS once --------------------------------------------------------------------------------


def test_bpjs_is_asked_once_per_card_and_referral_within_minutes(
    patient_client, patient, budi_member, types, dalam, tomorrow, bpjs_live
):
    url = to_guarantor_step(patient_client, budi_member, tomorrow)
    typed = {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": REFERRAL_VALID}
    checked = patient_client.post(url, {**typed, "action": "check"})  # "Cek Nomor Rujukan"
    assert checked.status_code == 200 and 'id="bpjs-result"' in checked.content.decode()
    assert len(bpjs_live.request_paths) == 2  # participant, referral
    url = from_clinic_to_confirm(patient_client, follow(patient_client.post(url, typed)), dalam)
    patient_client.get(url)
    follow(confirm(patient_client, url))
    # Checked at the guarantor step, the doctor step (with the clinic) and the confirm page: one ask.
    assert len(bpjs_live.request_paths) == 2
    # A second booking minutes later (another date) asks nothing new either.
    later = tomorrow + dt.timedelta(days=1)
    dalam_later = Schedule.objects.get(clinic=dalam.clinic, weekday=later.weekday())
    follow(
        confirm(
            patient_client,
            walk(
                patient_client,
                budi_member,
                later,
                dalam_later,
                "bpjs-kesehatan",
                card_number=CARD_BUDI,
                referral_number=REFERRAL_VALID,
            ),
        )
    )
    assert Booking.objects.filter(guarantor_verified=True).count() == 2
    assert len(bpjs_live.request_paths) == 2


def test_check_button_says_which_clinic_the_referral_is_for(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    url = to_guarantor_step(patient_client, budi_member, tomorrow)
    response = patient_client.post(
        url,
        {
            "guarantor_type": "bpjs-kesehatan",
            "card_number": CARD_BUDI,
            "referral_number": REFERRAL_VALID,
            "action": "check",
        },
    )
    page = response.content.decode()
    assert response.request["PATH_INFO"] == url and "PENYAKIT DALAM" in page and "BUDI SANTOSO" in page


def test_confirm_post_with_bpjs_asks_nothing_and_stays_lean(
    patient_client, patient, budi_member, types, dalam, tomorrow, bpjs_live, book, django_assert_max_num_queries
):
    book(make_member(patient, "Lain", relationship="child"), dalam, tomorrow)  # the day's counter exists
    url = walk(
        patient_client,
        budi_member,
        tomorrow,
        dalam,
        "bpjs-kesehatan",
        card_number=CARD_BUDI,
        referral_number=REFERRAL_VALID,
    )
    patient_client.get(url)
    asked = len(bpjs_live.request_paths)
    with django_assert_max_num_queries(12):
        assert confirm(patient_client, url).status_code == 302
    assert len(bpjs_live.request_paths) == asked


def test_confirm_without_a_kept_answer_asks_bpjs_before_booking(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    """A backstop: the booking is never made with a stale or missing eligibility answer."""
    url = walk(
        patient_client,
        budi_member,
        tomorrow,
        dalam,
        "bpjs-kesehatan",
        card_number=CARD_BUDI,
        referral_number=REFERRAL_VALID,
    )
    session = patient_client.session
    wid = re.search(r"/ambil/([0-9a-f]{32})/", url).group(1)
    del session["queueing_wizards"][wid]["guarantor_check"]
    session.save()
    cache.clear()
    bpjs_live.reset_requests()
    follow(confirm(patient_client, url))
    assert len(bpjs_live.request_paths) == 2
    assert Booking.objects.get().guarantor_check["summary"]["referral"]["clinic_bpjs_code"] == "INT"


def test_booking_again_keeps_the_guarantor_card_and_referral(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live, clerk
):
    from queueing import services

    follow(
        confirm(
            patient_client,
            walk(
                patient_client,
                budi_member,
                tomorrow,
                dalam,
                "bpjs-kesehatan",
                card_number=CARD_BUDI,
                referral_number=REFERRAL_VALID,
            ),
        )
    )
    services.booking_reject(booking=Booking.objects.get(), actor=clerk, reason="Rujukan tidak terbaca")
    url = follow(patient_client.get(reverse("queueing:booking_start") + f"?dari={Booking.objects.get().code}"))
    url = follow(patient_client.post(url, {"date": tomorrow.isoformat()}))
    url = follow(patient_client.post(url, {"schedule": dalam.pk}))
    follow(confirm(patient_client, url))
    again = Booking.objects.get(status="verified")
    assert (again.card_number, again.referral_number, again.guarantor_verified) == (CARD_BUDI, REFERRAL_VALID, True)


# --- JPKMKT: BPJS first when the card is active, with consent ------------------------------------


def test_jpkmkt_patient_with_an_active_card_switches_to_bpjs_with_consent(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    url = to_guarantor_step(patient_client, budi_member, tomorrow)
    response = patient_client.post(url, {"guarantor_type": "jpkmkt-lapas"})
    assert response.status_code == 200 and 'id="jpkmkt-offer"' in response.content.decode()
    assert field_codes(response.context["form"], "jpkmkt_choice") == {"jpkmkt_choice_required"}
    assert follow(patient_client.post(url, {"guarantor_type": "jpkmkt-lapas", "jpkmkt_choice": "bpjs"})) == url
    step = patient_client.get(url)
    assert step.context["form"]["guarantor_type"].value() == "bpjs-kesehatan"
    assert step.context["form"]["card_number"].value() == CARD_BUDI
    assert 'id="switch-note"' in step.content.decode()
    guarantor_step = url
    follow(
        patient_client.post(
            url,
            {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": "0902P0010000Y000007"},
        )
    )  # an older letter, then changed
    url = follow(
        patient_client.post(
            guarantor_step,
            {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": REFERRAL_VALID},
        )
    )
    url = from_clinic_to_confirm(patient_client, url, dalam)
    assert 'id="switched-note"' in patient_client.get(url).content.decode()
    follow(confirm(patient_client, url))
    booking = Booking.objects.get()
    assert booking.guarantor.code == "bpjs-kesehatan" and booking.guarantor_verified
    assert booking.guarantor_switched_from.code == "jpkmkt-lapas"


def test_jpkmkt_patient_found_by_nik_may_keep_jpkmkt_and_the_desk_sees_it(
    patient_client, patient, types, dalam, tomorrow, bpjs_live
):
    suparman = make_member(patient, "Suparman", sex="L", birth_date=dt.date(1960, 2, 2), nik="3302010202600005")
    url = to_guarantor_step(patient_client, suparman, tomorrow)
    response = patient_client.post(url, {"guarantor_type": "jpkmkt-kekerasan"})
    assert field_codes(response.context["form"], "jpkmkt_choice") == {"jpkmkt_choice_required"}
    url = follow(patient_client.post(url, {"guarantor_type": "jpkmkt-kekerasan", "jpkmkt_choice": "jpkmkt"}))
    follow(confirm(patient_client, from_clinic_to_confirm(patient_client, url, dalam)))
    booking = Booking.objects.get()
    assert booking.guarantor.code == "jpkmkt-kekerasan" and booking.guarantor_switched_from is None
    rule = booking.guarantor_check["jpkmkt_rule"]
    assert rule["bpjs_card_active"] and rule["bpjs_card"] == "0002000000013"


def test_jpkmkt_patient_with_an_inactive_card_stays_jpkmkt_without_a_question(
    patient_client, patient, types, dalam, tomorrow, bpjs_live
):
    warsih = make_member(
        patient, "Warsih", birth_date=dt.date(1970, 5, 4), nik="3302014405700006", bpjs_number="0002000000014"
    )
    url = to_guarantor_step(patient_client, warsih, tomorrow)
    url = follow(patient_client.post(url, {"guarantor_type": "jpkmkt-terlantar"}))
    follow(confirm(patient_client, from_clinic_to_confirm(patient_client, url, dalam)))
    booking = Booking.objects.get()
    assert booking.guarantor.code == "jpkmkt-terlantar"
    assert booking.guarantor_check["jpkmkt_rule"]["bpjs_card_active"] is False


# --- document lists: confirm page, result page, printable page, PDF slip -----------------------------

SKD = "Surat keterangan dokter (SKD) dari dokter pengirim"


@pytest.fixture
def dalam_needs_skd(dalam) -> ClinicDocumentRule:
    return ClinicDocumentRule.objects.create(clinic_code="DALAM", documents=[SKD], needs_letter_upload=True)


def test_documents_with_the_clinics_rule_show_on_confirm_result_print_and_pdf(
    patient_client, budi_member, types, dalam, dalam_needs_skd, tomorrow, bpjs_live
):
    expected = types["bpjs-kesehatan"].required_documents + [SKD]
    url = walk(
        patient_client,
        budi_member,
        tomorrow,
        dalam,
        "bpjs-kesehatan",
        card_number=CARD_BUDI,
        referral_number=REFERRAL_VALID,
    )
    confirm_page = patient_client.get(url)
    assert confirm_page.context["documents"] == expected and confirm_page.context["letter_needed"]
    assert 'id="letter-upload"' in confirm_page.content.decode()
    result = patient_client.get(follow(confirm(patient_client, url)))
    booking = result.context["booking"]
    assert result.context["documents"] == expected and SKD in result.content.decode()
    printed = patient_client.get(reverse("queueing:booking_print", args=[booking.code])).content.decode()
    assert all(doc in printed for doc in expected)
    pytest.importorskip("queueing.slips")
    for fmt in ("a6", "thermal"):
        pdf = patient_client.get(reverse("queueing:booking_slip_pdf", args=[booking.code]) + f"?format={fmt}")
        text = squash(pdf_text(pdf.content))
        assert all(squash(doc) in text for doc in expected), fmt


def test_umum_shows_no_letter_upload(patient_client, member, types, dalam, tomorrow):
    url = walk(patient_client, member, tomorrow, dalam, "umum")
    page = patient_client.get(url)
    assert not page.context["letter_needed"] and 'id="letter-upload"' not in page.content.decode()


# --- letters with a booking: private files, family and staff only --------------------------------


def book_taspen_with_letter(client, member, schedule, date, upload=None) -> Booking:
    url = walk(client, member, date, schedule, "taspen")
    assert client.get(url).context["letter_needed"]
    follow(confirm(client, url, document=upload or png_upload(), document_kind="guarantee_letter"))
    return Booking.objects.get()


def test_a_letter_sent_with_the_booking_is_stored_privately(patient_client, member, types, dalam, tomorrow):
    booking = book_taspen_with_letter(patient_client, member, dalam, tomorrow)
    document = BookingDocument.objects.get(booking=booking)
    assert document.kind == "guarantee_letter" and document.content_type == "image/png"
    assert re.fullmatch(r"booking-documents/\d{4}/\d{2}/[0-9a-f]{32}\.png", document.file.name)
    assert "budi" not in document.file.name
    page = patient_client.get(reverse("queueing:booking_detail", args=[booking.code])).content.decode()
    assert reverse("queueing:booking_document", args=[booking.code, document.pk]) in page


def test_letter_access_matrix(client, patient, other_patient, clerk, member, types, dalam, tomorrow):
    client.force_login(patient)
    booking = book_taspen_with_letter(client, member, dalam, tomorrow)
    document = BookingDocument.objects.get()
    url = reverse("queueing:booking_document", args=[booking.code, document.pk])
    response = client.get(url)
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:  # our re-encoded copy
        assert (served.format, served.size) == ("PNG", (40, 30))
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    spouse = make_account("suami@example.com", "Suami Sari", sex="L")
    AccountPatient.objects.create(account=spouse, patient=member, relationship="spouse", verified_at=timezone.now())
    # An online booking belongs to the account that made it (issue 10 §1): even a verified co-holder gets 404.
    for user, status in ((spouse, 404), (clerk, 404), (other_patient, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.email
    # Staff status alone does not open letters; the registration clerks' role does, and is logged.
    clerk.groups.add(Group.objects.get(name=CLERK_GROUP))
    clerk = type(clerk).objects.get(pk=clerk.pk)  # fresh permission cache
    client.force_login(clerk)
    assert client.get(url).status_code == 200
    assert (
        PatientAccessLog.objects.filter(
            user=clerk, patient=member, what="booking_letter", detail="guarantee_letter"
        ).count()
        == 1
    )
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(patient)
    wrong_booking = reverse("queueing:booking_document", args=["ZZZZZZZZ", document.pk])
    assert client.get(wrong_booking).status_code == 404
    assert client.get(reverse("queueing:booking_document", args=[booking.code, uuid.uuid4()])).status_code == 404


def test_a_pdf_letter_is_downloaded_not_shown(patient_client, member, types, dalam, tomorrow):
    pdf = SimpleUploadedFile("rujukan.pdf", plain_pdf(), content_type="application/pdf")
    booking = book_taspen_with_letter(patient_client, member, dalam, tomorrow, upload=pdf)
    document = BookingDocument.objects.get()
    response = patient_client.get(reverse("queueing:booking_document", args=[booking.code, document.pk]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")


def test_a_wrong_file_is_refused_under_the_field_and_nothing_is_booked(patient_client, member, types, dalam, tomorrow):
    url = walk(patient_client, member, tomorrow, dalam, "taspen")
    fake = SimpleUploadedFile("surat.png", b"not an image at all", content_type="image/png")
    response = confirm(patient_client, url, document=fake, document_kind="guarantee_letter")
    assert response.status_code == 200
    assert field_codes(response.context["form"], "document") == {"file_type"}
    assert 'id="error_1_id_document"' in response.content.decode()
    assert Booking.objects.count() == 0 and BookingDocument.objects.count() == 0


def test_a_double_clicked_confirm_with_a_letter_keeps_one_letter(patient_client, member, types, dalam, tomorrow):
    url = walk(patient_client, member, tomorrow, dalam, "taspen")
    first = confirm(patient_client, url, document=png_upload(), document_kind="guarantee_letter")
    second = confirm(patient_client, url, document=png_upload(), document_kind="guarantee_letter")
    assert first["Location"] == second["Location"]
    assert Booking.objects.count() == 1 and BookingDocument.objects.count() == 1


def test_a_letter_can_be_added_later_on_the_booking_page_by_the_family_only(
    client, patient, other_patient, member, types, dalam, tomorrow
):
    client.force_login(patient)
    follow(confirm(client, walk(client, member, tomorrow, dalam, "taspen")))
    booking = Booking.objects.get()
    detail = reverse("queueing:booking_detail", args=[booking.code])
    assert 'id="letter-form"' in client.get(detail).content.decode()
    client.force_login(other_patient)
    assert client.post(detail, {"document": png_upload(), "kind": "guarantee_letter"}).status_code == 404
    client.force_login(patient)
    assert follow(client.post(detail, {"document": png_upload(), "kind": "guarantee_letter"})) == detail
    assert BookingDocument.objects.get().uploaded_by == patient
    bad = client.post(
        detail, {"document": SimpleUploadedFile("x.png", b"", content_type="image/png"), "kind": "guarantee_letter"}
    )
    assert bad.status_code == 400 and field_codes(bad.context["letter_form"], "document")


# --- hostile letters, through both upload paths: only our rebuilt copy is stored --------------------


def upload_letter(client, member, dalam, tomorrow, path: str, name: str, content: bytes) -> BookingDocument:
    """Send a letter with the booking (the confirm page) or afterwards (the booking's page)."""
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    url = walk(client, member, tomorrow, dalam, "taspen")
    if path == "confirm":
        follow(confirm(client, url, document=file, document_kind="guarantee_letter"))
    else:
        follow(confirm(client, url))
        detail = reverse("queueing:booking_detail", args=[Booking.objects.get().code])
        assert follow(client.post(detail, {"document": file, "kind": "guarantee_letter"})) == detail
    return BookingDocument.objects.get()


def stored(document: BookingDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("path", ["confirm", "booking_page"])
@pytest.mark.parametrize("name", sorted(hostile_pdfs()))
def test_a_hostile_pdf_letter_is_stored_without_its_active_content(
    patient_client, member, types, dalam, tomorrow, private_media, path, name
):
    document = upload_letter(patient_client, member, dalam, tomorrow, path, "surat.pdf", hostile_pdfs()[name])
    data = stored(document)
    assert document.content_type == "application/pdf" and data.startswith(b"%PDF-")
    assert [m for m in PDF_ACTIVE_MARKERS if m in pdf_all_text(data)] == []
    assert "Surat rujukan" not in pdf_text(data)  # no text layer left: only the drawn page


@pytest.mark.parametrize("path", ["confirm", "booking_page"])
def test_a_letter_photo_loses_its_gps_position(patient_client, member, types, dalam, tomorrow, private_media, path):
    data = stored(upload_letter(patient_client, member, dalam, tomorrow, path, "rujukan.jpg", gps_jpeg()))
    assert b"SECRETGPSAREA" not in data and b"SecretCameraMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif().get_ifd(0x8825)


@pytest.mark.parametrize("path", ["confirm", "booking_page"])
def test_a_jpeg_html_polyglot_letter_is_stored_without_its_html(
    patient_client, member, types, dalam, tomorrow, private_media, path
):
    data = stored(upload_letter(patient_client, member, dalam, tomorrow, path, "surat.jpg", polyglot_jpeg()))
    assert data.startswith(b"\xff\xd8\xff") and b"<script" not in data and b"<html" not in data


# --- letters on shared S3 storage (several app servers; portal/tests/s3.py: a real S3 server on loopback) ----


def test_a_letter_on_shared_storage_is_in_the_bucket_rebuilt_and_served_to_the_family_only(
    client, patient, other_patient, member, types, dalam, tomorrow, s3_storage, private_media
):
    client.force_login(patient)
    letter = SimpleUploadedFile("rujukan.jpg", gps_jpeg(), content_type="image/jpeg")
    booking = book_taspen_with_letter(client, member, dalam, tomorrow, upload=letter)
    document = BookingDocument.objects.get(booking=booking)
    assert s3_storage.keys() == [document.file.name] and not private_media.exists()
    stored_object = s3_storage.read(document.file.name)
    assert stored_object.startswith(b"\xff\xd8\xff") and b"SECRETGPSAREA" not in stored_object
    url = reverse("queueing:booking_document", args=[booking.code, document.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored_object
    client.force_login(other_patient)
    assert client.get(url).status_code == 404


def test_a_double_clicked_confirm_keeps_one_letter_on_shared_storage(
    patient_client, member, types, dalam, tomorrow, s3_storage
):
    url = walk(patient_client, member, tomorrow, dalam, "taspen")
    confirm(patient_client, url, document=png_upload(), document_kind="guarantee_letter")
    confirm(patient_client, url, document=png_upload(), document_kind="guarantee_letter")
    assert BookingDocument.objects.count() == 1 and s3_storage.keys() == [BookingDocument.objects.get().file.name]


def test_storage_down_at_confirm_books_and_asks_for_the_letter_again(
    patient_client, member, types, dalam, tomorrow, dead_s3_storage
):
    url = walk(patient_client, member, tomorrow, dalam, "taspen")
    response = confirm(patient_client, url, document=png_upload(), document_kind="guarantee_letter")
    page = patient_client.get(follow(response))
    assert Booking.objects.count() == 1 and BookingDocument.objects.count() == 0
    assert [m.level_tag for m in page.context["messages"]] == ["warning"]
    assert 'id="letter-form"' in page.content.decode()


def test_storage_down_on_the_booking_page_is_an_error_under_the_field(
    patient_client, member, types, dalam, tomorrow, dead_s3_storage
):
    follow(confirm(patient_client, walk(patient_client, member, tomorrow, dalam, "taspen")))
    detail = reverse("queueing:booking_detail", args=[Booking.objects.get().code])
    response = patient_client.post(detail, {"document": png_upload(), "kind": "guarantee_letter"})
    assert response.status_code == 400
    assert field_codes(response.context["letter_form"], "document") == {"upload_store_failed"}
    assert 'id="error_1_id_document"' in response.content.decode()
    assert BookingDocument.objects.count() == 0


# --- in a real browser ---------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_expired_referral_shows_red_under_the_field_then_a_valid_one_books(page, bpjs_live):
    from portal.tests.browser import browser_login

    ensure_types(GuarantorType)  # an earlier transactional test may have flushed the seeded types
    BookingSettings.load()
    account = make_account("budi@example.com", "Budi Santoso", sex="L")
    member = budi(account)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule("DALAM", "dr. Bambang, Sp.PD") if s.weekday == tomorrow.weekday())
    schedule.clinic.bpjs_code = "INT"
    schedule.clinic.save()

    browser_login(page, account.email, PASSWORD)
    page.goto(f"{page.base_url}{reverse('queueing:booking_start')}")
    page.check(f"input[name=patient][value='{member.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/tanggal/")
    page.select_option("#id_date", tomorrow.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/penjamin/")

    assert not page.is_visible("#id_card_number")  # nothing chosen yet: no card asked
    page.check("input[name=guarantor_type][value='umum']")
    assert not page.is_visible("#id_card_number")
    page.check("input[name=guarantor_type][value='bpjs-kesehatan']")
    assert page.input_value("#id_card_number") == CARD_BUDI  # from the member's data
    assert page.is_visible("details.guarantor-info[data-code='bpjs-kesehatan'] li")
    page.fill("#id_referral_number", REFERRAL_EXPIRED)
    page.click("#next-button")
    error = page.locator("#error_1_id_referral_number")
    error.wait_for()
    field_box, error_box = page.locator("#id_referral_number").bounding_box(), error.bounding_box()
    assert error_box["y"] >= field_box["y"] + field_box["height"]  # red text right under the field
    assert error.evaluate("el => getComputedStyle(el.closest('.invalid-feedback')).color") == "rgb(220, 53, 69)"
    assert "90" in error.inner_text()
    assert page.input_value("#id_card_number") == CARD_BUDI
    assert page.input_value("#id_referral_number") == REFERRAL_EXPIRED  # what was typed is kept

    page.fill("#id_referral_number", REFERRAL_VALID)
    page.click("#check-referral")  # "Cek Nomor Rujukan"
    page.locator("#bpjs-result").wait_for()
    assert "PENYAKIT DALAM" in page.inner_text("#bpjs-result")
    page.click("#next-button")
    page.wait_for_url("**/poli/")
    page.check(f"input[name=clinic][value='{schedule.clinic_id}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dokter/")
    page.check(f"input[name=schedule][value='{schedule.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/konfirmasi/")
    assert "Kartu BPJS Kesehatan" in page.inner_text("#confirm-documents")
    page.click("#confirm-button")
    page.wait_for_url("**/?baru=1")
    booking = Booking.objects.get()
    assert booking.guarantor_verified and booking.referral_number == REFERRAL_VALID
    assert page.inner_text("#queue-label") == booking.label


# --- the referral's clinic is offered first (issue 15) ---------------------------------------------


def test_the_clinic_step_offers_the_referrals_clinic_first_and_chosen(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    mata = next(s for s in make_schedule("MATA", "dr. Agus, Sp.M") if s.weekday == tomorrow.weekday())
    mata.clinic.bpjs_code = "MAT"
    mata.clinic.save()
    url = to_guarantor_step(patient_client, budi_member, tomorrow)
    url = follow(
        patient_client.post(
            url,
            {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": REFERRAL_OTHER_CLINIC},
        )
    )
    response = patient_client.get(url)
    form = response.context["form"]
    assert list(form.clinics.values())[0].pk == mata.clinic_id
    assert form.fields["clinic"].choices[0] == (str(mata.clinic_id), mata.clinic.name)
    assert form.initial["clinic"] == mata.clinic_id
    page = response.content.decode()
    assert 'id="referral-clinic"' in page and mata.clinic.name in page


def test_the_clinic_step_says_when_the_referrals_clinic_has_no_session_that_day(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    other_days = [d for d in range(7) if d != tomorrow.weekday()]
    mata = make_schedule("MATA", "dr. Agus, Sp.M", weekdays=other_days)[0]
    mata.clinic.bpjs_code = "MAT"
    mata.clinic.save()
    url = to_guarantor_step(patient_client, budi_member, tomorrow)
    url = follow(
        patient_client.post(
            url,
            {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": REFERRAL_OTHER_CLINIC},
        )
    )
    response = patient_client.get(url)
    page = response.content.decode()
    assert 'id="referral-clinic"' in page and "tidak praktik" in page
    assert response.context["referral_clinic_dates"]
    assert all(day.weekday() != tomorrow.weekday() for day in response.context["referral_clinic_dates"])
    assert reverse("queueing:wizard_date", kwargs={"wid": response.context["wizard"].id}) in page


def test_a_boosted_doctor_answer_bpjs_refuses_gets_the_guarantor_step_in_place_with_its_note(
    patient_client, budi_member, types, dalam, tomorrow, bpjs_live
):
    url = to_guarantor_step(patient_client, budi_member, tomorrow)
    fields = {"guarantor_type": "bpjs-kesehatan", "card_number": CARD_BUDI, "referral_number": REFERRAL_OTHER_CLINIC}
    url = follow(patient_client.post(url, fields))
    url = follow(patient_client.post(url, {"clinic": dalam.clinic_id}))
    response = patient_client.post(url, {"schedule": dalam.pk}, HTTP_X_BOOST="1")
    assert response.status_code == 200 and response["X-Boost-Url"].endswith("/penjamin/")
    note = '<div class="alert alert-danger" role="alert">'
    page = response.content.decode()
    assert note in page and 'id="error_1_id_referral_number"' in page  # the note, and the refusal under the field
    again = patient_client.get(response["X-Boost-Url"]).content.decode()
    assert note not in again  # the note was shown once, on the page given in place


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_a_letter_chosen_on_the_confirm_page_goes_with_the_boosted_confirm(page, tmp_path):
    """The confirm form is sent by boost.js as multipart (the file included) and books in one request."""
    from portal.tests.browser import browser_login

    ensure_types(GuarantorType)
    BookingSettings.load()
    account = make_account("wati@example.com", "Wati Rahayu")
    member = budi(account)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule("DALAM", "dr. Bambang, Sp.PD") if s.weekday == tomorrow.weekday())
    letter = tmp_path / "surat jaminan.png"
    letter.write_bytes(png_bytes())
    browser_login(page, account.email, PASSWORD)
    page.goto(f"{page.base_url}{reverse('queueing:booking_start')}")
    for field, value, step in (
        ("patient", str(member.pk), "tanggal"),
        ("date", tomorrow.isoformat(), "penjamin"),
        ("guarantor_type", "taspen", "poli"),
        ("clinic", str(schedule.clinic_id), "dokter"),
        ("schedule", str(schedule.pk), "konfirmasi"),
    ):
        if field == "date":
            page.select_option("#id_date", value)
        else:
            page.check(f"input[name={field}][value='{value}']")
        page.click("#next-button" if field == "guarantor_type" else "main form button[type=submit]")
        page.wait_for_url(f"**/{step}/")
    page.set_input_files("#id_document", str(letter))
    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.resource_type))
    page.click("#confirm-button")
    page.wait_for_url("**/?baru=1")
    assert posts == ["fetch"]  # one boosted request carried the answer and the file
    document = BookingDocument.objects.get(booking=Booking.objects.get())
    assert document.content_type == "image/png"
    assert reverse("queueing:booking_document", args=[document.booking.code, document.pk]) in page.content()
