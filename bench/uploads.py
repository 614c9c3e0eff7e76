"""Peak memory of hostile uploads (issue 10 §3): `python -m bench uploads`.

Each case runs in a fresh Python process, so the kernel's high-water mark of resident memory
(VmHWM in /proc/self/status, the peak RSS) belongs to that case alone. The child loads Django and the
uploads module and handles a small file first (libraries and their buffers in place); the figure
is the peak *above* that baseline. Files are made by the parent and handed over on disk.

Targets: at most 150 MB for one upload, 400 MB for eight at once (eight threads of one worker).
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import zlib
from pathlib import Path

from PIL import Image

ONE_UPLOAD_MB = 150
EIGHT_UPLOADS_MB = 400


def _png(size: tuple[int, int], mode: str) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def _jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 60, 30)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _pdf_with_image(side: int) -> bytes:
    """One A4 page drawing a side x side RGB image (Flate: a few hundred KB on disk)."""
    from portal.tests.hostile_files import classic_pdf

    packer, row = zlib.compressobj(9), bytes(side * 3)
    pixels = b"".join(packer.compress(row) for _row in range(side)) + packer.flush()
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    return classic_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
            4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            5: b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
            % (side, side, len(pixels))
            + pixels
            + b"\nendstream",
        }
    )


def _ten_page_pdf() -> bytes:
    from portal.tests.hostile_files import PAGE_TEXT, classic_pdf

    kids = b" ".join(b"%d 0 R" % (10 + n) for n in range(10))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count 10 >>",
        4: b"<< /Length %d >>\nstream\n" % len(PAGE_TEXT) + PAGE_TEXT + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for n in range(10):
        objects[10 + n] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        )
    return classic_pdf(objects)


CASES = {
    # name: (what it is, how to make it)
    "png_bomb_7745": ("PNG 7745x7745 RGB, 175 KB (the issue's attack): refused", lambda: _png((7745, 7745), "RGB")),
    "png_12mp_rgba": ("PNG 4000x3000 RGBA: the largest PNG accepted", lambda: _png((4000, 3000), "RGBA")),
    "jpeg_7745": ("JPEG 7745x7745 (60 MP): decoded at 1/2 scale", lambda: _jpeg((7745, 7745))),
    "jpeg_14000": ("JPEG 14000x10000 (140 MP): decoded at 1/4 scale", lambda: _jpeg((14000, 10000))),
    "jpeg_4000": ("JPEG 4000x4000 (16 MP): decoded at full size", lambda: _jpeg((4000, 4000))),
    "pdf_image_6000": ("PDF page with a 6000x6000 image (36 MP)", lambda: _pdf_with_image(6000)),
    "pdf_image_bomb": ("PDF page with a 20000x20000 image: refused", lambda: _pdf_with_image(20000)),
    "pdf_10_pages": ("PDF of 10 text pages: the most accepted", _ten_page_pdf),
}
OLD_PATH = "png_bomb_7745"  # also measured without the limits, as the old code decoded it


# --- child process ----------------------------------------------------------------------------


def _maxrss_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that over
    from the parent across fork and exec, so the parent's own peak would hide the child's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.lib.uploads import clean_upload
    from portal.tests.hostile_files import plain_pdf

    clean_upload(SimpleUploadedFile("a.png", _png((64, 64), "RGB")))
    clean_upload(SimpleUploadedFile("a.jpg", _jpeg((64, 64))))
    clean_upload(SimpleUploadedFile("a.pdf", plain_pdf()))


def _handle(data: bytes) -> str:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.lib.uploads import clean_upload

    try:
        return f"stored {len(clean_upload(SimpleUploadedFile('f', data)).content) // 1024} KB"
    except ValidationError as exc:
        return f"refused ({exc.code})"


def _old_decode(data: bytes) -> str:
    """What the old families/uploads.py did with an image: verify, full decode, rotate, shrink, save."""
    from PIL import ImageOps

    Image.MAX_IMAGE_PIXELS = None
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
        image.thumbnail((3000, 3000))
        image.save(io.BytesIO(), "PNG", optimize=True)
    return "stored (no limits)"


def child(mode: str, path: str, copies: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["UPLOAD_BUSY_WAIT_SECONDS"] = "600"  # measure memory, not refusals for being busy
    django.setup()
    data = Path(path).read_bytes()
    _warm_up()
    baseline = _maxrss_mb()
    work = _old_decode if mode == "old" else _handle
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(work(data))) for _n in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"baseline_mb": baseline, "peak_mb": _maxrss_mb(), "results": sorted(set(results))}))


# --- parent -----------------------------------------------------------------------------------


def _measure(path: Path, copies: int, mode: str = "new") -> dict:
    root = Path(__file__).resolve().parents[1]
    output = subprocess.run(
        [sys.executable, "-m", "bench.uploads", "--child", mode, str(path), str(copies)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(root)},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    from django.conf import settings

    print(
        f"UPLOAD_PROCESSING_SLOTS={settings.UPLOAD_PROCESSING_SLOTS}; peak resident memory above a warmed-up "
        f"baseline, one fresh process per line"
    )
    worst_one = worst_eight = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, (label, make) in CASES.items():
            path = Path(folder) / name
            path.write_bytes(make())
            runs = [("1 upload", 1, "new"), ("8 at once", 8, "new")]
            if name == OLD_PATH:
                runs.append(("1, old code", 1, "old"))
            for title, copies, mode in runs:
                result = _measure(path, copies, mode)
                extra = result["peak_mb"] - result["baseline_mb"]
                print(
                    f"{name:15} {path.stat().st_size // 1024:6} KB  {title:12} +{extra:6.0f} MB "
                    f"(baseline {result['baseline_mb']:.0f} MB)  {', '.join(result['results'])}  [{label}]",
                    flush=True,
                )
                if mode == "new":
                    if copies == 1:
                        worst_one = max(worst_one, extra)
                    else:
                        worst_eight = max(worst_eight, extra)
    print(
        f"worst: one upload +{worst_one:.0f} MB (target {ONE_UPLOAD_MB}), eight at once +{worst_eight:.0f} MB "
        f"(target {EIGHT_UPLOADS_MB})"
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        django.setup()
        main()
