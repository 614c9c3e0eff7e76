"""The kiosk (Anjungan Pendaftaran Mandiri, seed 004): take a counter ticket, or check in with a booking code.

Touch pages for a kiosk device account (visitday.kiosk.access). What a kiosk printed is kept in
its session for a few minutes: a ticket or slip PDF is served only to the kiosk that made it, so
a code typed on a kiosk never opens somebody else's slip later.
"""

from __future__ import annotations

import time
from dataclasses import replace

from csp.decorators import csp_replace
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from queueing import selectors
from queueing.desk import selectors as desk_selectors
from queueing.desk import services as desk_services
from queueing.models import CODE_ALPHABET, Booking, Clinic
from queueing.slips import render_slip
from visitday import selectors as visit_selectors
from visitday import services
from visitday.kiosk.access import kiosk_view
from visitday.kiosk.forms import KioskCheckInForm
from visitday.models import Ticket, TicketLine
from visitday.pdf import ticket_pdf

PRINTED_KEY = "kiosk_printed"
PRINTED_SECONDS = 10 * 60  # how long the kiosk may fetch what it printed (the printer may be slow)


def _remember(request: HttpRequest, kind: str, key: str) -> None:
    now = time.time()
    kept = [item for item in request.session.get(PRINTED_KEY, []) if now - item[2] < PRINTED_SECONDS]
    request.session[PRINTED_KEY] = [*kept[-19:], [kind, key, now]]


def _printed(request: HttpRequest, kind: str, key: str) -> bool:
    now = time.time()
    return any(k == kind and v == key and now - t < PRINTED_SECONDS for k, v, t in request.session.get(PRINTED_KEY, []))


def _context(request: HttpRequest, **extra) -> dict:
    return {"facility": request.kiosk_facility, "idle_seconds": settings.KIOSK_IDLE_SECONDS, **extra}


@kiosk_view
def kiosk_home(request: HttpRequest) -> HttpResponse:
    return render(request, "visitday/kiosk/home.html", _context(request))


@kiosk_view
def kiosk_lines(request: HttpRequest) -> HttpResponse:
    """Tambah antrean: one huge button per line."""
    lines = visit_selectors.kiosk_lines(request.kiosk_facility)
    return render(request, "visitday/kiosk/lines.html", _context(request, lines=lines))


@kiosk_view
@require_http_methods(["GET", "POST"])
def kiosk_take(request: HttpRequest, line_id: int) -> HttpResponse:
    """GET: the clinics, where the line asks for one; POST: print the ticket."""
    line = get_object_or_404(TicketLine, pk=line_id, facility=request.kiosk_facility, active=True)
    clinics = visit_selectors.kiosk_clinics(line) if line.asks_clinic and line.clinic_id is None else []
    error = None
    if request.method == "POST":
        clinic = None
        if clinics:
            clinic = Clinic.objects.filter(pk=_int(request.POST.get("clinic")), pk__in=[c.pk for c in clinics]).first()
        try:
            ticket = services.ticket_take(line=line, clinic=clinic)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            _remember(request, "ticket", str(ticket.pk))
            return redirect("visitday:kiosk_ticket", ticket_id=ticket.pk)
    elif not clinics:
        # Nothing to choose: the line's button on the previous page posts here directly.
        return redirect("visitday:kiosk_lines")
    return render(request, "visitday/kiosk/clinics.html", _context(request, line=line, clinics=clinics, error=error))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _kiosk_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    if not _printed(request, "ticket", str(ticket_id)):
        raise Http404
    return get_object_or_404(Ticket.objects.select_related("line", "clinic"), pk=ticket_id)


@kiosk_view
def kiosk_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The number on screen while the printer prints it; back to the start after a few seconds."""
    ticket = _kiosk_ticket(request, ticket_id)
    return render(request, "visitday/kiosk/ticket.html", _context(request, ticket=ticket))


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# The kiosk page prints the PDF from a hidden frame of its own: same-origin framing only.
_FRAMED_BY_SELF = csp_replace({"frame-ancestors": ["'self'"]})


@kiosk_view
@xframe_options_sameorigin
@_FRAMED_BY_SELF
def kiosk_ticket_pdf(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _kiosk_ticket(request, ticket_id)
    return _pdf_response(ticket_pdf(visit_selectors.ticket_print_data(ticket)), f"tiket-{ticket.label}.pdf")


@kiosk_view
@require_http_methods(["GET", "POST"])
def kiosk_check_in(request: HttpRequest) -> HttpResponse:
    """Scan the slip's QR or barcode (a keyboard-wedge scanner types it) or tap the code on the keypad."""
    form = KioskCheckInForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        booking = desk_selectors.booking_by_code(form.cleaned_data["code"], request.user)
        if booking is None:
            form.add_error("code", ValidationError(_("No booking has this code."), code="unknown"))
        else:
            try:
                booking = desk_services.booking_check_in(booking=booking, actor=request.user)
            except ValidationError as exc:
                problem = exc
                form = KioskCheckInForm()
            else:
                _remember(request, "slip", booking.code)
                return redirect("visitday:kiosk_checked_in", code=booking.code)
    return render(
        request,
        "visitday/kiosk/check_in.html",
        _context(request, form=form, problem=problem, keys=list(CODE_ALPHABET)),
    )


def _checked_in_booking(request: HttpRequest, code: str) -> Booking:
    if not _printed(request, "slip", code):
        raise Http404
    booking = desk_selectors.booking_by_code(code, request.user)
    if booking is None or not selectors.slip_printable(booking):
        raise Http404
    return booking


@kiosk_view
def kiosk_checked_in(request: HttpRequest, code: str) -> HttpResponse:
    booking = _checked_in_booking(request, code)
    return render(
        request,
        "visitday/kiosk/checked_in.html",
        _context(
            request,
            booking=booking,
            fingerprint=visit_selectors.needs_fingerprint(booking),
            new_patient=not booking.patient.mrn_at(booking.clinic.facility_id),
        ),
    )


@kiosk_view
@xframe_options_sameorigin
@_FRAMED_BY_SELF
def kiosk_slip_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The Bukti Daftar: the slip with the clinic number, on the kiosk's 80 mm printer."""
    booking = _checked_in_booking(request, code)
    data = replace(selectors.slip_data(booking), title="BUKTI DAFTAR")
    return _pdf_response(render_slip(data, "thermal"), f"bukti-daftar-{booking.code}.pdf")
