"""In Chromium: a clerk rejects a request with a reason in the admin; the patient reads it in "My bookings"."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_account
from portal.tests.browser import browser_login
from queueing import services
from queueing.desk.services import clerk_group_ensure
from queueing.models import Booking, BookingMode, BookingSettings, BookingStatus
from queueing.tests.conftest import make_member, make_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_login(page, email: str, password: str) -> None:
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{page.base_url}/admin/")


def test_a_clerk_rejects_with_a_reason_and_the_patient_reads_it_and_may_book_again(page, guarantor_types):
    settings_row = BookingSettings.load()
    settings_row.mode = BookingMode.VERIFICATION
    settings_row.save()
    account = make_account("rina@example.com", "Rina Marlina")
    member = make_member(account, "Rina Marlina")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule("GIGI", "drg. Rina") if s.weekday == tomorrow.weekday())
    booking = services.booking_create(
        account=account,
        patient_id=member.pk,
        schedule_id=schedule.pk,
        date=tomorrow,
        guarantor_id=guarantor_types["umum"].pk,
        token=uuid.uuid4(),
    )
    clerk = make_account("petugas@rsud.example", "Siti Petugas", is_staff=True)
    clerk.groups.add(clerk_group_ensure())

    admin_login(page, clerk.email, PASSWORD)
    page.click("#desk-module a[href*='status__exact=requested']")
    page.click(f"text={booking.code}")
    page.click("#desk-reject")
    page.click("#reject-form input[type=submit]")  # empty: the browser itself refuses (required)
    assert page.locator("textarea[name=reason]").evaluate("el => el.validity.valueMissing")
    page.fill("textarea[name=reason]", "   ")  # only spaces: the server refuses, under the field
    page.click("#reject-form input[type=submit]")
    page.wait_for_selector("#reason-errors")
    field_box = page.locator("textarea[name=reason]").bounding_box()
    assert page.locator("#reason-errors").bounding_box()["y"] >= field_box["y"] + field_box["height"]
    page.fill("textarea[name=reason]", "Foto KTP tidak terbaca, mohon unggah ulang")
    page.click("#reject-form input[type=submit]")
    page.wait_for_url(f"**/admin/queueing/booking/{booking.pk}/change/")
    assert "Foto KTP tidak terbaca" in page.inner_text("#content")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REJECTED

    page.context.clear_cookies()
    browser_login(page, account.email, PASSWORD)
    page.goto(f"{page.base_url}/antrian/")
    assert "Foto KTP tidak terbaca, mohon unggah ulang" in page.inner_text("main")
    page.goto(f"{page.base_url}/antrian/{booking.code}/")
    page.click(f"a[href*='dari={booking.code}']")
    page.wait_for_url("**/ambil/**")
    assert Booking.objects.count() == 1


def test_a_clerk_of_two_facilities_switches_the_counter_in_the_header(page, guarantor_types):
    from facilities.models import Facility, FacilityMembership, FacilityRole, FacilityTimeZone, default_facility
    from queueing.models import Clinic, Doctor, Schedule

    rsud = default_facility()
    puskesmas = Facility.objects.create(
        name="Puskesmas Kuta", time_zone=FacilityTimeZone.WITA, kind="puskesmas", sort_order=1
    )
    for facility, code, doctor in ((rsud, "GIGI", "drg. Rina"), (puskesmas, "UMUM", "dr. Made Kuta")):
        clinic = Clinic.objects.create(facility=facility, code=code, name=f"Poli {code.title()}", prefix=code)
        doctor_row = Doctor.objects.create(facility=facility, name=doctor)
        for weekday in range(7):
            Schedule.objects.create(
                doctor=doctor_row,
                clinic=clinic,
                weekday=weekday,
                start_time=dt.time(0, 1),
                end_time=dt.time(23, 59),
                total_quota=20,
                online_quota=10,
            )
    clerk = make_account("dua@dinkes.example", "Clerk Dua", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    for facility in (rsud, puskesmas):
        FacilityMembership.objects.create(user=clerk, facility=facility, role=FacilityRole.CLERK)

    admin_login(page, clerk.email, PASSWORD)
    page.goto(f"{page.base_url}/antrian/loket/register/")
    assert page.inner_text("#desk-facility-name") == rsud.name
    page.select_option("#desk-facility-choice", str(puskesmas.pk))
    page.click("#desk-facility-switch button[type=submit]")
    page.wait_for_url("**/antrian/loket/register/")  # back on the same page, now at the puskesmas
    assert page.inner_text("#desk-facility-name") == "Puskesmas Kuta"
    page.goto(f"{page.base_url}/antrian/loket/")
    sessions = page.inner_text("#sessions")
    assert "dr. Made Kuta" in sessions and "drg. Rina" not in sessions
