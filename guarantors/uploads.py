"""Booking documents (referral letter, doctor's letter/SKD, guarantee letter): checks and paths.

The queueing app can reuse these on its booking-document model and form:

    document = models.FileField(upload_to=booking_document_path)          # private storage (settings)
    document = BookingDocumentField(label=_("Referral letter"), required=False)   # in the form

The type is decided by the file's content, never by its name or the browser's claim:
JPEG, PNG (both must decode) or PDF (header and end marker), at most 5 MB.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

MAX_BOOKING_DOCUMENT_BYTES = 5 * 1024 * 1024
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


class DocumentKind(models.TextChoices):
    REFERRAL_LETTER = "referral_letter", _("Referral letter")
    DOCTOR_LETTER = "doctor_letter", _("Doctor's letter (SKD)")
    GUARANTEE_LETTER = "guarantee_letter", _("Guarantee letter")


def sniff_content_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _read_head_and_tail(upload: UploadedFile) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    return head, tail


def _image_decodes(upload: UploadedFile) -> bool:
    try:
        with Image.open(upload) as image:
            image.verify()  # checks structure and checksums without decoding all pixels
        return True
    except Exception:  # PIL raises many types (SyntaxError, OSError, DecompressionBombError...)
        return False
    finally:
        upload.seek(0)


def validate_booking_document(upload: UploadedFile) -> str:
    """Raise ValidationError (with a code) unless the upload is a sound JPEG/PNG/PDF <= 5 MB; return its type."""
    if not upload or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    if upload.size > MAX_BOOKING_DOCUMENT_BYTES:
        raise ValidationError(_("The file is larger than 5 MB. Please send a smaller photo or scan."),
                              code="file_too_large")
    head, tail = _read_head_and_tail(upload)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(_("Please send a photo (JPEG or PNG) or a PDF."), code="file_type")
    sound = b"%%EOF" in tail if content_type == "application/pdf" else _image_decodes(upload)
    if not sound:
        raise ValidationError(_("The file is damaged or incomplete. Please send it again."), code="file_corrupt")
    return content_type


class BookingDocumentField(forms.FileField):
    """A FileField that checks content and renames the file after its real type."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("A photo (JPEG or PNG) or a PDF, at most 5 MB."))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            content_type = validate_booking_document(upload)
            # The original name can hold a patient's name or a misleading extension.
            upload.name = f"document{EXTENSIONS[content_type]}"
            upload.content_type = content_type
        return upload


def booking_document_path(instance: Any, filename: str) -> str:
    """A random name under the month: nothing guessable, nothing personal in the path."""
    suffix = filename[filename.rfind("."):].lower() if "." in filename else ""
    if suffix not in EXTENSIONS.values():
        suffix = ""
    return f"booking-documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"
