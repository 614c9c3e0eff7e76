"""In Chromium, under the Content-Security-Policy: the wizard, the counter desk and the admin work with no violation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_account
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from portal.tests.browser import browser_login
from queueing import services
from queueing.desk.services import clerk_group_ensure
from queueing.models import Booking, BookingMode, BookingSettings, BookingStatus
from queueing.tests.conftest import make_member, make_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page) -> list[str]:
    """Every CSP violation Chromium reports in the console, and every script error, lands in the list."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems


def admin_login(page, email: str) -> None:
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{page.base_url}/admin/")


def a_requested_booking(tomorrow: dt.date) -> Booking:
    ensure_types(GuarantorType)  # a transactional test before this one may have flushed the seeded types
    settings_row = BookingSettings.load()
    settings_row.mode = BookingMode.VERIFICATION
    settings_row.save()
    account = make_account("rina@example.com", "Rina Marlina")
    member = make_member(account, "Rina Marlina")
    schedule = next(s for s in make_schedule("GIGI", "drg. Rina") if s.weekday == tomorrow.weekday())
    return services.booking_create(
        account=account,
        patient_id=member.pk,
        schedule_id=schedule.pk,
        date=tomorrow,
        guarantor_id=GuarantorType.objects.get(code="umum").pk,
        token=uuid.uuid4(),
    )


def test_the_booking_wizard_and_my_bookings_work_with_no_policy_violation(page):
    ensure_types(GuarantorType)
    BookingSettings.load()
    account = make_account("rina@example.com", "Rina Marlina")
    member = make_member(account, "Rina Marlina")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule("GIGI", "drg. Rina") if s.weekday == tomorrow.weekday())
    problems = watch(page)

    browser_login(page, account.email, PASSWORD)
    page.goto(f"{page.base_url}/antrian/ambil/")
    page.check(f"input[name=patient][value='{member.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/tanggal/")
    assert page.locator("progress.wizard-progress").get_attribute("value") == "2"
    page.select_option("#id_date", tomorrow.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/penjamin/")
    assert not page.is_visible("#id_card_number")  # the static script runs: nothing chosen, no card asked
    page.check("input[name=guarantor_type][value='bpjs-kesehatan']")
    assert page.is_visible("#id_referral_number")
    page.check("input[name=guarantor_type][value='umum']")
    assert not page.is_visible("#id_referral_number")
    page.click("#next-button")
    page.wait_for_url("**/poli/")
    page.check(f"input[name=clinic][value='{schedule.clinic_id}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dokter/")
    page.check(f"input[name=schedule][value='{schedule.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/konfirmasi/")
    page.click("#confirm-button")
    page.wait_for_url("**/?baru=1")
    booking = Booking.objects.get()
    page.click("#print-link")
    page.wait_for_url(f"**/{booking.code}/cetak/")
    page.goto(f"{page.base_url}/antrian/")
    page.goto(f"{page.base_url}/antrian/{booking.code}/batal/")

    assert problems == []


def test_the_counter_desk_works_with_no_policy_violation(page):
    booking = a_requested_booking(timezone.localdate() + dt.timedelta(days=1))
    clerk = make_account("petugas@rsud.example", "Siti Petugas", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    problems = watch(page)

    admin_login(page, clerk.email)
    page.goto(f"{page.base_url}{reverse('queueing:desk_home')}")
    page.goto(f"{page.base_url}{reverse('queueing:desk_check_in')}")
    assert page.evaluate("document.activeElement.id") == "checkin-code"  # the static script focused it
    page.keyboard.type(booking.code)  # as a scanner does
    page.keyboard.press("Enter")
    page.wait_for_selector("#checkin-problem")  # tomorrow's booking: not today, said in a red box
    assert page.evaluate("document.activeElement.id") == "checkin-code"
    page.goto(f"{page.base_url}{reverse('queueing:desk_register')}")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("#register-print")
    assert page.evaluate("window.printed") is True  # the static print script ran
    page.goto(f"{page.base_url}{reverse('queueing:desk_walk_in')}")
    page.goto(f"{page.base_url}{reverse('queueing:desk_paper')}")

    assert problems == []


def test_the_admin_booking_list_and_page_work_with_no_policy_violation(page):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    booking = a_requested_booking(tomorrow)
    clerk = make_account("petugas@rsud.example", "Siti Petugas", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    problems = watch(page)

    admin_login(page, clerk.email)
    page.click("#desk-module a[href*='status__exact=requested']")
    page.wait_for_selector("#result_list")
    page.click("#filter-drawer > summary")  # the filters are folded so that the list fits the screen
    page.click("#changelist-filter a[href*='status__exact=requested']")  # a filter
    page.fill("#searchbar", booking.code)  # the search box
    page.press("#searchbar", "Enter")
    page.wait_for_url("**q=*")
    page.check("#action-toggle")  # actions.js: select every row, the counter follows
    assert page.is_checked(f"input.action-select[value='{booking.pk}']")
    assert "1" in page.inner_text(".action-counter")
    page.select_option("select[name=action]", "reject_bookings")
    page.click("button[name=index]")
    page.wait_for_selector("textarea[name=reason], input[name=reason]")
    page.go_back()

    page.goto(f"{page.base_url}/admin/queueing/booking/{booking.pk}/change/")
    assert (
        page.evaluate("getComputedStyle(document.getElementById('desk-reject')).backgroundColor") == "rgb(186, 33, 33)"
    )  # the static admin stylesheet applies
    page.click("#desk-reject")
    page.fill("textarea[name=reason]", "Foto KTP tidak terbaca")
    page.click("#reject-form input[type=submit]")
    page.wait_for_url(f"**/admin/queueing/booking/{booking.pk}/change/")
    booking.refresh_from_db()

    assert booking.status == BookingStatus.REJECTED
    assert problems == []


def test_admin_pages_with_django_widgets_work_with_no_policy_violation(page, admin_user):
    member = make_member(admin_user, "Rina Marlina")
    problems = watch(page)

    admin_login(page, admin_user.email)
    page.goto(f"{page.base_url}/admin/families/patient/{member.pk}/change/")
    page.click(".datetimeshortcuts a >> nth=1")  # DateTimeShortcuts.js: the calendar opens
    page.wait_for_selector(".calendarbox", state="visible")
    page.click(".calendarbox .calendarnav-previous")
    page.keyboard.press("Escape")
    page.goto(f"{page.base_url}/admin/accounts/user/")
    page.click("#changelist-filter a >> nth=1")
    page.goto(f"{page.base_url}/admin/accounts/user/{admin_user.pk}/change/")
    page.goto(f"{page.base_url}/admin/auth/group/add/")
    page.wait_for_selector("#id_permissions_add_all, .selector")  # SelectFilter2.js builds the two lists
    page.click("#id_permissions_add_all")  # "choose all"
    page.click("button.theme-toggle")  # the colour-theme switch (theme.js)

    assert problems == []
