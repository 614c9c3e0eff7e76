"""Queue slip PDFs: rasterised and scanned back, text extracted and checked (no database)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, time

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.utils import translation
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from queueing.slips import (
    FORMATS,
    SlipData,
    indonesian_date,
    indonesian_time,
    qr_matrix,
    render_slip,
    render_slips,
)

DPI = 250  # thermal bars are ~3 printer dots wide; this keeps several pixels per module

SLIP = SlipData(
    hospital_name="RSUD Sehat Sentosa Kabupaten Kubu Raya",
    hospital_address="Jl. Arteri Supadio No. 12, Sungai Raya, Kubu Raya, Kalimantan Barat 78391",
    hospital_phone="(0561) 123456",
    label="GIGI-007",
    clinic_name="Poliklinik Gigi dan Mulut",
    doctor_name="drg. Siti Rahmawati, Sp.KG",
    exam_date=date(2026, 11, 23),
    estimated_time=time(9, 30),
    patient_name="Budi Santoso",
    mrn="00-12-34-56",
    guarantor_name="BPJS Kesehatan",
    required_documents=["KTP / KIA asli", "Kartu BPJS Kesehatan / KIS", "Surat rujukan dari FKTP"],
    booking_code="K7M2Q9XD",
)

LONG_DOCUMENTS = [
    "KTP elektronik asli atau Kartu Identitas Anak bagi pasien di bawah tujuh belas tahun",
    "Kartu BPJS Kesehatan atau Kartu Indonesia Sehat yang masih aktif pada tanggal periksa",
    "Surat rujukan dari Fasilitas Kesehatan Tingkat Pertama yang masih berlaku (90 hari)",
    "Surat kontrol atau Surat Rencana Kontrol dari dokter spesialis bila kunjungan ulang",
    "Hasil pemeriksaan laboratorium dan radiologi sebelumnya beserta resep obat terakhir",
    "Akhir daftar: fotokopi Kartu Keluarga dan surat kuasa bermeterai bila pasien diwakilkan",
]
LONG = dataclasses.replace(
    SLIP,
    patient_name="Raden Mas Muhammad Abdurrahman Wahyudiningrat Kusumawardhana Suryaningprang",
    doctor_name="Prof. Dr. dr. Bambang Hadi Prasetyo Wicaksono Adiwinata, Sp.PD-KGEH, FINASIM",
    clinic_name="Poliklinik Penyakit Dalam Subspesialis Gastroenterohepatologi",
    hospital_address="Kelurahanpanjangsekalitanpaspasiyangharusdipotongpaksa 12, Sungai Raya",
    required_documents=LONG_DOCUMENTS,
)


@dataclass
class Page:
    image: Image.Image
    text: str
    width: float
    height: float
    chars: list[tuple[str, tuple[float, float, float, float]]]

    def text_in(self, left: float, bottom: float, right: float, top: float) -> str:
        return "".join(ch for ch, (l, b, r, t) in self.chars if l >= left and r <= right and b >= bottom and t <= top)


def pages_of(pdf: bytes) -> list[Page]:
    """Every page rasterised at DPI, with its text and the box of every printed character."""
    document = pdfium.PdfDocument(pdf)
    result = []
    for page in document:
        textpage = page.get_textpage()
        chars = [(textpage.get_text_range(i, 1), textpage.get_charbox(i)) for i in range(textpage.count_chars())]
        width, height = page.get_size()
        image = page.render(scale=DPI / 72).to_pil()
        result.append(Page(image, textpage.get_text_range(), width, height, chars))
    return result


def squash(text: str) -> str:
    """Text without any whitespace, so wrapped lines compare with the original string."""
    return "".join(text.split())


def decoded(page: Page) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for barcode in zxingcpp.read_barcodes(page.image):
        found.setdefault(barcode.format.name, set()).add(barcode.text)
    return found


def printed_chars(page: Page) -> list[tuple[str, tuple[float, float, float, float]]]:
    return [(ch, box) for ch, box in page.chars if ch.strip()]


def test_indonesian_date_names_day_and_month_whatever_the_active_language():
    with translation.override("en"):
        assert indonesian_date(date(2026, 11, 23)) == "Senin, 23 November 2026"
    assert indonesian_date(date(2027, 1, 3)) == "Minggu, 3 Januari 2027"
    assert indonesian_date(date(2026, 8, 14)) == "Jumat, 14 Agustus 2026"


def test_indonesian_time_uses_a_dot_and_a_dash_when_unknown():
    assert indonesian_time(time(9, 5)) == "09.05"
    assert indonesian_time(None) == "-"


def matrix_image(modules: list[list[bool]], scale: int = 8, quiet: int = 4) -> Image.Image:
    """The matrix as a black-on-white picture with its quiet zone, as a reader sees it."""
    size = len(modules) + 2 * quiet
    image = Image.new("L", (size, size), 255)
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            if dark:
                image.putpixel((c + quiet, r + quiet), 0)
    return image.resize((size * scale, size * scale), Image.NEAREST)


@pytest.mark.parametrize("text", ["K7M2Q9XD", "A", "ABCDEFGHJK23456789", "kode-kecil-é" * 12])
def test_qr_matrix_scans_back_to_its_text_at_error_level_q(text):
    modules = qr_matrix(text)
    assert len(modules) % 4 == 1 and all(len(row) == len(modules) for row in modules)  # 21, 25, ... modules
    [barcode] = zxingcpp.read_barcodes(matrix_image(modules))
    assert (barcode.format.name, barcode.text, barcode.ec_level) == ("QRCode", text, "Q")


@pytest.mark.parametrize("fmt", FORMATS)
def test_slip_qr_and_code128_both_scan_back_to_the_booking_code(fmt):
    [page] = pages_of(render_slip(SLIP, fmt))
    assert decoded(page) == {"QRCode": {"K7M2Q9XD"}, "Code128": {"K7M2Q9XD"}}


@pytest.mark.parametrize("fmt", FORMATS)
def test_slip_text_holds_label_clinic_date_patient_and_checklist(fmt):
    [page] = pages_of(render_slip(SLIP, fmt))
    for expected in (
        "GIGI-007",
        "Poliklinik Gigi dan Mulut",
        "Senin, 23 November 2026",
        "09.30",
        "Budi Santoso",
        "00-12-34-56",
        "BPJS Kesehatan",
        "drg. Siti Rahmawati, Sp.KG",
        "Dokumen yang wajib dibawa",
        *SLIP.required_documents,
        "K7M2Q9XD",
        "RSUD Sehat Sentosa",
    ):
        assert squash(expected) in squash(page.text), expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_slip_without_a_number_shows_the_waiting_note_and_no_label(fmt):
    waiting = dataclasses.replace(SLIP, label=None, status_note="Menunggu verifikasi", mrn=None)
    [page] = pages_of(render_slip(waiting, fmt))
    assert "Menunggu verifikasi" in page.text
    assert "Belum ada nomor" in page.text
    assert "GIGI-007" not in page.text
    assert "Belum ada (pasien baru)" in page.text
    assert decoded(page)["QRCode"] == {"K7M2Q9XD"}


def test_thermal_page_is_80_mm_wide_and_as_tall_as_its_content():
    [short] = pages_of(render_slip(dataclasses.replace(SLIP, required_documents=[]), "thermal"))
    [long] = pages_of(render_slip(LONG, "thermal"))
    assert short.width == pytest.approx(80 * mm)
    assert long.width == pytest.approx(80 * mm)
    assert 100 * mm < short.height < long.height


def test_a6_slips_are_laid_on_a4_sheets():
    [page] = pages_of(render_slip(SLIP, "a6"))
    assert (page.width, page.height) == pytest.approx(A4)


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_names_and_document_lists_wrap_and_stay_on_the_page(fmt):
    [page] = pages_of(render_slip(LONG, fmt))
    text = squash(page.text)
    assert squash(LONG_DOCUMENTS[-1]) in text
    assert squash(LONG.patient_name) in text
    assert squash(LONG.doctor_name) in text
    assert squash(LONG.hospital_address) in text
    # An A6 slip must not cross its cut lines either; a thermal slip fills its page.
    right, top = (page.width / 2, page.height) if fmt == "a6" else (page.width, page.height)
    bottom = page.height / 2 if fmt == "a6" else 0
    for ch, (l, b, r, t) in printed_chars(page):
        assert l >= 0 and r <= right and b >= bottom and t <= top, ch
    assert decoded(page) == {"QRCode": {"K7M2Q9XD"}, "Code128": {"K7M2Q9XD"}}


def test_an_overlong_label_is_shrunk_to_fit_the_thermal_width():
    [page] = pages_of(render_slip(dataclasses.replace(SLIP, label="FISIOTERAPI-REHAB-128"), "thermal"))
    assert "FISIOTERAPI-REHAB-128" in page.text
    for ch, (l, _, r, _) in printed_chars(page):
        assert l >= 0 and r <= page.width, ch


def family(count: int) -> list[SlipData]:
    """Slips for several people at once, each with its own name, number and code."""
    return [
        dataclasses.replace(
            SLIP,
            patient_name=f"Pasien Nomor{i} Wulandari",
            label=f"GIGI-{i:03d}",
            booking_code=f"KODE{i:04d}",
            required_documents=[f"Dokumen khusus {i}"],
        )
        for i in range(1, count + 1)
    ]


def test_several_thermal_slips_print_one_per_page_each_with_only_its_own_patient():
    slips = family(3)
    pages = pages_of(render_slips(slips, "thermal"))
    assert len(pages) == 3
    for page, own in zip(pages, slips):
        assert own.patient_name in page.text
        assert decoded(page) == {"QRCode": {own.booking_code}, "Code128": {own.booking_code}}
        for other in slips:
            if other is not own:
                assert other.patient_name not in page.text
                assert other.required_documents[0] not in page.text


def test_a6_slips_print_four_to_a_sheet_each_patient_inside_their_own_quarter():
    slips = family(5)
    pages = pages_of(render_slips(slips, "a6"))
    assert len(pages) == 2
    first, second = pages
    half_w, half_h = first.width / 2, first.height / 2
    quarters = [(0, half_h), (half_w, half_h), (0, 0), (half_w, 0)]  # reading order
    for own, (left, bottom) in zip(slips, quarters):
        quarter = squash(first.text_in(left, bottom, left + half_w, bottom + half_h))
        assert squash(own.patient_name) in quarter
        assert own.booking_code in quarter
        for other in slips:
            if other is not own:
                assert squash(other.patient_name) not in quarter
    assert decoded(first)["QRCode"] == {s.booking_code for s in slips[:4]}
    assert decoded(first)["Code128"] == {s.booking_code for s in slips[:4]}
    assert slips[4].patient_name in second.text
    assert all(s.patient_name not in second.text for s in slips[:4])


def test_a_slip_rendered_after_another_carries_nothing_of_the_first():
    first, second = family(2)
    render_slip(first, "thermal")
    [page] = pages_of(render_slip(second, "thermal"))
    assert first.patient_name not in page.text
    assert first.booking_code not in page.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_slip_renders_to_identical_bytes(fmt):
    assert render_slip(SLIP, fmt) == render_slip(SLIP, fmt)


def test_unknown_format_or_no_slips_is_refused():
    with pytest.raises(ValueError):
        render_slip(SLIP, "a5")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        render_slips([], "thermal")
