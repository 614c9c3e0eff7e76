"""The blank manual registration form for outages (SOP 001 step 16), as a PDF to print in advance.

"Jika listrik mati, internet no access ... petugas tetap membuat form manual dengan mencatat nama,
no asuransi, diagnose, obat, dirujuk, laki-laki atau perempuan dan tanda tangan pasien."
The form is printed in the hospital's language (settings.LANGUAGE_CODE) whatever language the
clerk's screen shows, like the queue slips.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

ROWS_PER_PAGE = 12
MARGIN = 12 * mm


def _columns(pcare: bool) -> list[tuple[str, float]]:
    """Column titles and widths in mm (landscape A4 leaves 273 mm between the margins).

    A puskesmas sheet also asks seed 001's PCare fields: visit type (sick/healthy) and care
    (outpatient/inpatient), with the room taken from the name, number, medicine and signature columns.
    """
    if pcare:
        return [
            (_("No."), 9),
            (_("Time"), 14),
            (_("Patient name"), 31),
            (_("Med. record no. / NIK"), 30),
            (_("M/F"), 10),
            (_("Insurance no."), 30),
            (_("Clinic"), 22),
            (_("Visit"), 18),
            (_("Care"), 14),
            (_("Complaint / diagnosis"), 36),
            (_("Medicine"), 20),
            (_("Referred"), 16),
            (_("Signature"), 23),
        ]
    return [
        (_("No."), 9),
        (_("Time"), 14),
        (_("Patient name"), 46),
        (_("Med. record no. / NIK"), 34),
        (_("M/F"), 10),
        (_("Insurance no."), 30),
        (_("Clinic"), 22),
        (_("Complaint / diagnosis"), 36),
        (_("Medicine"), 26),
        (_("Referred"), 16),
        (_("Signature"), 30),
    ]


def _header(canvas: Canvas, width: float, height: float, page: int, facility) -> float:
    top = height - MARGIN
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(MARGIN, top - 4 * mm, facility.name)
    canvas.setFont("Helvetica", 8.5)
    canvas.drawString(MARGIN, top - 9 * mm, f"{facility.address} · {facility.phone}")
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawRightString(width - MARGIN, top - 4 * mm, _("MANUAL OUTPATIENT REGISTRATION FORM"))
    canvas.setFont("Helvetica", 8.5)
    canvas.drawRightString(
        width - MARGIN,
        top - 9 * mm,
        _("For use when the power, network or system is down (SOP 001). Sheet %(n)d") % {"n": page},
    )
    canvas.setFont("Helvetica", 10)
    line_y = top - 18 * mm
    for x, label, length in ((0, _("Date"), 45), (70, _("Clinic"), 60), (150, _("Clerk"), 60)):
        canvas.drawString(MARGIN + x * mm, line_y, f"{label}:")
        canvas.line(MARGIN + (x + 16) * mm, line_y - 1, MARGIN + (x + 16 + length) * mm, line_y - 1)
    return line_y - 6 * mm


def _table(canvas: Canvas, top: float, width: float, pcare: bool) -> float:
    columns = _columns(pcare)
    row_height, head_height = 11.5 * mm, 9 * mm
    x_positions = [MARGIN]
    for _title, column_width in columns:
        x_positions.append(x_positions[-1] + column_width * mm)
    bottom = top - head_height - ROWS_PER_PAGE * row_height
    canvas.setLineWidth(0.6)
    canvas.rect(MARGIN, bottom, x_positions[-1] - MARGIN, top - bottom)
    for x in x_positions[1:-1]:
        canvas.line(x, top, x, bottom)
    canvas.setFont("Helvetica-Bold", 7.5)
    for (title, _w), left, right in zip(columns, x_positions, x_positions[1:]):
        canvas.drawCentredString((left + right) / 2, top - head_height + 3.2 * mm, title)
    canvas.setLineWidth(0.4)
    y = top - head_height
    canvas.line(MARGIN, y, x_positions[-1], y)
    canvas.setFont("Helvetica", 8)
    for row in range(ROWS_PER_PAGE):
        canvas.drawCentredString((x_positions[0] + x_positions[1]) / 2, y - row_height + 4 * mm, str(row + 1))
        canvas.drawCentredString((x_positions[4] + x_positions[5]) / 2, y - row_height + 4 * mm, "L / P")
        if pcare:  # to circle: kunjungan sakit / sehat, rawat jalan / rawat inap (PCare's terms)
            canvas.setFont("Helvetica", 7)
            canvas.drawCentredString((x_positions[7] + x_positions[8]) / 2, y - row_height + 4 * mm, _("Sick/Healthy"))
            canvas.drawCentredString((x_positions[8] + x_positions[9]) / 2, y - row_height + 4 * mm, "RJ / RI")
            canvas.setFont("Helvetica", 8)
        y -= row_height
        canvas.line(MARGIN, y, x_positions[-1], y)
    return bottom


def _footer(canvas: Canvas, bottom: float) -> None:
    canvas.setFont("Helvetica", 8)
    notes = [
        _("Write the time each patient was registered. Give queue numbers in order on this sheet."),
        _("Afterwards, enter every row in Antrean: Counter > Enter paper forms, with the time written here."),
    ]
    for offset, note in enumerate(notes):
        canvas.drawString(MARGIN, bottom - (5 + 4 * offset) * mm, note)


def manual_form_pdf(facility, pages: int = 1, *, pcare: bool = False) -> bytes:
    """`pages` identical blank sheets (landscape A4) headed with the facility; `pcare` for a puskesmas."""
    pages = max(1, min(pages, 20))
    buffer = io.BytesIO()
    size = landscape(A4)
    with translation.override(settings.LANGUAGE_CODE):
        canvas = Canvas(buffer, pagesize=size, invariant=1, pageCompression=1)
        canvas.setTitle(_("Manual registration form"))
        for page in range(1, pages + 1):
            top = _header(canvas, *size, page, facility)
            _footer(canvas, _table(canvas, top, size[0], pcare))
            canvas.showPage()
        canvas.save()
    return buffer.getvalue()
