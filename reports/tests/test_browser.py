"""In Chromium: a clerk opens the month's report and sees its three charts, drawn, under the CSP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.tests.test_csp_browser import admin_login, watch
from queueing.models import BookingStatus
from reports import charts
from reports.tests.conftest import make_clinic, make_patient, staff_member


def _fill(color) -> str:
    """A colour as renderSVG writes it (whole percentages)."""
    red, green, blue = (int(part * 100) for part in (color.red, color.green, color.blue))
    return f"rgb({red}%,{green}%,{blue}%)"


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_opens_the_month_s_report_and_sees_the_charts(page, visits, rsud):
    gigi = make_clinic(rsud, "GIGI", "Poli Gigi")
    umum = make_clinic(rsud, "UMUM", "Poli Umum")
    for day, schedule, sex in [(2, gigi, "L"), (2, umum, "P"), (3, gigi, "P"), (9, umum, "L")]:
        visits.add(make_patient(dt.date(1990, 1, 1), sex), schedule, dt.date(2026, 11, day))
    visits.add(make_patient(), gigi, dt.date(2026, 11, 9), status=BookingStatus.NO_SHOW)
    clerk = staff_member("petugas@rsud.example", rsud)
    problems = watch(page)

    admin_login(page, clerk.email)
    page.goto(f"{page.base_url}{reverse('reports:outpatient')}?month=2026-11")

    assert page.locator("h1").inner_text() == "Laporan bulanan rawat jalan"
    for key, title in [
        ("chart-clinics", "Kunjungan per poliklinik"),
        ("chart-days", "Kunjungan per hari"),
        ("chart-ages", "Kunjungan menurut golongan umur dan jenis kelamin"),
    ]:
        chart = page.locator(f"svg#{key}")
        assert chart.is_visible()
        assert chart.locator("title").text_content() == title
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 100  # drawn to the page's width, not collapsed
    # Two clinics' stacked bars, and bars in the pyramid for men and women (coloured, not default black).
    assert page.locator(f"svg#chart-clinics rect[fill='{_fill(charts.GREEN)}']").count() >= 2
    assert page.locator(f"svg#chart-ages rect[fill='{_fill(charts.BLUE)}']").count() >= 1
    assert page.locator(f"svg#chart-ages rect[fill='{_fill(charts.PINK)}']").count() >= 1
    assert page.locator("svg#chart-days path").count() > 0
    assert page.locator("#table-summary").inner_text().count("4") >= 1

    # The day link opens that day's figures.
    page.locator("#day-links a").get_by_text("9", exact=True).click()
    page.wait_for_url("**day=2026-11-09**")
    assert page.locator("h1").inner_text() == "Angka harian rawat jalan"

    assert problems == []
