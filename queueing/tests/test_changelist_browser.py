"""In Chromium at 1366x768: the clerk's booking list shows status and guarantor without scrolling sideways."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_account
from queueing import services
from queueing.desk.services import clerk_group_ensure
from queueing.tests.conftest import make_member, make_schedule
from queueing.tests.test_desk_browser import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_booking_list_fits_a_1366_screen_with_status_first_and_filters_folded(browser, live_server, guarantor_types):
    account = make_account("rina@example.com", "Rina Marlina Kusumawardhani")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in make_schedule("GIGI", "drg. Rina Puspitasari, Sp.KG") if s.weekday == tomorrow.weekday())
    for i in range(3):
        member = make_member(account, f"Anggota Keluarga Nomor {i}", relationship="child" if i else "self")
        services.booking_create(
            account=account,
            patient_id=member.pk,
            schedule_id=schedule.pk,
            date=tomorrow,
            guarantor_id=guarantor_types["umum"].pk,
            token=uuid.uuid4(),
        )
    clerk = make_account("petugas@rsud.example", "Siti Petugas", is_staff=True)
    clerk.groups.add(clerk_group_ensure())
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = context.new_page()
    page.base_url = live_server.url
    admin_login(page, clerk.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/queueing/booking/?tanggal=all")

    headers = page.locator("#result_list thead th").all_inner_texts()
    assert "STATUS" in headers[1].upper()  # after the action checkbox, status comes first
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    for column in ("status", "guarantor_column"):
        box = page.locator(f"#result_list td.field-{column}").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, column
    assert not page.locator("#changelist-filter").is_visible()  # folded
    assert page.locator("#filter-drawer > summary").is_visible()
    page.click("#filter-drawer > summary")
    assert page.locator("#changelist-filter").is_visible()
    context.close()
