"""Every uploaded file passes here: type from content, size cap, and a fresh copy rebuilt by us.

A file's name and the browser's Content-Type are the uploader's claims; the first bytes are
what a viewer will parse. Nothing the uploader sent is stored as it came:
- images (JPEG, PNG) are decoded and re-encoded, which drops EXIF (GPS position, camera serial)
  and anything smuggled around the pixels (a JPEG/HTML polyglot loses its HTML);
- PDFs are rendered page by page with PDFium and written anew as an image-only PDF, so
  JavaScript, actions (/OpenAction, /AA, /SubmitForm, /URI), forms, attachments and fonts are
  gone by construction, wherever they hid (object streams included), rather than searched for.

Memory is bounded per file and per process: JPEGs decode at reduced scale (Pillow's `draft`),
other images and PDF pages have pixel limits, and at most UPLOAD_PROCESSING_SLOTS files are
decoded at once per process; a request that finds no free slot within UPLOAD_BUSY_WAIT_SECONDS
gets a "busy, try again" error under its field instead of queueing without bound.
"""

from __future__ import annotations

import io
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Long side after re-encoding: plenty to read an ID card or a letter, small to keep for years.
MAX_SIDE = 3000
# Pixels decoded at full size: a PNG (12 MP is 48 MB as RGBA; an A4 scan at 300 dpi is 8.7 MP)
# and a JPEG after `draft` (16 MP is 48 MB as RGB).
MAX_DECODE_PIXELS = 12_000_000
JPEG_DECODE_PIXELS = 16_000_000
# A JPEG is decoded at 1/2, 1/4 or 1/8 scale, so it may announce more (a 108 MP phone photo);
# past 2 x Image.MAX_IMAGE_PIXELS (178 MP) Pillow refuses to open it anyway.
MAX_JPEG_PIXELS = 150_000_000
# PDFs: a letter or a card is a page or two; pages are rendered at most this large.
MAX_PDF_PAGES = 10
PDF_MAX_SIDE = 2000
PDF_MAX_DPI = 200
# An image inside a PDF page is decoded by PDFium at its own size, whatever the page's scale.
MAX_PDF_IMAGE_PIXELS = 40_000_000

_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
ACCEPT = ",".join(EXTENSIONS)

# PDFium is not thread-safe: one document at a time per process.
_PDFIUM_LOCK = threading.Lock()
_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


@dataclass(frozen=True)
class CleanUpload:
    """A file rebuilt by us, ready to store."""

    content: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return len(self.content)

    def as_file(self, stem: str) -> ContentFile:
        """The content under a harmless name (the storage path is random anyway)."""
        return ContentFile(self.content, name=f"{stem}.{self.extension}")


def sniff(head: bytes) -> str | None:
    """The content type that the first bytes announce, if it is one we accept."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def clean_upload(upload: UploadedFile) -> CleanUpload:
    """Check size and content and rebuild the file; ValidationError with a code otherwise."""
    data = _read_capped(upload)
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationError(
            _("Upload a photo (JPEG or PNG) or a PDF scan. This file is neither, whatever its name says."),
            code="file_type",
        )
    with processing_slot():
        if content_type == "application/pdf":
            return CleanUpload(_rebuild_pdf(data), content_type)
        return CleanUpload(_reencode_image(data, content_type), content_type)


def private_path(folder: str, filename: str) -> str:
    """A random storage name under `folder`/year/month: nothing guessable, nothing personal."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    suffix = f".{extension}" if extension in EXTENSIONS.values() else ""
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


def store_private(field_file, content) -> str:
    """Write `content` under the field's random name, before any transaction; the name kept.

    Called outside the database transaction that then writes the row, so no row lock is held while
    a disk or a shared bucket takes the file (seconds, on a slow S3). The name is chosen first, so
    a write that failed after the store had kept the object (a timeout on S3) is deleted again:
    no ID photo stays in the bucket without a row. Raises OSError when the store did not take it.
    """
    name = field_file.field.generate_filename(field_file.instance, content.name)
    try:
        stored = field_file.storage.save(name, content, max_length=field_file.field.max_length)
    except OSError:
        discard_private(field_file.storage, name)
        raise
    setattr(field_file.instance, field_file.field.attname, stored)  # as FieldFile.save leaves it
    return stored


def discard_private(storage, name: str) -> None:
    """Delete a stored upload that no row keeps; a store that fails leaves an orphan, logged, not an error page."""
    try:
        storage.delete(name)
    except OSError:
        log.exception("could not delete an upload that no row keeps")


def store_failed() -> ValidationError:
    """The error shown under the file field when storage (disk or S3) did not take the file: nothing was kept."""
    return ValidationError(
        _("The file could not be saved just now. Please send it again in a few minutes."), code="upload_store_failed"
    )


class UploadField(forms.FileField):
    """A form field whose cleaned value is a CleanUpload (errors show under the field)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("A photo (JPEG or PNG) or a PDF, at most 5 MB."))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        return clean_upload(upload) if isinstance(upload, UploadedFile) else upload


# --- the per-process limit ----------------------------------------------------------------


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.UPLOAD_PROCESSING_SLOTS)
        return _slots


@contextmanager
def processing_slot() -> Iterator[None]:
    """One of the process's few decoding slots, or a "busy" ValidationError after a short wait."""
    slots = _semaphore()
    if not slots.acquire(timeout=settings.UPLOAD_BUSY_WAIT_SECONDS):
        raise ValidationError(
            _("The server is busy with other files right now. Please send the file again in a minute."),
            code="upload_busy",
        )
    try:
        yield
    finally:
        slots.release()


# --- checks -------------------------------------------------------------------------------


def _read_capped(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _too_large()
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    if not data:
        raise ValidationError(_("The file is empty."), code="file_empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large()
    return data


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)d MB. Take the photo again at a lower resolution."),
        code="file_too_large",
        params={"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


def _corrupt() -> ValidationError:
    return ValidationError(_("The file is damaged or incomplete. Take the photo or scan again."), code="file_corrupt")


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _(
            "The image has too many pixels to process. Take the photo again at a lower resolution "
            "(%(mp)d megapixels at most)."
        ),
        code="image_too_large",
        params={"mp": MAX_DECODE_PIXELS // 1_000_000},
    )


# --- images -------------------------------------------------------------------------------


def _reencode_image(data: bytes, content_type: str) -> bytes:
    expected = "JPEG" if content_type == "image/jpeg" else "PNG"
    try:
        with Image.open(io.BytesIO(data)) as probe:
            _check_header(probe, expected)
            probe.verify()  # checks the structure (PNG CRCs) without decoding the pixels
        with Image.open(io.BytesIO(data)) as image:
            limit = _draft(image) if expected == "JPEG" else MAX_DECODE_PIXELS
            if image.width * image.height > limit:
                raise _too_many_pixels()
            image.load()
            return _encode(image, expected)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt() from exc


def _draft(image: Image.Image) -> int:
    """Make the JPEG decode at 1/2, 1/4 or 1/8 scale: as much as keeps MAX_SIDE (pixels that
    thumbnail() would throw away), more if still over JPEG_DECODE_PIXELS. Returns the decode limit."""
    reduce = next((r for r in (8, 4, 2) if max(image.size) / r >= MAX_SIDE), 1)
    while reduce < 8 and (image.width / reduce) * (image.height / reduce) > JPEG_DECODE_PIXELS:
        reduce *= 2
    if reduce > 1:
        image.draft(image.mode, (image.width // reduce, image.height // reduce))
    return JPEG_DECODE_PIXELS


def _check_header(probe: Image.Image, expected: str) -> None:
    if probe.format != expected:
        raise _corrupt()
    limit = MAX_JPEG_PIXELS if expected == "JPEG" else MAX_DECODE_PIXELS
    if probe.width * probe.height > limit:
        raise _too_many_pixels()


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Apply the EXIF rotation, shrink if huge, and write a fresh file without metadata."""
    image.thumbnail((MAX_SIDE, MAX_SIDE))  # before the rotation: it then copies fewer pixels
    ImageOps.exif_transpose(image, in_place=True)  # without in_place it returns a full copy
    image.info = {}
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        # No optimize=True: libjpeg then keeps every coefficient of the image in memory (~50 MB here).
        image.save(out, "JPEG", quality=88)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


# --- PDFs ---------------------------------------------------------------------------------


def _rebuild_pdf(data: bytes) -> bytes:
    """Render each page (bounded) and write a new PDF holding only those pictures."""
    import pypdfium2 as pdfium  # noqa: PLC0415 (loaded on the first PDF, not by every process)

    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise _pdf_unreadable(exc) from exc
        try:
            _check_page_count(len(document))
            pages = []
            for index in range(len(document)):
                width, height, picture = _render_page(pdfium, document[index])
                pages.append((width, height, _jpeg(picture), (*picture.size, picture.mode)))
                del picture  # one page's pixels at a time
        except pdfium.PdfiumError as exc:
            raise _corrupt() from exc
        finally:
            document.close()
    return _image_pdf(pages)


def _check_page_count(count: int) -> None:
    if count == 0:
        raise _corrupt()
    if count > MAX_PDF_PAGES:
        raise ValidationError(
            _("The PDF has more than %(n)d pages. Send only the pages of this document."),
            code="pdf_too_many_pages",
            params={"n": MAX_PDF_PAGES},
        )


def _pdf_unreadable(exc: Exception) -> ValidationError:
    if "password" in str(exc).lower():
        return ValidationError(
            _("The PDF is protected by a password. Send it without the password."), code="pdf_encrypted"
        )
    return _corrupt()


def _render_page(pdfium: Any, page: Any) -> tuple[float, float, Image.Image]:
    """(width pt, height pt, picture) of one page, drawn at most PDF_MAX_SIDE pixels on its long side."""
    try:
        width, height = page.get_size()
        if not (0 < width < 15_000 and 0 < height < 15_000):
            raise _corrupt()
        for image in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            px_width, px_height = image.get_px_size()
            if px_width * px_height > MAX_PDF_IMAGE_PIXELS:
                raise _too_many_pixels()
        scale = min(PDF_MAX_DPI / 72, PDF_MAX_SIDE / max(width, height))
        picture = page.render(scale=scale, may_draw_forms=False).to_pil()
        return width, height, picture if picture.mode in ("RGB", "L") else picture.convert("RGB")
    finally:
        page.close()


def _jpeg(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def _image_pdf(pages: list[tuple[float, float, bytes, tuple[int, int, str]]]) -> bytes:
    """A minimal PDF written by hand: per page one JPEG image (DCTDecode, passed through) and nothing else.

    No library in between means no decoded copy of each picture held until the end, and the same
    pages give the same bytes (no timestamp, no random id), which the double-submit check relies on.
    """
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for width, height, jpeg, size in pages:
        first = len(objects) + 1  # page, content, image
        kids.append(b"%d 0 R" % first)
        draw = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (width, height)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
            b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (width, height, first + 1, first + 2)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
        colours = b"/DeviceGray" if size[2] == "L" else b"/DeviceRGB"
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 "
            b"/Filter /DCTDecode /Length %d >>\nstream\n"
            % (size[0], size[1], colours, len(jpeg))
            + jpeg
            + b"\nendstream"
        )
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
