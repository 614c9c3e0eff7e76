"""The cashier's receipt (kwitansi / tanda terima pembayaran) as an 80 mm thermal-roll PDF.

Printed in fixed Indonesian, like the queue slips (queueing/slips.py): the patient shows it at the
clinic (seed 004: "Menunjukkan bukti pembayaran (Kasir)"), whatever language the cashier's
screen shows. The page is 80 mm wide and as tall as its lines, as the slips are.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from cashier.models import PatientVisit, Payment, PaymentMethod
from families.validators import format_mrn
from portal.lib.dates import long_date
from queueing.slips import BOLD, REGULAR, THERMAL_MARGIN_X, THERMAL_MARGIN_Y, THERMAL_WIDTH

METHOD_NAMES = {
    PaymentMethod.CASH: "Tunai",
    PaymentMethod.QRIS: "QRIS",
    PaymentMethod.DEBIT: "Kartu debit (EDC)",
    PaymentMethod.TRANSFER: "Transfer bank",
    PaymentMethod.WAIVED: "Dibebaskan",
}
LABEL_WIDTH = 22 * mm  # room for "Kode booking:"
_ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas"]


def rupiah(amount: int) -> str:
    """'Rp 15.000': Indonesian thousands separators, no decimals."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def terbilang(n: int) -> str:
    """The amount in Indonesian words, as a kwitansi spells it: 15000 -> 'lima belas ribu'."""
    if n < 12:
        return _ONES[n] or "nol"
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        return f"{_ONES[n // 10]} puluh {_ONES[n % 10]}".strip()
    if n < 200:
        return f"seratus {terbilang(n - 100) if n > 100 else ''}".strip()
    if n < 1000:
        return f"{_ONES[n // 100]} ratus {terbilang(n % 100) if n % 100 else ''}".strip()
    if n < 2000:
        return f"seribu {terbilang(n - 1000) if n > 1000 else ''}".strip()
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if n >= size:
            rest = n % size
            return f"{terbilang(n // size)} {word} {terbilang(rest) if rest else ''}".strip()
    raise AssertionError("unreachable")


@dataclass(frozen=True, kw_only=True)
class ReceiptData:
    """Everything printed on one receipt; plain values so the renderer needs no models."""

    facility_name: str
    facility_address: str
    facility_phone: str
    receipt_label: str
    paid_at: str
    patient_name: str
    mrn: str
    clinic: str
    doctor: str
    exam_date: str
    booking_code: str
    guarantor: str
    description: str
    amount: int
    method: str
    reference: str
    waived: bool
    waive_reason: str
    cashier: str
    void_note: str  # "" unless voided


def receipt_data(payment: Payment) -> ReceiptData:
    booking, facility = payment.booking, payment.facility
    paid_at = timezone.localtime(payment.created_at, facility.tzinfo)
    visit = "pasien baru" if payment.visit == PatientVisit.NEW else "pasien lama"
    void_note = ""
    if payment.voided_at:
        voided = timezone.localtime(payment.voided_at, facility.tzinfo)
        void_note = f"BATAL {voided:%d-%m-%Y %H.%M}: {payment.void_reason}"
    return ReceiptData(
        facility_name=facility.name,
        facility_address=facility.address,
        facility_phone=facility.phone,
        receipt_label=payment.receipt_label,
        paid_at=f"{long_date(paid_at.date(), language='id')}, {paid_at:%H.%M}",
        patient_name=booking.patient.full_name,
        mrn=format_mrn(mrn) if (mrn := booking.patient.mrn_at(facility.pk)) else "-",
        clinic=booking.clinic.name,
        doctor=booking.doctor.name,
        exam_date=long_date(booking.date, language="id"),
        booking_code=booking.code,
        guarantor=booking.guarantor.name,
        description=f"{payment.description} ({visit})",
        amount=payment.amount,
        method=METHOD_NAMES.get(payment.method, payment.method),
        reference=payment.reference,
        waived=payment.is_waiver,
        waive_reason=payment.waive_reason,
        cashier=payment.cashier.full_name or payment.cashier.email,
        void_note=void_note,
    )


class _Lines:
    """Lines laid from the top down, measured first so the page can be exactly as tall as they are."""

    def __init__(self, width: float) -> None:
        self.width = width
        self.items: list[tuple[str, str, float, str, float]] = []  # (kind, text, size, font, gap)

    def text(self, text: str, size: float = 8.5, font: str = REGULAR, align: str = "left") -> None:
        for line in simpleSplit(text, font, size, self.width) or [""]:
            self.items.append((align, line, size, font, size * 1.35))

    def pair(self, label: str, value: str, size: float = 8.5) -> None:
        """'Pasien:  Sari Wulandari', the value wrapped in its own column under itself."""
        for index, line in enumerate(simpleSplit(value or "-", REGULAR, size, self.width - LABEL_WIDTH) or ["-"]):
            self.items.append(("pair", f"{label if index == 0 else ''}\t{line}", size, REGULAR, size * 1.35))

    def rule(self) -> None:
        self.items.append(("rule", "", 0, REGULAR, 9))

    @property
    def height(self) -> float:
        return sum(item[4] for item in self.items)


def _lines(data: ReceiptData, width: float) -> _Lines:
    lines = _Lines(width)
    lines.text(data.facility_name, 10, BOLD, "center")
    lines.text(data.facility_address, 7.5, REGULAR, "center")
    if data.facility_phone:
        lines.text(f"Telp. {data.facility_phone}", 7.5, REGULAR, "center")
    lines.rule()
    lines.text("TANDA TERIMA PEMBAYARAN", 11, BOLD, "center")
    lines.text(f"No. {data.receipt_label}", 10, BOLD, "center")
    lines.text(data.paid_at, 8, REGULAR, "center")
    lines.rule()
    lines.pair("Pasien", data.patient_name)
    lines.pair("No. RM", data.mrn)
    lines.pair("Poli", data.clinic)
    lines.pair("Dokter", data.doctor)
    lines.pair("Tgl. periksa", data.exam_date)
    lines.pair("Kode booking", data.booking_code)
    lines.pair("Penjamin", data.guarantor)
    lines.rule()
    lines.text(data.description, 8.5)
    lines.text(rupiah(data.amount), 14, BOLD, "right")
    if data.waived:
        lines.text("DIBEBASKAN (tidak dibayar)", 10, BOLD, "center")
        lines.text(f"Alasan: {data.waive_reason}", 8)
    else:
        lines.text(f"Terbilang: {terbilang(data.amount)} rupiah", 8)
        lines.pair("Cara bayar", data.method)
        if data.reference:
            lines.pair("No. referensi", data.reference)
    lines.pair("Kasir", data.cashier)
    if data.void_note:
        lines.rule()
        lines.text("*** KWITANSI INI DIBATALKAN ***", 10, BOLD, "center")
        lines.text(data.void_note, 8)
    lines.rule()
    lines.text("Tunjukkan tanda terima ini di poliklinik.", 8, REGULAR, "center")
    return lines


def _paint(canvas: Canvas, lines: _Lines, left: float, top: float) -> None:
    y = top
    for kind, text, size, font, gap in lines.items:
        y -= gap
        if kind == "rule":
            canvas.setLineWidth(0.5)
            canvas.setDash(2, 2)
            canvas.line(left, y + 5, left + lines.width, y + 5)  # clear of the descenders above
            canvas.setDash()
            continue
        canvas.setFont(font, size)
        if kind == "pair":
            label, value = text.split("\t", 1)
            if label:
                canvas.drawString(left, y, f"{label}:")
            canvas.drawString(left + LABEL_WIDTH, y, value)
        elif kind == "center":
            canvas.drawCentredString(left + lines.width / 2, y, text)
        elif kind == "right":
            canvas.drawRightString(left + lines.width, y, text)
        else:
            canvas.drawString(left, y, text)


def render_receipt(data: ReceiptData) -> bytes:
    """One receipt as a PDF page 80 mm wide, as tall as its content."""
    width = THERMAL_WIDTH - 2 * THERMAL_MARGIN_X
    lines = _lines(data, width)
    height = lines.height + 2 * THERMAL_MARGIN_Y
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(THERMAL_WIDTH, height), invariant=1, pageCompression=1)
    canvas.setTitle(f"Tanda Terima {data.receipt_label}")
    canvas.setCreator("Antrean")
    _paint(canvas, lines, THERMAL_MARGIN_X, height - THERMAL_MARGIN_Y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
