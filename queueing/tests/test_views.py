"""Patient booking pages: the wizard, refusals under the fields, my bookings, cancel, print, privacy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse

from conftest import make_account
from queueing import services
from queueing.models import Booking, BookingStatus, Clinic, DayQuota
from queueing.tests.conftest import make_member, make_schedule

pytestmark = pytest.mark.usefixtures("umum")


def wizard_url(response) -> str:
    """The wizard step a response redirects to."""
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def start(client, query: str = "") -> str:
    return wizard_url(client.get(reverse("queueing:booking_start") + query))


def walk(client, patient, date, schedule, guarantor, **guarantor_fields) -> str:
    """Answer every step; returns the confirm page URL."""
    url = start(client)
    url = wizard_url(client.post(url, {"patient": patient.pk}))
    url = wizard_url(client.post(url, {"date": date.isoformat()}))
    url = wizard_url(client.post(url, {"guarantor_type": guarantor.code, **guarantor_fields}))
    url = wizard_url(client.post(url, {"clinic": schedule.clinic_id}))
    url = wizard_url(client.post(url, {"schedule": schedule.pk}))
    assert url.endswith("/konfirmasi/")
    return url


def confirm(client, url: str):
    token = re.search(r"/ambil/([0-9a-f]{32})/", url).group(1)
    return client.post(url, {"token": token})


def error_codes(form) -> set[str]:
    return {e.code for errors in form.errors.as_data().values() for e in errors}


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["queueing:booking_start", "queueing:booking_list"])
def test_anonymous_is_sent_to_login(client, name, db):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_unconfirmed_email_gets_a_resend_link_before_booking(client, db):
    account = make_account("baru@example.com", "Akun Baru")
    account.email_confirmed_at = None
    account.save()
    client.force_login(account)
    response = client.get(reverse("queueing:booking_start"))
    assert response.status_code == 200
    assert reverse("accounts:resend_confirmation") in response.content.decode()
    assert [p["code"] for p in response.context["problems"]] == ["email_unconfirmed"]


def test_incomplete_profile_gets_a_profile_link_before_booking(client, db):
    client.force_login(make_account("kosong@example.com", "Profil Kosong", occupation=""))
    response = client.get(reverse("queueing:booking_start"))
    assert [p["code"] for p in response.context["problems"]] == ["profile_incomplete"]
    assert reverse("accounts:profile") in response.content.decode()


# --- the wizard ---------------------------------------------------------------------------------------


def test_whole_flow_books_and_shows_label_time_and_code(patient_client, member, umum, gigi_tomorrow, tomorrow):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    page = patient_client.get(url)
    assert page.status_code == 200 and member.full_name in page.content.decode()
    response = confirm(patient_client, url)
    booking = Booking.objects.get()
    assert response["Location"] == reverse("queueing:booking_detail", args=[booking.code]) + "?baru=1"
    result = patient_client.get(response["Location"]).content.decode()
    assert "GIGI-001" in result and booking.code in result and "08:00" in result
    assert reverse("queueing:booking_print", args=[booking.code]) in result


def test_double_clicked_confirm_gives_one_booking(patient_client, member, umum, gigi_tomorrow, tomorrow):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    first, second = confirm(patient_client, url), confirm(patient_client, url)
    booking = Booking.objects.get()
    assert (
        first["Location"] == second["Location"] == reverse("queueing:booking_detail", args=[booking.code]) + "?baru=1"
    )


def test_a_finished_wizard_is_not_reopened(patient_client, member, child, umum, gigi_tomorrow, tomorrow):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    confirm(patient_client, url)
    booking = Booking.objects.get()
    response = patient_client.post(url.replace("/konfirmasi/", "/anggota/"), {"patient": child.pk})
    assert response["Location"] == reverse("queueing:booking_detail", args=[booking.code])
    assert Booking.objects.count() == 1


def test_a_finished_wizard_missing_an_answer_later_is_still_not_reopened(
    patient_client, member, child, umum, gigi_tomorrow, tomorrow
):
    """The steps ask for the wizard's booking only once it had every answer; that mark stays."""
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    confirm(patient_client, url)
    booking = Booking.objects.get()
    session = patient_client.session
    wid = re.search(r"/ambil/([0-9a-f]{32})/", url).group(1)
    del session["queueing_wizards"][wid]["schedule"]  # as a stale answer is forgotten
    session.save()
    response = patient_client.post(url.replace("/konfirmasi/", "/anggota/"), {"patient": child.pk})
    assert response["Location"] == reverse("queueing:booking_detail", args=[booking.code])
    assert Booking.objects.count() == 1


def test_two_tabs_keep_separate_wizards(patient_client, member, child, umum, gigi_tomorrow, tomorrow):
    first = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    second = walk(patient_client, child, tomorrow, gigi_tomorrow, umum)
    confirm(patient_client, first), confirm(patient_client, second)
    assert sorted(Booking.objects.values_list("patient__full_name", "number")) == [
        (child.full_name, 2),
        (member.full_name, 1),
    ]


def test_steps_cannot_be_skipped(patient_client, member):
    url = start(patient_client)
    response = patient_client.get(url.replace("/anggota/", "/konfirmasi/"))
    assert response["Location"] == url


def test_an_account_without_members_is_sent_to_add_a_member_not_to_the_dashboard(patient_client):
    page = patient_client.get(start(patient_client))

    add_link = re.search(r'<a href="([^"]+)"[^>]*id="add-member"', page.content.decode()).group(1)
    assert add_link == reverse("families:member_add_new")
    assert patient_client.get(add_link).status_code == 200


def test_a_member_missing_data_links_to_their_own_completion_page(patient_client, patient):
    incomplete = make_member(patient, "Bima", relationship="child", nik="", address_village="")
    response = patient_client.get(start(patient_client))

    members = {m["patient"].pk: m for m in response.context["members"]}
    assert members[incomplete.pk]["edit_url"].startswith(reverse("families:member_complete", args=[incomplete.pk]))


def test_member_with_missing_data_is_refused_with_a_link_to_complete_it(patient_client, patient):
    incomplete = make_member(patient, "Bima", relationship="child", nik="", address_village="")
    url = start(patient_client)
    response = patient_client.post(url, {"patient": incomplete.pk})
    assert response.status_code == 200
    assert error_codes(response.context["form"]) == {"member_incomplete"}
    page = response.content.decode()
    assert "invalid-feedback" in page or "is-invalid" in page
    members = {m["patient"].pk: m for m in response.context["members"]}
    assert members[incomplete.pk]["missing"] and members[incomplete.pk]["edit_url"] in page


def test_closed_days_are_not_offered_and_refused_if_posted(patient_client, member, gigi, cfg):
    url = wizard_url(patient_client.post(start(patient_client), {"patient": member.pk}))
    offered = [value for value, _label in patient_client.get(url).context["form"].fields["date"].choices if value]
    assert len(offered) == cfg.latest_days_ahead - cfg.earliest_days_ahead + 1
    too_far = dt.date.today() + dt.timedelta(days=cfg.latest_days_ahead + 3)
    response = patient_client.post(url, {"date": too_far.isoformat()})
    assert error_codes(response.context["form"]) == {"date_unavailable"}


def test_bpjs_card_number_error_shows_under_the_field(patient_client, member, bpjs, gigi_tomorrow, tomorrow):
    url = wizard_url(patient_client.post(start(patient_client), {"patient": member.pk}))
    url = wizard_url(patient_client.post(url, {"date": tomorrow.isoformat()}))
    response = patient_client.post(url, {"guarantor_type": bpjs.code, "card_number": "123", "referral_number": ""})
    form = response.context["form"]
    assert {e.code for e in form.errors.as_data()["card_number"]} == {"card_format"}
    assert {e.code for e in form.errors.as_data()["referral_number"]} == {"referral_required"}
    assert 'id="error_1_id_card_number"' in response.content.decode()


def test_bpjs_card_number_with_spaces_is_accepted(patient_client, member, bpjs, gigi_tomorrow, tomorrow):
    url = walk(
        patient_client,
        member,
        tomorrow,
        gigi_tomorrow,
        bpjs,
        card_number="0001 2345 67890",
        referral_number="0301R0011117B000001",
    )
    confirm(patient_client, url)
    assert Booking.objects.get().card_number == "0001234567890"


def test_full_doctor_is_shown_and_refused(patient_client, patient, member, umum, tomorrow, book):
    schedule = next(s for s in make_schedule("MATA", "dr. Agus", online=1) if s.weekday == tomorrow.weekday())
    book(make_member(patient, "Lain", relationship="child"), schedule, tomorrow)
    url = wizard_url(patient_client.post(start(patient_client), {"patient": member.pk}))
    url = wizard_url(patient_client.post(url, {"date": tomorrow.isoformat()}))
    url = wizard_url(patient_client.post(url, {"guarantor_type": umum.code}))
    url = wizard_url(patient_client.post(url, {"clinic": schedule.clinic_id}))
    page = patient_client.get(url).content.decode()
    assert "dr. Agus" in page and "08:00–12:00" in page and "penuh" in page  # Indonesian by default
    response = patient_client.post(url, {"schedule": schedule.pk})
    assert error_codes(response.context["form"]) == {"full"}


def test_place_taken_meanwhile_is_a_form_error_not_a_500(patient_client, patient, member, umum, tomorrow, book):
    schedule = next(s for s in make_schedule("MATA", "dr. Agus", online=1) if s.weekday == tomorrow.weekday())
    url = walk(patient_client, member, tomorrow, schedule, umum)
    book(make_member(patient, "Lebih cepat", relationship="child"), schedule, tomorrow)
    response = confirm(patient_client, url)
    assert response.status_code == 200
    assert error_codes(response.context["form"]) == {"full"}
    assert 'id="confirm-errors"' in response.content.decode()
    assert Booking.objects.filter(patient=member).count() == 0


def test_second_booking_same_day_is_refused_on_the_confirm_page(
    patient_client, member, umum, gigi_tomorrow, tomorrow, book
):
    book(member, gigi_tomorrow, tomorrow)
    other = next(s for s in make_schedule("UMUM", "dr. Andi") if s.weekday == tomorrow.weekday())
    url = walk(patient_client, member, tomorrow, other, umum)
    response = confirm(patient_client, url)
    assert response.status_code == 200
    assert error_codes(response.context["form"]) == {"already_booked"}
    assert 'id="confirm-errors"' in response.content.decode()


def test_another_accounts_member_cannot_be_chosen(patient_client, other_patient):
    stranger = make_member(other_patient, "Joko", sex="L")
    response = patient_client.post(start(patient_client), {"patient": stranger.pk})
    assert error_codes(response.context["form"]) == {"invalid_choice"}


# --- my bookings, detail, cancel, print ------------------------------------------------------------------


def test_my_bookings_lists_upcoming_with_history(patient_client, member, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    page = patient_client.get(reverse("queueing:booking_list")).content.decode()
    assert booking.code in page and "GIGI-001" in page
    assert reverse("queueing:booking_cancel", args=[booking.code]) in page


def test_booking_pages_are_not_cached(patient_client, member, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    for url in (
        reverse("queueing:booking_detail", args=[booking.code]),
        reverse("queueing:booking_list"),
        start(patient_client),
    ):
        assert "no-store" in patient_client.get(url)["Cache-Control"]


def test_dashboard_shows_upcoming_queues_and_the_book_button(patient_client, member, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    page = patient_client.get(reverse("dashboard")).content.decode()
    assert 'id="book-queue"' in page and "GIGI-001" in page
    assert reverse("queueing:booking_detail", args=[booking.code]) in page


def test_another_account_gets_404_for_my_booking(client, other_patient, member, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    client.force_login(other_patient)
    for name in ("booking_detail", "booking_cancel", "booking_print"):
        assert client.get(reverse(f"queueing:{name}", args=[booking.code])).status_code == 404
    assert client.post(reverse("queueing:booking_cancel", args=[booking.code])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VERIFIED


def test_cancel_frees_the_place(patient_client, member, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    url = reverse("queueing:booking_cancel", args=[booking.code])
    assert patient_client.get(url).status_code == 200
    response = patient_client.post(url)
    assert response["Location"] == reverse("queueing:booking_detail", args=[booking.code])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert DayQuota.objects.get().active_count == 0


def test_cancel_after_the_cut_off_shows_why(patient_client, member, tomorrow, book, cfg):
    schedule = next(
        s for s in make_schedule("UMUM", "dr. Andi", start="00:30", end="04:00") if s.weekday == tomorrow.weekday()
    )
    booking = book(member, schedule, tomorrow)
    cfg.cancel_cutoff_hours = 30
    cfg.save()
    response = patient_client.post(reverse("queueing:booking_cancel", args=[booking.code]))
    assert response.status_code == 400 and response.context["error"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VERIFIED


def test_printable_slip_shows_label_and_code(patient_client, member, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    page = patient_client.get(reverse("queueing:booking_print", args=[booking.code])).content.decode()
    assert "GIGI-001" in page and booking.code in page and "slip.css" in page


def test_pdf_slip_is_served_to_the_family_only(
    patient_client, client, other_patient, member, gigi_tomorrow, tomorrow, book
):
    pytest.importorskip("queueing.slips")
    booking = book(member, gigi_tomorrow, tomorrow)
    url = reverse("queueing:booking_slip_pdf", args=[booking.code])
    response = patient_client.get(url + "?format=thermal")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(other_patient)
    assert client.get(url).status_code == 404


def test_book_again_after_rejection_starts_prefilled(patient_client, member, clerk, gigi_tomorrow, tomorrow, book):
    booking = book(member, gigi_tomorrow, tomorrow)
    services.booking_reject(booking=booking, actor=clerk, reason="Data tidak sesuai")
    detail = patient_client.get(reverse("queueing:booking_detail", args=[booking.code])).content.decode()
    assert "Data tidak sesuai" in detail
    url = start(patient_client, f"?dari={booking.code}")
    assert url.endswith("/tanggal/")
    url = wizard_url(patient_client.post(url, {"date": tomorrow.isoformat()}))
    assert url.endswith("/dokter/")  # patient, guarantor and clinic kept
    url = wizard_url(patient_client.post(url, {"schedule": gigi_tomorrow.pk}))
    confirm(patient_client, url)
    assert Booking.objects.filter(status=BookingStatus.VERIFIED).get().number == 2


def test_verification_mode_result_says_waiting(patient_client, member, umum, gigi_tomorrow, tomorrow, cfg):
    cfg.mode = "verification"
    cfg.save()
    response = confirm(patient_client, walk(patient_client, member, tomorrow, gigi_tomorrow, umum))
    page = patient_client.get(response["Location"])
    booking = page.context["booking"]
    assert booking.status == BookingStatus.REQUESTED and booking.number is None
    assert reverse("queueing:booking_print", args=[booking.code]) not in page.content.decode()


# --- query counts: no N+1 ------------------------------------------------------------------------------


# The budgets below hold with cold per-process caches (open days and clinics, guarantor types,
# facilities, settings: kept for seconds); with warm ones the step pages cost 1-4 fewer.
@pytest.mark.parametrize("count", [1, 9])
def test_my_bookings_page_query_count_does_not_grow(
    patient_client, patient, gigi_tomorrow, tomorrow, book, django_assert_max_num_queries, count
):
    for i in range(count):
        book(make_member(patient, f"Anak {i}", relationship="child"), gigi_tomorrow, tomorrow)
    with django_assert_max_num_queries(7):
        assert patient_client.get(reverse("queueing:booking_list")).status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_doctor_and_clinic_steps_query_count_does_not_grow(
    patient_client, member, umum, tomorrow, django_assert_max_num_queries, count
):
    for i in range(count):
        make_schedule(f"P{i}", f"dr. Umum {i}", weekdays=[tomorrow.weekday()])
        make_schedule("P0", f"dr. Lain {i}", weekdays=[tomorrow.weekday()], start="13:00", end="15:00")
    url = wizard_url(patient_client.post(start(patient_client), {"patient": member.pk}))
    with django_assert_max_num_queries(7):
        assert patient_client.get(url).status_code == 200  # date step
    url = wizard_url(patient_client.post(url, {"date": tomorrow.isoformat()}))
    url = wizard_url(patient_client.post(url, {"guarantor_type": umum.code}))
    with django_assert_max_num_queries(7):
        assert patient_client.get(url).status_code == 200  # clinic step
    url = wizard_url(patient_client.post(url, {"clinic": Clinic.objects.get(code="P0").pk}))
    with django_assert_max_num_queries(8):
        response = patient_client.get(url)  # doctor step
    assert len(response.context["offers"]) == count + 1


@pytest.mark.parametrize("count", [1, 8])
def test_member_step_query_count_does_not_grow(patient_client, patient, cfg, django_assert_max_num_queries, count):
    for i in range(count):
        make_member(patient, f"Anggota {i}", relationship="other")
    url = start(patient_client)
    with django_assert_max_num_queries(5):
        assert patient_client.get(url).status_code == 200


def test_confirm_post_stays_lean(
    patient_client, patient, member, umum, gigi_tomorrow, tomorrow, book, django_assert_max_num_queries
):
    book(make_member(patient, "Lain", relationship="child"), gigi_tomorrow, tomorrow)  # the day's counter exists
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    # session, user, member and offer (with the clinic and doctor the confirmation names) in one
    # read, then the write: one round trip on PostgreSQL (two inserts and two updates elsewhere),
    # in a savepoint inside the test's transaction; then one INSERT of the confirmation message
    # (notifications.notify: the account row already says which channels; the worker's task row
    # follows the commit, outside this count).
    with django_assert_max_num_queries(7 if connection.vendor == "postgresql" else 11):
        assert confirm(patient_client, url).status_code == 302
    assert Booking.objects.get(patient=member).label == "GIGI-002"


def test_confirm_post_writes_no_session(patient_client, member, umum, gigi_tomorrow, tomorrow):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    before = dict(patient_client.session.items())
    response = confirm(patient_client, url)
    assert response.status_code == 302 and "sessionid" not in response.cookies  # saved sessions set the cookie
    assert dict(patient_client.session.items()) == before
