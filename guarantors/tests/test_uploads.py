"""Booking-document checks: decided by content, 5 MB at most, every refusal with a code."""

from __future__ import annotations

import io
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from reportlab.pdfgen import canvas

from guarantors.uploads import MAX_BOOKING_DOCUMENT_BYTES, BookingDocumentField, booking_document_path, validate_booking_document


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Surat rujukan")
    page.save()
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize("content, expected", [
    (image_bytes("JPEG"), "image/jpeg"), (image_bytes("PNG"), "image/png"), (pdf_bytes(), "application/pdf"),
])
def test_jpeg_png_and_pdf_are_accepted_whatever_their_name(content, expected):
    assert validate_booking_document(upload("rujukan.txt", content)) == expected


def code_of(file: SimpleUploadedFile) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validate_booking_document(file)
    return excinfo.value.code


def test_a_text_file_named_jpg_is_refused():
    assert code_of(upload("rujukan.jpg", b"<html>not a photo</html>", "image/jpeg")) == "file_type"


def test_an_empty_file_is_refused():
    assert code_of(upload("kosong.pdf", b"")) == "file_empty"


def test_a_file_over_5_mb_is_refused():
    assert code_of(upload("besar.pdf", b"%PDF-1.4\n" + b"0" * MAX_BOOKING_DOCUMENT_BYTES)) == "file_too_large"


def test_a_truncated_png_and_a_pdf_without_end_are_refused():
    assert code_of(upload("rusak.png", image_bytes("PNG")[:60])) == "file_corrupt"
    assert code_of(upload("rusak.pdf", pdf_bytes()[:200])) == "file_corrupt"


class DocumentForm(forms.Form):
    letter = BookingDocumentField()


def test_the_form_field_renames_the_file_after_its_real_type():
    form = DocumentForm(files={"letter": upload("KTP Budi Santoso.jpeg.exe", image_bytes("PNG"))})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["letter"].name == "document.png"


def test_the_form_field_shows_the_refusal_under_the_field():
    form = DocumentForm(files={"letter": upload("a.pdf", b"MZ\x90\x00")})
    assert [e.code for e in form.errors.as_data()["letter"]] == ["file_type"]


def test_storage_path_is_random_and_keeps_only_a_known_extension():
    first, second = booking_document_path(None, "document.pdf"), booking_document_path(None, "document.pdf")
    assert first != second and re.fullmatch(r"booking-documents/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", first)
    assert booking_document_path(None, "x.php").endswith(tuple("0123456789abcdef"))
