"""The daily register, as a page and as CSV."""

from __future__ import annotations

import csv
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from families.validators import format_mrn
from portal.lib.spreadsheets import formula_safe
from queueing.desk import selectors as desk_selectors
from queueing.desk.forms import (
    RegisterForm,
    is_puskesmas,
)
from queueing.desk.views.access import VIEW, counter_facility, desk_view
from queueing.models import Booking, BookingChannel, BookingStatus

# Headers in the clerk's language: the file is opened by people in a spreadsheet, not by a program.
_CSV_COLUMNS = (
    gettext_lazy("Date"),
    gettext_lazy("Clinic"),
    gettext_lazy("Doctor"),
    gettext_lazy("Number"),
    gettext_lazy("Name"),
    gettext_lazy("Medical record number"),
    gettext_lazy("Guarantor"),
    gettext_lazy("Status"),
    gettext_lazy("Registered"),
    gettext_lazy("Registered through"),
)


_PCARE_CSV_COLUMNS = (gettext_lazy("Visit type"), gettext_lazy("Care"), gettext_lazy("Complaint"))


@desk_view(VIEW)
def register(request: HttpRequest) -> HttpResponse:
    """The day's register per clinic: print page, or CSV with ?format=csv."""
    facility = counter_facility(request)
    day, clinic = facility.local_today(), None
    form = RegisterForm(request.GET or None, initial={"date": day}, facility=facility)
    if form.is_valid():
        day = form.cleaned_data["date"] or day
        clinic = form.cleaned_data["clinic"]
    bookings = desk_selectors.daily_register(day, clinic.pk if clinic else None, facility=facility, user=request.user)
    # Each label translated once: get_status_display() rebuilds the choices on every call, a
    # tenth of the page's time on a day of 450 rows (issue 16).
    labels = {"status": _labels(BookingStatus.choices), "channel": _labels(BookingChannel.choices)}
    if request.GET.get("format") == "csv":
        return _register_csv(bookings, day, clinic, facility, labels)
    return render(
        request,
        "queueing/desk/register.html",
        {
            "form": form,
            "day": day,
            "clinic": clinic,
            "bookings": bookings,
            "facility": facility,
            "pcare": is_puskesmas(facility),
            "printed_at": facility.local_now(),
            "csv_query": urlencode({**request.GET.dict(), "format": "csv"}),
            "status_labels": labels["status"],
            "channel_labels": labels["channel"],
        },
    )


def _labels(choices: list[tuple[str, str]]) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _register_csv(bookings: list[Booking], day: dt.date, clinic, facility, labels: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = f"-{clinic.code.lower()}" if clinic else ""
    response["Content-Disposition"] = f'attachment; filename="register-{day:%Y-%m-%d}{suffix}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response)
    pcare = is_puskesmas(facility)
    writer.writerow([str(column) for column in _CSV_COLUMNS + (_PCARE_CSV_COLUMNS if pcare else ())])
    for b in bookings:
        pcare_cells = (b.get_visit_kind_display(), b.get_care_kind_display(), b.complaint) if pcare else ()
        writer.writerow(
            [
                formula_safe(v)
                for v in (
                    b.date.isoformat(),
                    b.clinic.name,
                    b.doctor.name,
                    b.label,
                    b.patient.full_name,
                    format_mrn(b.patient_mrn),
                    b.guarantor.name,
                    labels["status"][b.status],
                    facility.local_now(b.registered_at).strftime("%Y-%m-%d %H:%M"),
                    labels["channel"][b.channel],
                    *pcare_cells,
                )
            ]
        )
    return response
