"""Printable queue slips ("bukti antrian") as PDF: 80 mm thermal roll and A6 on A4."""

from __future__ import annotations

# The slip's wording is fixed Indonesian on purpose and does not go through gettext: it is
# the patient's printed slip, read by the patient and the registration counter in Indonesian
# whatever language the portal happens to be shown in.
#
# Nothing patient-related is kept at module level (no lru_cache, no shared canvas or layout;
# the only module globals are constant tables): each call builds
# its own objects from its own SlipData, so one patient's details cannot reach another slip.
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from itertools import groupby
from typing import Any, Literal

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from portal.lib.dates import long_date

SlipFormat = Literal["thermal", "a6"]
FORMATS: tuple[str, ...] = ("thermal", "a6")

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
MONO = "Courier-Bold"


@dataclass(frozen=True, kw_only=True)
class SlipData:
    """Everything printed on one slip; plain values so the renderer needs no models."""

    hospital_name: str
    hospital_address: str
    hospital_phone: str
    label: str | None  # "GIGI-007"; None while the booking has no number yet
    clinic_name: str
    doctor_name: str
    exam_date: date
    estimated_time: time | None
    patient_name: str
    mrn: str | None
    guarantor_name: str
    required_documents: Sequence[str] = field(default_factory=tuple)
    booking_code: str
    status_note: str = ""  # "Menunggu verifikasi"; printed in place of a missing number
    title: str = "BUKTI ANTRIAN RAWAT JALAN"  # the kiosk's check-in prints "BUKTI DAFTAR"


def indonesian_date(value: date) -> str:
    """'Senin, 23 November 2026', whatever language is active: slips are printed in Indonesian."""
    return long_date(value, language="id")


def indonesian_time(value: time | None) -> str:
    """'09.30' (Indonesian writes hours and minutes with a dot), or '-' when unknown."""
    return "-" if value is None else f"{value.hour:02d}.{value.minute:02d}"


# --------------------------------------------------------------------------- QR matrix


def qr_matrix(text: str) -> list[list[bool]]:
    """QR modules for `text` (error level Q, no quiet zone), from segno's public matrix."""
    symbol = segno.make_qr(text, error="q", boost_error=False)
    return [[module == 1 for module in row] for row in symbol.matrix]


def _qr_runs(modules: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Dark modules merged into horizontal runs: (row, first column, length)."""
    runs = []
    for r, row in enumerate(modules):
        col = 0
        for dark, group in groupby(row):
            length = len(list(group))
            if dark:
                runs.append((r, col, length))
            col += length
    return runs


# --------------------------------------------------------------------------- layout


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`; words longer than a line are broken."""
    if stringWidth(text, font, size) <= width:  # most fields: one measurement, no split
        return [text]
    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) or [""]:
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def _fit_size(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest font size up to `size` at which `text` fits on one line."""
    natural = stringWidth(text, font, size)
    return size if natural <= width else max(smallest, size * width / natural)


class _Column:
    """Drawing operations laid out top-down in a column, replayed once the height is known.

    Thermal pages are as tall as their content and an A6 slip with long content must shrink
    to fit its cell, so both need the height before the first stroke: hence two passes.
    Coordinates are points from the column's top-left corner, y growing downwards.
    """

    def __init__(self, width: float) -> None:
        self.width = width
        self.height = 0.0
        self.ops: list[tuple[Any, ...]] = []

    def text(
        self,
        text: str,
        font: str,
        size: float,
        *,
        align: str = "left",
        x: float = 0.0,
        width: float | None = None,
        leading: float | None = None,
        advance: bool = True,
    ) -> float:
        """Wrapped text at the current height; returns the height it takes."""
        width = self.width - x if width is None else width
        leading = leading or size * 1.22
        top = self.height
        for line in _wrap(text, font, size, width):
            baseline = top + (leading - size) / 2 + size * 0.8
            self.ops.append(("text", font, size, align, x, width, baseline, line))
            top += leading
        used = top - self.height
        if advance:
            self.height = top
        return used

    def gap(self, height: float) -> None:
        self.height += height

    def rule(self, thickness: float = 0.6, dash: bool = False) -> None:
        self.ops.append(("rule", self.height, thickness, dash))

    def box(self, x: float, size: float) -> None:
        self.ops.append(("box", x, self.height, size))

    def qr(self, x: float, module: float, modules: list[list[bool]]) -> None:
        self.ops.append(("qr", x, self.height, module, _qr_runs(modules)))
        self.height += module * len(modules)

    def code128(self, value: str, bar_width: float, bar_height: float) -> None:
        barcode = Code128(value, barWidth=bar_width, barHeight=bar_height, quiet=False)
        x = (self.width - barcode.width) / 2
        self.ops.append(("code128", x, self.height + bar_height, barcode))
        self.height += bar_height

    def place(self, other: _Column, x: float) -> None:
        """Another column beside whatever else is placed at this height (not advancing)."""
        self.ops.append(("group", x, self.height, other))


def _paint(canvas: Canvas, column: _Column, left: float, top: float, scale: float = 1.0) -> None:
    """Replays `column` with its top-left corner at (left, top) in PDF coordinates."""
    canvas.saveState()
    canvas.translate(left, top)
    if scale != 1.0:
        canvas.scale(scale, scale)
    _replay(canvas, column)
    canvas.restoreState()


def _replay(canvas: Canvas, column: _Column) -> None:
    for op in column.ops:
        kind = op[0]
        if kind == "text":
            _, font, size, align, x, width, baseline, line = op
            if (canvas._fontname, canvas._fontsize) != (font, size):  # each call emits operators
                canvas.setFont(font, size)
            if align == "center":
                canvas.drawCentredString(x + width / 2, -baseline, line)
            elif align == "right":
                canvas.drawRightString(x + width, -baseline, line)
            else:
                canvas.drawString(x, -baseline, line)
        elif kind == "rule":
            _, y, thickness, dash = op
            canvas.setLineWidth(thickness)
            canvas.setDash(2, 2) if dash else canvas.setDash()
            canvas.line(0, -y, column.width, -y)
        elif kind == "box":
            _, x, y, size = op
            canvas.setLineWidth(0.7)
            canvas.setDash()
            canvas.rect(x, -y - size, size, size, stroke=1, fill=0)
        elif kind == "qr":
            _draw_qr(canvas, *op[1:])
        elif kind == "code128":
            _, x, bottom, barcode = op
            barcode.drawOn(canvas, x, -bottom)
        elif kind == "group":
            _, x, y, other = op
            canvas.saveState()
            canvas.translate(x, -y)
            _replay(canvas, other)
            canvas.restoreState()


def _draw_qr(canvas: Canvas, x: float, y: float, module: float, runs: list[tuple[int, int, int]]) -> None:
    """All dark runs as one filled path: a handful of PDF operators instead of a widget tree."""
    path = canvas.beginPath()
    for row, col, length in runs:
        path.rect(x + col * module, -(y + (row + 1) * module), length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


# --------------------------------------------------------------------------- slip content


@dataclass(frozen=True)
class _Style:
    """Sizes for one format, in points."""

    hospital: float
    small: float
    body: float
    number: float
    row_label_width: float
    qr_module: float
    bar_width: float
    bar_height: float


THERMAL = _Style(
    hospital=11,
    small=7.5,
    body=8.5,
    number=40,
    row_label_width=24 * mm,
    qr_module=1.1 * mm,
    bar_width=72 * 3 / 203,
    bar_height=14 * mm,
)
A6 = _Style(
    hospital=12,
    small=8,
    body=9,
    number=40,
    row_label_width=27 * mm,
    qr_module=1.15 * mm,
    bar_width=1.1,
    bar_height=12 * mm,
)


def _header(col: _Column, data: SlipData, s: _Style) -> None:
    col.text(data.hospital_name, BOLD, s.hospital, align="center")
    col.text(data.hospital_address, REGULAR, s.small, align="center")
    if data.hospital_phone:
        col.text(f"Telp. {data.hospital_phone}", REGULAR, s.small, align="center")
    col.gap(3)
    col.rule()
    col.gap(4)


def _number(col: _Column, data: SlipData, s: _Style) -> None:
    col.text(data.title, BOLD, s.body, align="center")
    col.text("Nomor Antrian", REGULAR, s.small, align="center")
    if data.label:
        size = _fit_size(data.label, BOLD, s.number, col.width, 14)
        col.text(data.label, BOLD, size, align="center", leading=size * 1.1)
        if data.status_note:
            col.text(data.status_note, BOLD, s.body, align="center")
    else:
        col.text("Belum ada nomor", BOLD, s.number * 0.45, align="center")
        col.text(data.status_note or "Menunggu verifikasi", BOLD, s.body + 2, align="center")
    col.gap(3)


def _details(col: _Column, data: SlipData, s: _Style) -> None:
    rows = (
        ("Poliklinik", data.clinic_name),
        ("Dokter", data.doctor_name),
        ("Tanggal periksa", indonesian_date(data.exam_date)),
        ("Perkiraan jam", indonesian_time(data.estimated_time)),
        ("Nama pasien", data.patient_name),
        ("No. rekam medis", data.mrn or "Belum ada (pasien baru)"),
        ("Penjamin", data.guarantor_name),
    )
    col.rule(dash=True)
    col.gap(3)
    value_x = s.row_label_width
    for label, value in rows:
        used = col.text(label, REGULAR, s.small, width=value_x - 2, leading=s.body * 1.25, advance=False)
        used = max(used, col.text(value, BOLD, s.body, x=value_x, leading=s.body * 1.25, advance=False))
        col.gap(used)
    col.gap(3)


def _checklist(col: _Column, data: SlipData, s: _Style) -> None:
    if not data.required_documents:
        return
    col.rule(dash=True)
    col.gap(3)
    col.text("Dokumen yang wajib dibawa:", BOLD, s.small)
    box = s.body * 0.8
    for item in data.required_documents:
        col.gap(1)
        col.box(2, box)
        col.gap(-1)
        col.text(item, REGULAR, s.body, x=box + 6, leading=s.body * 1.2)
    col.gap(4)


def _codes(col: _Column, data: SlipData, s: _Style, with_qr: bool) -> None:
    col.rule(dash=True)
    col.gap(4 * s.qr_module if with_qr else 6)
    if with_qr:
        modules = qr_matrix(data.booking_code)
        col.qr((col.width - s.qr_module * len(modules)) / 2, s.qr_module, modules)
        col.gap(4 * s.qr_module)
    col.code128(data.booking_code, s.bar_width, s.bar_height)
    col.gap(2)
    col.text(f"Kode booking: {data.booking_code}", MONO, s.body + 2, align="center")
    col.gap(3)


def _footer(col: _Column, s: _Style) -> None:
    col.text(
        "Tunjukkan bukti ini beserta dokumen di atas di loket pendaftaran pada tanggal periksa.",
        REGULAR,
        s.small,
        align="center",
    )


def _thermal_column(data: SlipData, width: float) -> _Column:
    col = _Column(width)
    _header(col, data, THERMAL)
    _number(col, data, THERMAL)
    _details(col, data, THERMAL)
    _checklist(col, data, THERMAL)
    _codes(col, data, THERMAL, with_qr=True)
    _footer(col, THERMAL)
    return col


def _a6_column(data: SlipData, width: float) -> _Column:
    """A6 is short and wide: the QR stands beside the number instead of below the list."""
    col = _Column(width)
    _header(col, data, A6)
    modules = qr_matrix(data.booking_code)
    quiet = 4 * A6.qr_module  # the quiet zone QR readers need; the cell margin is on its right
    qr_width = A6.qr_module * len(modules) + quiet
    number = _Column(width - qr_width)
    _number(number, data, A6)
    side = _Column(qr_width)
    side.gap(quiet - 4)  # the header already left 4 pt under its rule
    side.qr(quiet, A6.qr_module, modules)
    col.place(number, 0)
    col.place(side, width - qr_width)
    col.gap(max(number.height, side.height + quiet))
    _details(col, data, A6)
    _checklist(col, data, A6)
    _codes(col, data, A6, with_qr=False)
    _footer(col, A6)
    return col


# --------------------------------------------------------------------------- pages

THERMAL_WIDTH = 80 * mm
THERMAL_MARGIN_X = 4 * mm  # 80 mm printers print about 72 mm of the roll
THERMAL_MARGIN_Y = 5 * mm
A6_CELL = (A4[0] / 2, A4[1] / 2)
A6_MARGIN = 9 * mm  # home printers cannot print the outer 3-5 mm of a sheet
SLIPS_PER_A4 = 4


def _new_canvas(buffer: io.BytesIO) -> Canvas:
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle("Bukti Antrian")
    canvas.setCreator("Antrean")
    return canvas


def _thermal_pages(canvas: Canvas, slips: Sequence[SlipData]) -> None:
    width = THERMAL_WIDTH - 2 * THERMAL_MARGIN_X
    for data in slips:
        col = _thermal_column(data, width)
        height = col.height + 2 * THERMAL_MARGIN_Y
        canvas.setPageSize((THERMAL_WIDTH, height))
        _paint(canvas, col, THERMAL_MARGIN_X, height - THERMAL_MARGIN_Y)
        canvas.showPage()


def _a6_pages(canvas: Canvas, slips: Sequence[SlipData]) -> None:
    width = A6_CELL[0] - 2 * A6_MARGIN
    room = A6_CELL[1] - 2 * A6_MARGIN
    for first in range(0, len(slips), SLIPS_PER_A4):
        canvas.setPageSize(A4)
        _cut_marks(canvas)
        for index, data in enumerate(slips[first : first + SLIPS_PER_A4]):
            col = _a6_column(data, width)
            # Long names or document lists must not run off the cell: shrink, keep centred.
            scale = min(1.0, room / col.height)
            left = (index % 2) * A6_CELL[0] + A6_MARGIN + width * (1 - scale) / 2
            top = A4[1] - (index // 2) * A6_CELL[1] - A6_MARGIN
            _paint(canvas, col, left, top, scale)
        canvas.showPage()


def _cut_marks(canvas: Canvas) -> None:
    """Short ticks where the sheet is cut into four, inside the printable area, and a cross."""
    (w, h), (cx, cy) = A4, A6_CELL
    near, far, arm = 4 * mm, 8 * mm, 3 * mm
    canvas.setLineWidth(0.4)
    for x0, y0, x1, y1 in (
        (cx, near, cx, far),
        (cx, h - near, cx, h - far),
        (near, cy, far, cy),
        (w - near, cy, w - far, cy),
        (cx - arm, cy, cx + arm, cy),
        (cx, cy - arm, cx, cy + arm),
    ):
        canvas.line(x0, y0, x1, y1)


def render_slips(slips: Iterable[SlipData], fmt: SlipFormat = "thermal") -> bytes:
    """Several slips in one PDF: a page each on thermal roll, four to an A4 sheet for A6."""
    slips = list(slips)
    if fmt not in FORMATS:
        raise ValueError(f"Unknown slip format {fmt!r}; expected one of {FORMATS}.")
    if not slips:
        raise ValueError("No slips to render.")
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer)
    (_thermal_pages if fmt == "thermal" else _a6_pages)(canvas, slips)
    canvas.save()
    return buffer.getvalue()


def render_slip(data: SlipData, fmt: SlipFormat = "thermal") -> bytes:
    """One slip as a PDF."""
    return render_slips([data], fmt)
