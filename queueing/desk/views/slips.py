"""Slips for the counter's printer, and the blank manual form for outages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from queueing import selectors
from queueing.desk import selectors as desk_selectors
from queueing.desk.forms import (
    is_puskesmas,
)
from queueing.desk.pdf import manual_form_pdf
from queueing.desk.views.access import VIEW, counter_facility, desk_view
from queueing.models import Booking
from queueing.slips import FORMATS, render_slip, render_slips


@desk_view(VIEW)
def slips_pdf(request: HttpRequest) -> HttpResponse:
    """One or several slips as one PDF (?kode=...&kode=...&format=thermal|a6), for staff."""
    bookings = [
        b
        for b in desk_selectors.bookings_by_codes(request.GET.getlist("kode"), request.user)
        if selectors.slip_printable(b)
    ]
    if not bookings:
        raise Http404
    return slips_response(bookings, request.GET.get("format"))


def slips_response(bookings: list[Booking], fmt: str | None) -> HttpResponse:
    fmt = fmt if fmt in FORMATS else "thermal"
    data = [selectors.slip_data(b) for b in bookings]
    pdf = render_slip(data[0], fmt) if len(data) == 1 else render_slips(data, fmt)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = bookings[0].code if len(bookings) == 1 else f"{len(bookings)}"
    response["Content-Disposition"] = f'inline; filename="antrian-{name}.pdf"'
    response["Cache-Control"] = "private, no-store"  # patient data
    return response


@desk_view(VIEW)
def manual_form(request: HttpRequest) -> HttpResponse:
    try:
        pages = int(request.GET.get("lembar", 1))
    except ValueError:
        pages = 1
    facility = counter_facility(request)
    pdf = manual_form_pdf(facility, pages, pcare=is_puskesmas(facility))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="formulir-pendaftaran-manual.pdf"'
    return response
