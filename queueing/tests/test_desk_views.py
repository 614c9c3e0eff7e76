"""Counter desk pages over HTTP: access, check-in, walk-ins, new patients, moving, register, slips, outages."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone

from conftest import make_account
from families.models import Patient
from families.validators import format_mrn
from queueing.desk import services as desk_services
from queueing.desk.services import CounterEntry
from queueing.models import Booking, BookingChannel, BookingStatus, DayQuota
from queueing.slips import indonesian_date
from queueing.tests.conftest import make_member
from queueing.tests.desk_helpers import (  # noqa: F401 - fixtures
    book_today,
    clerk_client,
    desk_clerk,
    gigi_today,
    make_patient,
    schedule_on,
    today,
    umum_today,
)

CHECK_IN = "queueing:desk_check_in"


def pdf_pages(pdf: bytes, dpi: int = 250) -> list[tuple[str, set[str]]]:
    """Each page's text and the codes zxing-cpp reads from its picture (QR and Code 128)."""
    pages = []
    for page in pdfium.PdfDocument(pdf):
        text = page.get_textpage().get_text_range()
        image = page.render(scale=dpi / 72).to_pil().convert("L")
        codes = {f"{b.format.name}:{b.text}" for b in zxingcpp.read_barcodes(image)}
        pages.append((text, codes))
    return pages


# --- who may use the desk --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "desk_home",
        "desk_check_in",
        "desk_walk_in",
        "desk_register",
        "desk_paper",
        "desk_manual_form",
        "desk_patient_new",
    ],
)
def test_desk_pages_are_for_counter_staff_only(client, patient, desk_clerk, name):
    url = reverse(f"queueing:{name}")
    assert client.get(url)["Location"].startswith(reverse("admin:login"))
    client.force_login(patient)  # a patient account is sent to the staff login
    assert client.get(url)["Location"].startswith(reverse("admin:login"))
    client.force_login(make_account("it@rsud.example", "Staf IT", is_staff=True))  # staff, not a clerk
    assert client.get(url).status_code == 403
    client.force_login(desk_clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- check-in -------------------------------------------------------------------------------------


def test_a_scanned_code_and_enter_checks_the_patient_in_and_offers_the_slip(
    clerk_client, member, gigi_today, book_today, desk_clerk
):
    booking = book_today(member, gigi_today)
    scanned = f"{booking.code[:4].lower()}-{booking.code[4:].lower()}\r"
    response = clerk_client.post(reverse(CHECK_IN), {"code": scanned})
    assert response.status_code == 302 and response["Location"].endswith(f"?kode={booking.code}")
    page = clerk_client.get(response["Location"])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    assert booking.events.order_by("at", "id").last().actor == desk_clerk
    html = page.content.decode()
    assert booking.label in html and 'id="slip-thermal"' in html and "autofocus" in html
    assert 'data-status="checked_in"' in html


@pytest.mark.parametrize(("typed", "code"), [("ZZZZZZZZ", "unknown"), ("abc", "code_format"), ("", "required")])
def test_an_unknown_or_malformed_code_is_an_error_under_the_input(clerk_client, typed, code):
    response = clerk_client.post(reverse(CHECK_IN), {"code": typed})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["code"]] == [code]
    assert 'class="invalid-feedback"' in response.content.decode()


def test_a_booking_for_another_day_is_shown_with_a_clear_refusal(clerk_client, member, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    response = clerk_client.post(reverse(CHECK_IN), {"code": booking.code})
    assert response.status_code == 200
    assert response.context["problem"].code == "wrong_day"
    html = response.content.decode()
    assert 'id="checkin-problem" data-code="wrong_day"' in html and booking.code in html
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VERIFIED


# --- walk-ins --------------------------------------------------------------------------------------


def test_a_family_found_by_its_family_card_is_registered_together(clerk_client, gigi_today, guarantor_types):
    father = make_patient("Slamet Riyadi", kk_number="3302011111110001")
    son = make_patient("Bayu Riyadi", kk_number="3302011111110001", birth_date=dt.date(2015, 1, 2))
    make_patient("Orang Lain", kk_number="3302019999990001")
    url = reverse("queueing:desk_walk_in")
    found = clerk_client.post(url, {"q": "3302-0111-1111-0001"})  # a search is POSTed (no NIK in URLs)
    assert {p.pk for p in found.context["results"]} == {father.pk, son.pk}
    picked_url = f"{url}?pasien={father.pk}&pasien={son.pk}"
    page = clerk_client.get(picked_url)
    assert [p.pk for p in page.context["picked"]] == [father.pk, son.pk]
    umum = guarantor_types["umum"]
    data = {
        "schedule": gigi_today.pk,
        "row-TOTAL_FORMS": 2,
        "row-INITIAL_FORMS": 2,
        "row-0-guarantor": umum.pk,
        "row-1-guarantor": umum.pk,
    }
    done = clerk_client.post(picked_url, data)
    assert done.status_code == 302
    bookings = list(Booking.objects.order_by("number"))
    assert [(b.patient_id, b.number, b.channel) for b in bookings] == [
        (father.pk, 1, BookingChannel.COUNTER),
        (son.pk, 2, BookingChannel.COUNTER),
    ]
    result = clerk_client.get(done["Location"])
    assert "GIGI-001" in result.content.decode() and "GIGI-002" in result.content.decode()
    slips = clerk_client.get(reverse("queueing:desk_slips"), {"kode": [b.code for b in bookings], "format": "thermal"})
    pages = pdf_pages(slips.content)
    assert [any(b.code in c for c in codes) for b, (_t, codes) in zip(bookings, pages)] == [True, True]


def test_a_walk_in_without_a_medical_record_number_leaves_with_one_shown_in_the_register(
    clerk_client, gigi_today, guarantor_types
):
    newcomer = make_patient("Slamet Riyadi", mrn=None)
    url = f"{reverse('queueing:desk_walk_in')}?pasien={newcomer.pk}"
    done = clerk_client.post(
        url,
        {
            "schedule": gigi_today.pk,
            "row-TOTAL_FORMS": 1,
            "row-INITIAL_FORMS": 1,
            "row-0-guarantor": guarantor_types["umum"].pk,
        },
        follow=True,
    )
    newcomer.refresh_from_db()
    assert newcomer.mrn and newcomer.mrn.isdigit()
    shown = format_mrn(newcomer.mrn)
    assert shown in done.content.decode()  # in the "registered" message
    register = clerk_client.get(reverse("queueing:desk_register"), {"clinic": gigi_today.clinic_id})
    assert shown in register.content.decode()


def test_a_walk_in_with_a_bad_card_number_shows_the_error_under_the_card(clerk_client, gigi_today, bpjs):
    patient = make_patient("Warsih", sex="P")
    url = f"{reverse('queueing:desk_walk_in')}?pasien={patient.pk}"
    response = clerk_client.post(
        url,
        {
            "schedule": gigi_today.pk,
            "row-TOTAL_FORMS": 1,
            "row-INITIAL_FORMS": 1,
            "row-0-guarantor": bpjs.pk,
            "row-0-card_number": "123",
            "row-0-referral_number": "0902P0010000Y000001",
        },
    )
    assert response.status_code == 200
    row = response.context["rows"][0][0]
    assert [e.code for e in row.errors.as_data()["card_number"]] == ["card_format"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "referral, codes",
    [
        ("0902P0010000Y00001", ["referral_format"]),  # 18 characters
        ("0902P0010000Y0000001", ["referral_format"]),  # 20
    ],
)
def test_a_walk_in_refuses_a_referral_that_is_not_19_characters(clerk_client, gigi_today, bpjs, referral, codes):
    patient = make_patient("Warsih", sex="P")
    url = f"{reverse('queueing:desk_walk_in')}?pasien={patient.pk}"
    response = clerk_client.post(
        url,
        {
            "schedule": gigi_today.pk,
            "row-TOTAL_FORMS": 1,
            "row-INITIAL_FORMS": 1,
            "row-0-guarantor": bpjs.pk,
            "row-0-card_number": "0001234567890",
            "row-0-referral_number": referral,
        },
    )

    assert [e.code for e in response.context["rows"][0][0].errors.as_data()["referral_number"]] == codes
    assert not Booking.objects.exists()


def test_a_walk_in_with_bpjs_the_desk_cannot_reach_is_booked_and_flagged(clerk_client, gigi_today, bpjs):
    patient = make_patient("Budi Santoso", bpjs_number="0001234567890")
    url = f"{reverse('queueing:desk_walk_in')}?pasien={patient.pk}"
    initial = clerk_client.get(url).context["rows"][0][0].initial
    assert (initial["guarantor"], initial["card_number"]) == (bpjs.pk, "0001234567890")
    response = clerk_client.post(
        url,
        {
            "schedule": gigi_today.pk,
            "row-TOTAL_FORMS": 1,
            "row-INITIAL_FORMS": 1,
            "row-0-guarantor": bpjs.pk,
            "row-0-card_number": "0001234567890",
            "row-0-referral_number": "0902P0010000Y000001",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert not booking.guarantor_verified and booking.guarantor_check["status"] == "unverified"


def test_a_full_session_is_a_form_error_not_a_crash(clerk_client, umum_today, umum, desk_clerk):
    desk_services.walkin_register(
        actor=desk_clerk,
        schedule_id=umum_today.pk,
        entries=[CounterEntry(patient_id=make_patient().pk, guarantor_id=umum.pk) for _i in range(5)],
    )
    patient = make_patient()
    response = clerk_client.post(
        f"{reverse('queueing:desk_walk_in')}?pasien={patient.pk}",
        {"schedule": umum_today.pk, "row-TOTAL_FORMS": 1, "row-INITIAL_FORMS": 1, "row-0-guarantor": umum.pk},
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["full"]


def test_a_new_patient_is_checked_like_on_the_portal_and_then_picked(clerk_client, guarantor_types):
    url = reverse("queueing:desk_patient_new") + "?lanjut=daftar"
    data = {
        "mrn": "12-34-56",
        "full_name": "Rudi  Hartono",
        "nik": "3302011503800001",
        "sex": "L",
        "birth_place": "Purwokerto",
        "birth_date": "1980-03-15",
        "address_street": "Jl. Mawar 1",
        "address_rt": "1",
        "address_rw": "2",
        "address_village": "Sokanegara",
        "address_district": "Purwokerto Timur",
        "address_regency": "Banyumas",
        "address_province": "Jawa Tengah",
        "phone": "0812-3456-7890",
        "mother_name": "Sumiati",
        "religion": "islam",
        "blood_type": "O",
        "marital_status": "kawin",
        "education": "sma",
        "occupation": "irt",
    }
    bad = clerk_client.post(url, {**data, "nik": "1234"})
    assert bad.status_code == 200 and "nik" in bad.context["form"].errors
    done = clerk_client.post(url, data)
    assert done.status_code == 302, done.context["form"].errors
    patient = Patient.objects.get(nik="3302011503800001")
    assert (patient.mrn, patient.full_name, patient.address_rt) == ("00123456", "Rudi Hartono", "001")
    assert done["Location"].endswith(f"pasien={patient.pk}")
    again = clerk_client.post(url, {**data, "mrn": ""})
    assert [e.code for e in again.context["form"].errors.as_data()["nik"]] == ["nik_exists"]


# --- moving clinic ----------------------------------------------------------------------------------


def test_moving_at_the_counter_gives_the_new_number(clerk_client, member, gigi_today, umum_today, book_today):
    booking = book_today(member, gigi_today)
    url = reverse("queueing:desk_move", args=[booking.code])
    page = clerk_client.get(url)
    assert [c[0] for c in page.context["form"].fields["schedule"].choices][1:] == [umum_today.pk]
    empty = clerk_client.post(url, {"schedule": umum_today.pk, "reason": ""})
    assert [e.code for e in empty.context["form"].errors.as_data()["reason"]] == ["required"]
    response = clerk_client.post(url, {"schedule": umum_today.pk, "reason": "Salah pilih poli"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.label, booking.status) == ("UMUM-001", BookingStatus.CHECKED_IN)
    assert "GIGI-001" in clerk_client.get(response["Location"]).content.decode()  # "moved from" message


# --- the register book ----------------------------------------------------------------------------------


def test_the_daily_register_lists_the_day_in_order_as_html_and_csv(
    clerk_client, member, gigi_today, umum_today, book_today, desk_clerk, umum, today
):
    book_today(member, gigi_today)
    tricky = make_patient('=HYPERLINK("http://x")')
    desk_services.walkin_register(
        actor=desk_clerk, schedule_id=gigi_today.pk, entries=[CounterEntry(patient_id=tricky.pk, guarantor_id=umum.pk)]
    )
    desk_services.walkin_register(
        actor=desk_clerk,
        schedule_id=umum_today.pk,
        entries=[CounterEntry(patient_id=make_patient("Pasien Umum").pk, guarantor_id=umum.pk)],
    )
    page = clerk_client.get(reverse("queueing:desk_register"), {"clinic": gigi_today.clinic_id})
    assert [b.label for b in page.context["bookings"]] == ["GIGI-001", "GIGI-002"]
    response = clerk_client.get(reverse("queueing:desk_register"), {"date": today.isoformat(), "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Tanggal",
        "Poliklinik",
        "Dokter",
        "Nomor",
        "Nama",
        "Nomor Rekam Medis",
        "Penjamin",
        "Status",
        "Terdaftar",
        "Terdaftar melalui",
    ]  # in the clerk's language
    assert [row[3] for row in rows[1:]] == ["GIGI-001", "GIGI-002", "UMUM-001"]
    assert rows[2][4] == '\'=HYPERLINK("http://x")'  # never run as a spreadsheet formula


# --- slips ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["thermal", "a6"])
def test_a_clerk_slip_scans_back_to_the_booking_code_and_reads_right(clerk_client, member, gigi_today, book_today, fmt):
    booking = book_today(member, gigi_today)
    response = clerk_client.get(reverse("queueing:desk_slips"), {"kode": booking.code, "format": fmt})
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    [(text, codes)] = pdf_pages(response.content)
    assert {f"QRCode:{booking.code}", f"Code128:{booking.code}"} <= codes
    for expected in (booking.label, gigi_today.clinic.name, indonesian_date(booking.date), member.full_name):
        assert expected in text


def test_slips_are_only_for_printable_bookings_and_staff(clerk_client, client, patient, member, gigi_today, book_today):
    booking = book_today(member, gigi_today)
    assert clerk_client.get(reverse("queueing:desk_slips"), {"kode": "ZZZZZZZZ"}).status_code == 404
    client.force_login(patient)
    assert client.get(reverse("queueing:desk_slips"), {"kode": booking.code})["Location"].startswith(
        reverse("admin:login")
    )


def test_the_patient_prints_the_own_slip_from_my_bookings_and_nobody_else_can(
    client, patient, other_patient, member, gigi_today, book_today
):
    booking = book_today(member, gigi_today)
    url = reverse("queueing:booking_slip_pdf", args=[booking.code]) + "?format=thermal"
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(other_patient)
    assert client.get(url).status_code == 404
    client.force_login(patient)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    [(text, codes)] = pdf_pages(response.content)
    assert f"QRCode:{booking.code}" in codes and booking.label in text


@pytest.mark.parametrize("fmt", ["thermal", "a6"])
def test_the_patient_and_the_clerk_print_the_same_slip_with_the_mrn_formatted(
    client, clerk_client, patient, gigi_today, book_today, fmt
):
    member = make_member(patient, "Budi Santoso", relationship="other", mrn="00012345")
    booking = book_today(member, gigi_today)
    clerk_pdf = clerk_client.get(reverse("queueing:desk_slips"), {"kode": booking.code, "format": fmt}).content
    client.force_login(patient)
    patient_pdf = client.get(reverse("queueing:booking_slip_pdf", args=[booking.code]), {"format": fmt}).content
    [(clerk_text, _codes)], [(patient_text, _codes)] = pdf_pages(clerk_pdf, dpi=72), pdf_pages(patient_pdf, dpi=72)
    assert "00-01-23-45" in patient_text and "00012345" not in patient_text
    assert clerk_text == patient_text


# --- outages (SOP 001) ---------------------------------------------------------------------------------------


def test_the_blank_manual_form_prints_the_sop_columns(clerk_client):
    response = clerk_client.get(reverse("queueing:desk_manual_form"), {"lembar": 3})
    pages = pdfium.PdfDocument(response.content)
    assert len(pages) == 3
    text = pages[0].get_textpage().get_text_range()
    for expected in ("FORMULIR PENDAFTARAN MANUAL", "Nama pasien", "Tanda tangan", "Dirujuk", "L / P"):
        assert expected in text


def test_paper_forms_are_entered_with_the_time_written_on_them(clerk_client, gigi, umum, today, desk_clerk):
    patient = make_patient("Siti Aminah", sex="P")
    yesterday = today - dt.timedelta(days=1)
    url = f"{reverse('queueing:desk_paper')}?pasien={patient.pk}"
    schedule = schedule_on(gigi, yesterday)
    data = {
        "date": yesterday.isoformat(),
        "time": "08:15",
        "schedule": schedule.pk,
        "guarantor": umum.pk,
        "status": "served",
        "note": "Lembar 2 baris 4",
    }
    wrong = clerk_client.post(url, {**data, "date": (today + dt.timedelta(days=1)).isoformat()})
    assert [e.code for e in wrong.context["form"].non_field_errors().as_data()] == ["date_future"]
    response = clerk_client.post(url, data)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert timezone.localtime(booking.registered_at).strftime("%Y-%m-%d %H:%M") == f"{yesterday:%Y-%m-%d} 08:15"
    assert (booking.channel, booking.status, booking.account) == (
        BookingChannel.PAPER,
        BookingStatus.SERVED,
        desk_clerk,
    )
    assert DayQuota.objects.get().counter_count == 1
