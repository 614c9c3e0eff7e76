"""Figures for the health office (Dinas Kesehatan): counts only, never a patient's identity."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet

from facilities.models import Facility
from queueing.models import Booking, BookingStatus

# A booking that never became a visit is left out of the figures.
NOT_COUNTED = (BookingStatus.CANCELLED, BookingStatus.REJECTED)


def booking_counts(start: dt.date, end: dt.date, facility: Facility | None = None) -> QuerySet:
    """Bookings per facility, clinic, day and guarantor between two dates (inclusive): rows of names and a count.

    Only grouping columns and a count leave the database: no patient, code or number does.
    """
    bookings = Booking.objects.filter(date__range=(start, end))
    if facility is not None:
        bookings = bookings.filter(clinic__facility=facility)
    return (
        bookings.exclude(status__in=NOT_COUNTED)
        .values("clinic__facility__name", "clinic__name", "date", "guarantor__name")
        .annotate(n=Count("pk"))
        .order_by(
            "clinic__facility__sort_order",
            "clinic__facility__name",
            "clinic__sort_order",
            "clinic__name",
            "date",
            "guarantor__name",
        )
    )


def facility_totals(rows: list[dict]) -> list[tuple[str, int]]:
    """The per-facility total of the rows, in their order."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["clinic__facility__name"]] = totals.get(row["clinic__facility__name"], 0) + row["n"]
    return list(totals.items())
