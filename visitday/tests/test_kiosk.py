"""The kiosk pages: who may use them, printing a ticket, checking in with a booking code."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from queueing.models import BookingStatus, Task
from queueing.task_times import tasks_for
from queueing.tests.conftest import make_member
from visitday.models import Ticket
from visitday.tests.conftest import pdf_text

HOME = reverse("visitday:kiosk_home")


# --- who may use the kiosk ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, lines):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(reverse("visitday:kiosk_take", args=[lines["A"].pk])).status_code == 302
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("persona", ["patient", "clerk", "admin_user"])
def test_other_accounts_cannot_use_the_kiosk(request, client, lines, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(HOME).status_code == 403
    assert client.post(reverse("visitday:kiosk_take", args=[lines["A"].pk])).status_code == 403
    assert client.get(reverse("visitday:kiosk_check_in")).status_code == 403
    assert not Ticket.objects.exists()


def test_a_kiosk_without_a_facility_is_refused(client, kiosk_user):
    kiosk_user.facility_memberships.all().delete()
    client.force_login(kiosk_user)
    assert client.get(HOME).status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/antrian/", "/antrian/ambil/", "/antrian/loket/", "/panggilan/loket/", "/admin/", "/keluarga/", "/akun/profil/"],
)
def test_the_kiosk_account_reaches_nothing_but_the_kiosk(kiosk_client, url):
    assert kiosk_client.get(url).status_code == 404


def test_the_kiosk_lands_on_its_start_page_after_signing_in(kiosk_client):
    response = kiosk_client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == HOME


def test_a_kiosk_signing_in_stays_signed_in(client, kiosk_user):
    response = client.post(reverse("login"), {"username": kiosk_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.KIOSK_SESSION_SECONDS
    assert client.get(HOME).status_code == 200


def test_a_patient_session_keeps_its_pages(patient_client):
    assert patient_client.get(reverse("dashboard")).status_code == 200


# --- taking a ticket ---------------------------------------------------------------------------------


def test_the_kiosk_offers_the_active_lines_as_buttons(kiosk_client, lines):
    lines["B"].active = False
    lines["B"].save()
    html = kiosk_client.get(reverse("visitday:kiosk_lines")).content.decode()
    assert 'data-line="A"' in html and 'data-line="P"' in html and 'data-line="B"' not in html


def test_taking_a_ticket_prints_an_80_mm_pdf_with_number_time_queue_and_hospital(kiosk_client, lines, facility):
    first = kiosk_client.post(reverse("visitday:kiosk_take", args=[lines["A"].pk]))
    second = kiosk_client.post(reverse("visitday:kiosk_take", args=[lines["A"].pk]))
    ticket = Ticket.objects.get(label="A-002")
    assert second["Location"] == reverse("visitday:kiosk_ticket", args=[ticket.pk])
    page = kiosk_client.get(second["Location"])
    assert 'id="kiosk-ticket-label">A-002<' in page.content.decode()
    pdf = kiosk_client.get(reverse("visitday:kiosk_ticket_pdf", args=[ticket.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in pdf["Content-Security-Policy"]
    text = pdf_text(pdf.content)
    taken = facility.local_now(ticket.taken_at)
    assert "A-002" in text and facility.name in text and "Pendaftaran Umum" in text
    assert "1 orang menunggu di depan Anda" in text
    assert f"pukul {taken:%H.%M}" in text
    width, _height = pdfium.PdfDocument(pdf.content)[0].get_size()
    assert round(width / 72 * 25.4) == 80
    assert first.status_code == 302


def test_a_ticket_pdf_is_served_only_to_the_kiosk_that_printed_it(kiosk_client, kiosk_user, lines):
    kiosk_client.post(reverse("visitday:kiosk_take", args=[lines["A"].pk]))
    ticket = Ticket.objects.get()
    other = Client()
    other.force_login(kiosk_user)  # the same device account, another session (another kiosk)
    assert other.get(reverse("visitday:kiosk_ticket_pdf", args=[ticket.pk])).status_code == 404
    assert other.get(reverse("visitday:kiosk_ticket", args=[ticket.pk])).status_code == 404


def test_a_line_that_asks_for_the_clinic_shows_todays_clinics_first(kiosk_client, lines, gigi_today):
    lines["B"].asks_clinic = True
    lines["B"].save()
    url = reverse("visitday:kiosk_take", args=[lines["B"].pk])
    page = kiosk_client.get(url)
    assert [c.pk for c in page.context["clinics"]] == [gigi_today.clinic_id]
    refused = kiosk_client.post(url)
    assert refused.status_code == 200 and 'id="kiosk-error"' in refused.content.decode()
    taken = kiosk_client.post(url, {"clinic": gigi_today.clinic_id})
    assert taken.status_code == 302
    assert Ticket.objects.get().clinic_id == gigi_today.clinic_id


def test_another_facilitys_line_is_not_found(kiosk_client, lines):
    from facilities.models import Facility
    from visitday.models import TicketLine

    elsewhere = Facility.objects.create(name="Puskesmas Lain")
    line = TicketLine.objects.create(facility=elsewhere, letter="A", name="Umum")
    assert kiosk_client.post(reverse("visitday:kiosk_take", args=[line.pk])).status_code == 404


# --- check-in ---------------------------------------------------------------------------------------


def test_check_in_with_the_slip_code_records_arrival_and_prints_the_bukti_daftar(
    kiosk_client, member, gigi_today, book_today
):
    booking = book_today(member, gigi_today)
    response = kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": booking.code.lower()})
    assert response["Location"] == reverse("visitday:kiosk_checked_in", args=[booking.code])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    assert [t.task_id for t in tasks_for(booking)] == [Task.CLINIC_WAIT]
    page = kiosk_client.get(response["Location"]).content.decode()
    assert booking.label in page and 'id="kiosk-fingerprint"' not in page  # umum: no fingerprint
    text = pdf_text(kiosk_client.get(reverse("visitday:kiosk_slip_pdf", args=[booking.code])).content)
    assert "BUKTI DAFTAR" in text and booking.label in text and booking.clinic.name in text


def test_check_in_refusals_use_the_counters_rules(kiosk_client, member, gigi_today, book_today):
    booking = book_today(member, gigi_today)
    kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": booking.code})
    again = kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": booking.code})
    assert again.status_code == 200
    assert 'data-code="already_checked_in"' in again.content.decode()
    unknown = kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": "ZZZZZZZZ"})
    assert 'id="kiosk-code-error"' in unknown.content.decode()
    badly_typed = kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": "AB"})
    assert 'id="kiosk-code-error"' in badly_typed.content.decode()


def test_the_slip_of_a_code_this_kiosk_did_not_check_in_is_not_served(kiosk_client, member, gigi_today, book_today):
    booking = book_today(member, gigi_today)
    assert kiosk_client.get(reverse("visitday:kiosk_slip_pdf", args=[booking.code])).status_code == 404
    assert kiosk_client.get(reverse("visitday:kiosk_checked_in", args=[booking.code])).status_code == 404


def _bpjs_booking(member, schedule, book_today, bpjs):
    from queueing.models import Booking

    booking = book_today(member, schedule)
    Booking.objects.filter(pk=booking.pk).update(guarantor=bpjs, card_number="0001234567890")
    booking.refresh_from_db()
    return booking


def test_bpjs_adults_see_the_fingerprint_reminder(kiosk_client, member, gigi_today, book_today, bpjs):
    booking = _bpjs_booking(member, gigi_today, book_today, bpjs)
    kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": booking.code})
    page = kiosk_client.get(reverse("visitday:kiosk_checked_in", args=[booking.code])).content.decode()
    assert 'id="kiosk-fingerprint"' in page


def test_bpjs_children_under_17_see_no_fingerprint_reminder(kiosk_client, patient, gigi_today, book_today, bpjs, today):
    child = make_member(patient, "Bima", relationship="child", birth_date=today.replace(year=today.year - 16))
    booking = _bpjs_booking(child, gigi_today, book_today, bpjs)
    kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": booking.code})
    page = kiosk_client.get(reverse("visitday:kiosk_checked_in", args=[booking.code])).content.decode()
    assert 'id="kiosk-fingerprint"' not in page


def test_a_new_patient_checked_in_at_the_kiosk_is_sent_to_the_counter(kiosk_client, member, gigi_today, book_today):
    from families.models import Patient, PatientRecord

    booking = book_today(member, gigi_today)
    PatientRecord.objects.filter(patient=member).delete()  # no record at this hospital yet
    Patient.objects.filter(pk=member.pk).update(mrn=None)
    kiosk_client.post(reverse("visitday:kiosk_check_in"), {"code": booking.code})
    page = kiosk_client.get(reverse("visitday:kiosk_checked_in", args=[booking.code])).content.decode()
    assert 'id="kiosk-new-patient"' in page
    assert [t.task_id for t in tasks_for(booking)] == [Task.ADMISSION_WAIT]


def test_a_booking_of_another_facility_is_unknown_at_this_kiosk(client, kiosk_user, member, gigi_today, book_today):
    from facilities.models import Facility

    booking = book_today(member, gigi_today)
    kiosk_user.facility_memberships.update(facility=Facility.objects.create(name="RS Lain"))
    client.force_login(kiosk_user)
    response = client.post(reverse("visitday:kiosk_check_in"), {"code": booking.code})
    assert 'id="kiosk-code-error"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VERIFIED


def test_the_idle_timeout_is_on_every_kiosk_page(kiosk_client):
    html = kiosk_client.get(reverse("visitday:kiosk_lines")).content.decode()
    assert f'data-idle-seconds="{settings.KIOSK_IDLE_SECONDS}"' in html and f'data-home-url="{HOME}"' in html


def test_ticket_dates_follow_the_facility_clock(lines, facility):
    from visitday import services

    late = facility.make_aware(dt.datetime(2026, 12, 1, 23, 59))
    assert services.ticket_take(line=lines["A"], now=late).date == dt.date(2026, 12, 1)
