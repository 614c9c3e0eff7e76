"""In a real browser: from the dashboard through every step to the result page and the slip."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_account
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from portal.tests.browser import browser_login
from queueing.models import Booking, BookingSettings
from queueing.tests.conftest import make_member, make_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_step(page, path: str) -> None:
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/{path}/")


def test_patient_books_from_the_dashboard_to_the_result_page_and_prints_the_slip(page):
    BookingSettings.load()
    account = make_account("rina@example.com", "Rina Marlina")
    member = make_member(account, "Rina Marlina")
    ensure_types(GuarantorType)  # a transactional test before this one may have flushed the seeded types
    bpjs = GuarantorType.objects.get(code="bpjs-kesehatan")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule("GIGI", "drg. Rina Kusumawati") if s.weekday == tomorrow.weekday())

    browser_login(page, account.email, PASSWORD)
    page.click("#book-queue")
    page.wait_for_url("**/anggota/")
    page.check(f"input[name=patient][value='{member.pk}']")
    next_step(page, "tanggal")
    page.select_option("#id_date", tomorrow.isoformat())
    next_step(page, "penjamin")

    page.check(f"input[name=guarantor_type][value='{bpjs.code}']")
    page.fill("#id_card_number", "12345")
    page.fill("#id_referral_number", "0301R0011117B000001")
    page.click("main form button[type=submit]")
    error = page.locator("#error_1_id_card_number")
    error.wait_for()
    card_box, error_box = page.locator("#id_card_number").bounding_box(), error.bounding_box()
    assert error_box["y"] >= card_box["y"] + card_box["height"]  # red text right under the field
    assert error.evaluate("el => getComputedStyle(el.closest('.invalid-feedback')).color") == "rgb(220, 53, 69)"
    page.fill("#id_card_number", "0001234567890")
    page.click("#next-button")
    page.wait_for_url("**/poli/")

    page.check(f"input[name=clinic][value='{schedule.clinic_id}']")
    next_step(page, "dokter")
    assert "08:00–12:00" in page.inner_text("main")
    page.check(f"input[name=schedule][value='{schedule.pk}']")
    next_step(page, "konfirmasi")
    assert "Rina Marlina" in page.inner_text("#confirm-summary")

    page.dblclick("#confirm-button")  # an impatient double click
    page.wait_for_url("**/?baru=1")
    booking = Booking.objects.get()
    assert page.inner_text("#queue-label") == "GIGI-001"
    assert page.inner_text("#estimated-time") == "08:00"
    assert page.inner_text("#booking-code") == booking.code
    assert booking.card_number == "0001234567890"

    page.click("#print-link")
    page.wait_for_url(f"**/{booking.code}/cetak/")
    assert page.inner_text("#slip-label") == "GIGI-001"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.no-print')).display") != "none"
    page.emulate_media(media="print")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.no-print')).display") == "none"
    assert Booking.objects.count() == 1


def _umum_day(name: str):
    BookingSettings.load()
    account = make_account(f"{name.split()[0].lower()}@example.com", name)
    member = make_member(account, name)
    ensure_types(GuarantorType)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule("GIGI", "drg. Rina Kusumawati") if s.weekday == tomorrow.weekday())
    return account, member, tomorrow, schedule


def _answer_every_step(page, member, tomorrow, schedule) -> None:
    page.check(f"input[name=patient][value='{member.pk}']")
    next_step(page, "tanggal")
    page.select_option("#id_date", tomorrow.isoformat())
    next_step(page, "penjamin")
    page.check("input[name=guarantor_type][value='umum']")
    page.click("#next-button")
    page.wait_for_url("**/poli/")
    page.check(f"input[name=clinic][value='{schedule.clinic_id}']")
    next_step(page, "dokter")
    page.check(f"input[name=schedule][value='{schedule.pk}']")
    next_step(page, "konfirmasi")


def _book_to_the_confirm_page(page, name: str) -> tuple[list, object, object]:
    """Sign in, then from the dashboard to the confirm page; each booking request as (kind, status)."""
    account, member, tomorrow, schedule = _umum_day(name)
    browser_login(page, account.email, PASSWORD)
    seen = []
    page.on("response", lambda r: "/antrian/" in r.url and seen.append((r.request.resource_type, r.status)))
    page.click("#book-queue")
    page.wait_for_url("**/anggota/")
    _answer_every_step(page, member, tomorrow, schedule)
    return seen, member, schedule


def test_each_step_is_one_request_and_back_returns_to_the_step_before(page):
    seen, member, schedule = _book_to_the_confirm_page(page, "Dewi Lestari")
    # The start and five answers: six requests, each answered with the next page itself (no redirect)
    assert seen == [("fetch", 200)] * 6

    page.go_back()  # the doctor step again, fresh from the server (the browser keeps no copy)
    page.wait_for_url("**/dokter/")
    page.locator(f"input[name=schedule][value='{schedule.pk}']").wait_for()
    assert "drg. Rina Kusumawati" in page.inner_text("main")
    page.check(f"input[name=schedule][value='{schedule.pk}']")
    next_step(page, "konfirmasi")
    page.click("#confirm-button")
    page.wait_for_url("**/?baru=1")
    assert page.inner_text("#queue-label") == "GIGI-001"
    assert Booking.objects.get().patient == member


def test_without_javascript_the_steps_post_and_redirect_as_before(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 412, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        seen, _member, _schedule = _book_to_the_confirm_page(page, "Wulan Sari")
        assert {kind for kind, _status in seen} == {"document"} and seen.count(("document", 302)) == 6
        page.click("#confirm-button")
        page.wait_for_url("**/?baru=1")
        assert page.inner_text("#queue-label") == "GIGI-001"
    finally:
        context.close()


def test_a_refused_answer_adds_no_step_to_back_and_focus_goes_to_the_field(page):
    account, member, tomorrow, schedule = _umum_day("Ratna Dewi")
    browser_login(page, account.email, PASSWORD)
    page.click("#book-queue")
    page.wait_for_url("**/anggota/")
    page.check(f"input[name=patient][value='{member.pk}']")
    next_step(page, "tanggal")
    assert page.evaluate("document.activeElement.tagName") == "H1"  # a screen reader hears the new step
    page.select_option("#id_date", tomorrow.isoformat())
    next_step(page, "penjamin")
    page.click("#next-button")  # no guarantor chosen: refused, in place
    page.locator("#error_1_id_guarantor_type").wait_for()
    # Focus moves once the page is in place and its address noted (the same address: replaced, not added)
    page.wait_for_function("document.activeElement && document.activeElement.name === 'guarantor_type'")
    page.go_back()  # one step back is the date step, not the refused guarantor page again
    page.wait_for_url("**/tanggal/")
    page.locator("#id_date").wait_for()
