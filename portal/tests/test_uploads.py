"""The one uploads module: type from content, size cap, rebuilt images and PDFs, bounded memory."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from reportlab.pdfgen import canvas

from portal.lib import uploads
from portal.lib.uploads import MAX_UPLOAD_BYTES, CleanUpload, UploadField, clean_upload, private_path
from portal.tests.hostile_files import (
    PDF_ACTIVE_MARKERS,
    gps_jpeg,
    hostile_pdfs,
    huge_png,
    pdf_all_text,
    plain_pdf,
    polyglot_jpeg,
)


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 90 if mode == "L" else (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes(pages: int = 1, **options) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, **options)
    for number in range(pages):
        pdf.drawString(72, 720, f"Surat rujukan, halaman {number + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def code_of(file: SimpleUploadedFile) -> str:
    with pytest.raises(ValidationError) as excinfo:
        clean_upload(file)
    return excinfo.value.code


# --- type, size, damage -------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, expected",
    [
        (image_bytes("JPEG"), "image/jpeg"),
        (image_bytes("PNG"), "image/png"),
        (pdf_bytes(), "application/pdf"),
    ],
)
def test_jpeg_png_and_pdf_are_accepted_whatever_their_name(content, expected):
    assert clean_upload(upload("rujukan.txt", content)).content_type == expected


def test_a_text_file_named_jpg_is_refused():
    assert code_of(upload("rujukan.jpg", b"<html>not a photo</html>", "image/jpeg")) == "file_type"


def test_an_empty_file_is_refused():
    assert code_of(upload("kosong.pdf", b"")) == "file_empty"


def test_a_file_over_5_mb_is_refused():
    assert code_of(upload("besar.pdf", b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES)) == "file_too_large"


def test_a_truncated_png_and_a_pdf_without_pages_are_refused():
    assert code_of(upload("rusak.png", image_bytes("PNG")[:60])) == "file_corrupt"
    assert code_of(upload("rusak.pdf", pdf_bytes()[:200])) == "file_corrupt"


def test_a_pdf_of_more_than_ten_pages_is_refused():
    assert code_of(upload("buku.pdf", pdf_bytes(pages=11))) == "pdf_too_many_pages"
    assert clean_upload(upload("surat.pdf", pdf_bytes(pages=10))).content_type == "application/pdf"


def test_a_password_protected_pdf_is_refused_with_its_own_message():
    assert code_of(upload("rahasia.pdf", pdf_bytes(encrypt="rahasia"))) == "pdf_encrypted"


class DocumentForm(forms.Form):
    letter = UploadField()


def test_the_form_field_gives_a_rebuilt_file_named_after_its_real_type():
    form = DocumentForm(files={"letter": upload("KTP Budi Santoso.jpeg.exe", image_bytes("PNG"))})
    assert form.is_valid(), form.errors
    cleaned = form.cleaned_data["letter"]
    assert isinstance(cleaned, CleanUpload) and cleaned.as_file("document").name == "document.png"


def test_the_form_field_shows_the_refusal_under_the_field():
    form = DocumentForm(files={"letter": upload("a.pdf", b"MZ\x90\x00")})
    assert [e.code for e in form.errors.as_data()["letter"]] == ["file_type"]


def test_storage_path_is_random_and_keeps_only_a_known_extension():
    first, second = private_path("booking-documents", "document.pdf"), private_path("booking-documents", "x.pdf")
    assert first != second and re.fullmatch(r"booking-documents/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", first)
    assert re.fullmatch(r"identity/\d{4}/\d{2}/[0-9a-f]{32}", private_path("identity", "x.php"))


# --- images are rebuilt -------------------------------------------------------------------


def test_a_jpeg_loses_its_gps_position_and_camera():
    raw = gps_jpeg()
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position
    cleaned = clean_upload(upload("rujukan.jpg", raw))
    assert b"SECRETGPSAREA" not in cleaned.content and b"SecretCameraMaker" not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as image:
        assert image.format == "JPEG" and not image.getexif() and not image.getexif().get_ifd(0x8825)


def test_a_jpeg_html_polyglot_keeps_its_picture_and_loses_its_html():
    raw = polyglot_jpeg()
    assert b"<script" in raw
    cleaned = clean_upload(upload("surat.jpg", raw))
    assert b"<script" not in cleaned.content and b"<html" not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as image:
        assert image.size == (64, 48)


def test_a_png_that_decodes_to_too_many_pixels_is_refused_before_decoding():
    hostile = huge_png(mode="1")  # 7745 x 7745: the 570 MB attack of issue 10
    assert len(hostile) < 200_000
    with pytest.raises(ValidationError) as excinfo:
        clean_upload(upload("ktp.png", hostile))
    assert excinfo.value.code == "image_too_large"
    with translation.override("id"):
        assert "megapiksel" in excinfo.value.messages[0]


def test_a_big_jpeg_is_decoded_at_reduced_scale_and_kept():
    # 37 MP: over the full-size decode limit, so it only passes because draft() decodes it at 1/2 scale.
    raw = image_bytes("JPEG", size=(6100, 6100), mode="L")
    cleaned = clean_upload(upload("foto.jpg", raw))
    with Image.open(io.BytesIO(cleaned.content)) as image:
        assert max(image.size) <= uploads.MAX_SIDE


def test_a_jpeg_announcing_more_than_150_megapixels_is_refused_before_decoding():
    raw = bytearray(image_bytes("JPEG", size=(64, 48)))
    frame = raw.index(b"\xff\xc0")  # SOF0: length(2) precision(1) height(2) width(2)
    raw[frame + 5 : frame + 9] = (9400).to_bytes(2, "big") + (16000).to_bytes(2, "big")
    assert code_of(upload("besar.jpg", bytes(raw))) == "image_too_large"


def test_a_busy_process_answers_try_again_instead_of_queueing(settings):
    settings.UPLOAD_BUSY_WAIT_SECONDS = 0
    slots = uploads._semaphore()
    held = 0
    while slots.acquire(blocking=False):  # every decoding slot taken by other requests
        held += 1
    try:
        assert held >= 1
        assert code_of(upload("ktp.png", image_bytes("PNG"))) == "upload_busy"
    finally:
        for _slot in range(held):
            slots.release()
    assert clean_upload(upload("ktp.png", image_bytes("PNG"))).content_type == "image/png"


# --- PDFs are rebuilt ---------------------------------------------------------------------


def rendered_ink(pdf: bytes) -> tuple[int, tuple[int, int], int]:
    """(pages, first page size, dark pixels on the first page) as PDFium sees the file."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        picture = page.render(scale=1).to_pil().convert("L")
        size = (round(page.get_width()), round(page.get_height()))
        return len(document), size, sum(picture.histogram()[:128])
    finally:
        document.close()


@pytest.mark.parametrize("name", sorted(hostile_pdfs()))
def test_a_hostile_pdf_is_rebuilt_without_its_active_content(name):
    raw = hostile_pdfs()[name]
    assert any(marker in pdf_all_text(raw) for marker in PDF_ACTIVE_MARKERS)
    cleaned = clean_upload(upload("surat.pdf", raw))
    assert cleaned.content_type == "application/pdf"
    assert [m for m in PDF_ACTIVE_MARKERS if m in pdf_all_text(cleaned.content)] == []
    pages, size, ink = rendered_ink(cleaned.content)
    assert (pages, size) == (1, (595, 842)) and ink > 100  # the letter's text is still on the page


def test_a_plain_pdf_keeps_its_pages_and_the_same_upload_gives_the_same_bytes():
    first = clean_upload(upload("surat.pdf", pdf_bytes(pages=3))).content
    assert first == clean_upload(upload("surat.pdf", pdf_bytes(pages=3))).content
    assert rendered_ink(first)[0] == 3 and rendered_ink(plain_pdf())[2] > 100
