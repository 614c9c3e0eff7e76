"""What a patient sees of a cancelled or rejected booking: the state first, nothing that no longer applies."""

from __future__ import annotations

import pytest
from django.urls import reverse

from queueing import selectors, services

pytestmark = pytest.mark.usefixtures("umum")


def test_cancelled_and_rejected_bookings_move_to_the_past(book, patient, member, child, gigi_tomorrow, tomorrow, clerk):
    cancelled = book(member, gigi_tomorrow, tomorrow)
    services.booking_cancel(booking=cancelled, actor=patient)
    rejected = book(child, gigi_tomorrow, tomorrow)
    services.booking_reject(booking=rejected, actor=clerk, reason="Rujukan kedaluwarsa")
    upcoming, past = selectors.upcoming_and_past(patient)
    assert upcoming == []
    assert {b.pk for b in past} == {cancelled.pk, rejected.pk}


def test_a_booking_that_still_holds_its_place_stays_upcoming(book, patient, member, gigi_tomorrow, tomorrow):
    booking = book(member, gigi_tomorrow, tomorrow)
    upcoming, past = selectors.upcoming_and_past(patient)
    assert [b.pk for b in upcoming] == [booking.pk] and past == []


def test_cancelled_booking_page_shows_the_state_first_and_hides_number_time_and_documents(
    patient_client, book, patient, member, gigi_tomorrow, tomorrow
):
    booking = book(member, gigi_tomorrow, tomorrow)
    shown = patient_client.get(reverse("queueing:booking_detail", args=[booking.code])).content.decode()
    assert 'id="queue-label"' in shown and 'id="booking-documents"' in shown
    services.booking_cancel(booking=booking, actor=patient)
    html = patient_client.get(reverse("queueing:booking_detail", args=[booking.code])).content.decode()
    assert 'id="booking-state"' in html
    assert html.index('id="booking-state"') < html.index('id="booking-code"')
    for gone in ('id="queue-label"', 'id="estimated-time"', 'id="booking-documents"', 'id="print-link"'):
        assert gone not in html
    assert "Harap datang" not in html and "Please arrive" not in html


def test_rejected_booking_card_in_my_bookings_shows_the_state_without_the_number(
    patient_client, book, member, gigi_tomorrow, tomorrow, clerk
):
    booking = book(member, gigi_tomorrow, tomorrow)
    label = booking.label
    assert label  # instant mode: numbered at once
    services.booking_reject(booking=booking, actor=clerk, reason="Rujukan kedaluwarsa")
    html = patient_client.get(reverse("queueing:booking_list")).content.decode()
    card = html[html.index(f'data-code="{booking.code}"') :]
    card = card[: card.index('class="mt-1"')]
    assert 'class="booking-state"' in card
    assert label not in card
    assert "Rujukan kedaluwarsa" in html


def test_wizard_steps_say_leaving_the_form_not_cancelling(patient_client, member):
    response = patient_client.get(reverse("queueing:booking_start"), follow=True)
    html = response.content.decode()
    assert "Keluar dari formulir tanpa mengambil antrian" in html
    assert "Batal dan lihat Antrian Saya" not in html


def test_printed_slip_page_shows_the_mrn_formatted_and_the_long_date(
    patient_client, book, patient, gigi_tomorrow, tomorrow
):
    from portal.lib.dates import long_date
    from queueing.tests.conftest import make_member

    member = make_member(patient, "Budi Santoso", mrn="00012345")
    booking = book(member, gigi_tomorrow, tomorrow)
    html = patient_client.get(reverse("queueing:booking_print", args=[booking.code])).content.decode()
    assert "00-01-23-45" in html and ">00012345<" not in html
    assert long_date(tomorrow, language="id") in html


def test_pages_show_the_short_date(patient_client, book, member, gigi_tomorrow, tomorrow):
    from portal.lib.dates import short_date

    booking = book(member, gigi_tomorrow, tomorrow)
    html = patient_client.get(reverse("queueing:booking_detail", args=[booking.code])).content.decode()
    assert short_date(tomorrow, language="id") in html


def test_an_instant_booking_is_confirmed_by_e_mail_with_the_slip_link(
    book, patient, member, gigi_tomorrow, tomorrow, django_capture_on_commit_callbacks, settings
):
    from django.core import mail as outbox

    settings.SITE_URL = "https://antrean.rsud.example"
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(member, gigi_tomorrow, tomorrow)
    assert len(outbox.outbox) == 1
    message = outbox.outbox[0]
    assert message.to == [patient.email] and booking.label in message.subject
    assert f"https://antrean.rsud.example{reverse('queueing:booking_slip_pdf', args=[booking.code])}" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        again = book(member, gigi_tomorrow, tomorrow, token=booking.confirm_token)  # a double-click
    assert again.pk == booking.pk and len(outbox.outbox) == 1  # one e-mail, not two


def test_a_booking_waiting_for_verification_sends_no_confirmation_yet(
    book, member, gigi_tomorrow, tomorrow, cfg, django_capture_on_commit_callbacks
):
    from django.core import mail as outbox

    from queueing.models import BookingMode

    cfg.mode = BookingMode.VERIFICATION
    cfg.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(member, gigi_tomorrow, tomorrow)
    assert outbox.outbox == []
