"""The report as titled tables: the one layout the page, the PDF, the XLSX and the CSV all print."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.lib.dates import short_date
from reports.selectors import Counts, Report


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list]
    note: str = ""


def _count_header() -> list[str]:
    return [_("Visits"), _("New"), _("Returning"), _("Cancelled"), _("Rejected"), _("No-show"), _("Bookings")]


def _count_cells(counts: Counts) -> list[int]:
    return [
        counts.visits,
        counts.new,
        counts.returning,
        counts.cancelled,
        counts.rejected,
        counts.no_show,
        counts.bookings,
    ]


def waits_table(report: Report) -> Table:
    header = [
        _("Clinic"),
        _("Visits timed"),
        _("Arrival to call, median (min)"),
        _("Arrival to call, 90th percentile (min)"),
        _("Call to done, median (min)"),
        _("Call to done, 90th percentile (min)"),
    ]
    rows = [[w.clinic, w.visits, w.wait_median, w.wait_p90, w.service_median, w.service_p90] for w in report.waits]
    note = (
        ""
        if rows
        else _(
            "Not available: no visit in this period has its arrival, call and done times recorded"
            " (they are taken on the visit day's calling pages)."
        )
    )
    return Table("waits", _("Waiting times"), header, rows, note)


def report_tables(report: Report) -> list[Table]:
    totals = report.totals
    return [
        Table(
            "summary",
            _("Summary"),
            [_("Figure"), _("Count")],
            [[label, value] for label, value in zip(_count_header(), _count_cells(totals), strict=True)],
        ),
        Table(
            "clinics",
            _("Visits per clinic"),
            [_("Facility"), _("Clinic"), *_count_header()],
            [[facility, clinic, *_count_cells(counts)] for facility, clinic, counts in report.clinics],
        ),
        Table(
            "days",
            _("Visits per day"),
            [_("Date"), *_count_header()],
            [[short_date(day), *_count_cells(counts)] for day, counts in report.days],
        ),
        Table(
            "guarantors", _("Visits per guarantor"), [_("Guarantor"), _("Visits")], [list(r) for r in report.guarantors]
        ),
        Table(
            "channels",
            _("Registration channel"),
            [_("Channel"), _("Bookings"), _("Visits")],
            [[label, bookings, visits] for _value, label, bookings, visits in report.channels],
        ),
        Table(
            "ages",
            _("Visits by age group and sex"),
            [_("Age group"), _("Male"), _("Female"), _("Total")],
            [[band, male, female, male + female] for band, male, female in report.age_sex],
        ),
        waits_table(report),
    ]
