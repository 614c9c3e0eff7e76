"""Identity-document uploads: the type comes from the content, images are rebuilt by Pillow.

A file's name and the browser's Content-Type are the uploader's claims; the first bytes are
what a viewer will actually parse. Images are decoded and re-encoded, which drops EXIF (GPS
position, camera serial) and anything smuggled after the image data.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A phone photo is 12-50 MP; beyond that decoding costs more memory than an ID card deserves.
MAX_PIXELS = 60_000_000
# Long side after re-encoding: plenty to read an ID card, small enough to store for years.
MAX_SIDE = 3000

_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
# PDF features that run code or carry other files. Object streams can hide them (compressed),
# so this is a first filter; the real defence is serving PDFs as attachments with nosniff.
_PDF_ACTIVE = {b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFiles", b"/EmbeddedFile", b"/RichMedia", b"/XFA"}
_PDF_NAME = re.compile(rb"/[A-Za-z0-9#]+")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class CleanUpload:
    """A checked file, ready to store."""

    content: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(head: bytes) -> str | None:
    """The content type that the first bytes announce, if it is one we accept."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def clean_upload(upload: UploadedFile) -> CleanUpload:
    """Check size and content; raise ValidationError (file_too_large, file_type, file_corrupt, ...)."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _too_large()
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large()
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationError(
            _("Upload a photo (JPEG or PNG) or a PDF scan. This file is neither, whatever its name says."),
            code="file_type",
        )
    if content_type == "application/pdf":
        return CleanUpload(_check_pdf(data), content_type)
    return CleanUpload(_reencode_image(data, content_type), content_type)


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)d MB. Take the photo again at a lower resolution.")
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        code="file_too_large",
    )


def _corrupt() -> ValidationError:
    return ValidationError(_("The file is damaged or incomplete. Take the photo or scan again."), code="file_corrupt")


def _reencode_image(data: bytes, content_type: str) -> bytes:
    expected = "JPEG" if content_type == "image/jpeg" else "PNG"
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != expected:
                raise _corrupt()
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="image_too_large")
            probe.verify()  # checks the structure (PNG CRCs) without decoding everything
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _encode(image, expected)
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("The image has too many pixels."), code="image_too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt() from exc


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Apply the EXIF rotation, shrink if huge, and write a fresh file without metadata."""
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    image.info = {}
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _check_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-4096:]:
        raise _corrupt()
    names = {_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name) for name in _PDF_NAME.findall(data)}
    if names & _PDF_ACTIVE:
        raise ValidationError(
            _("This PDF contains scripts or attached files. Scan or photograph the card again as a plain image or PDF."),
            code="pdf_active_content",
        )
    return data
