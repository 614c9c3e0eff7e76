"""The kiosk's counter ticket: one 80 mm thermal page (reportlab), printed in Indonesian whatever the UI language."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from portal.lib.dates import long_date
from visitday.selectors import TicketPrint

WIDTH = 80 * mm
MARGIN_X = 4 * mm  # 80 mm printers print about 72 mm of the roll
HEIGHT = 95 * mm
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


def _centred(canvas: Canvas, text: str, font: str, size: float, y: float) -> None:
    room = WIDTH - 2 * MARGIN_X
    while size > 6 and stringWidth(text, font, size) > room:
        size -= 0.5
    canvas.setFont(font, size)
    canvas.drawCentredString(WIDTH / 2, y, text)


def ticket_pdf(data: TicketPrint) -> bytes:
    """Facility, line, the big label (A-012), clinic, date and time, how many wait ahead."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1, pageCompression=1)
    canvas.setTitle(f"Nomor Antrean {data.label}")
    canvas.setCreator("Antrean")
    y = HEIGHT - 9 * mm
    _centred(canvas, data.facility_name, BOLD, 11, y)
    if data.facility_address:
        y -= 4 * mm
        _centred(canvas, data.facility_address, REGULAR, 7, y)
    y -= 3 * mm
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN_X, y, WIDTH - MARGIN_X, y)
    y -= 6 * mm
    _centred(canvas, "NOMOR ANTREAN PENDAFTARAN", BOLD, 9, y)
    y -= 5 * mm
    _centred(canvas, data.line_name, REGULAR, 9, y)
    y -= 19 * mm
    _centred(canvas, data.label, BOLD, 46, y)
    if data.clinic_name:
        y -= 8 * mm
        _centred(canvas, data.clinic_name, BOLD, 10, y)
    y -= 8 * mm
    ahead = (
        "Tidak ada antrean di depan Anda"
        if data.waiting_ahead == 0
        else f"{data.waiting_ahead} orang menunggu di depan Anda"
    )
    _centred(canvas, ahead, REGULAR, 9, y)
    y -= 6 * mm
    _centred(canvas, f"{long_date(data.taken_at.date(), language='id')}, pukul {data.taken_at:%H.%M}", REGULAR, 8, y)
    y -= 5 * mm
    _centred(canvas, "Simpan tiket ini. Tunggu nomor Anda dipanggil.", REGULAR, 7.5, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
