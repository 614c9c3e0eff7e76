"""Storing and reading one upload: a local folder against S3 (`python -m bench upload_storage`).

What PrivateS3Storage (portal/lib/storage.py) adds to an upload and to a served file, against
FileSystemStorage: the same rebuilt ID-card photo is saved, read back and deleted
BENCH_UPLOAD_STORAGE_N times on each. The S3 side is moto's S3 server (the tests' fake) in a
process of its own on loopback, so the figures are HTTP plus a Python server, an upper bound
for a MinIO on the LAN rather than its speed; the photo's re-encoding (the same on both) is
left out.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N = int(os.environ.get("BENCH_UPLOAD_STORAGE_N", "100"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _photo() -> tuple[bytes, str]:
    """A phone photo rebuilt as every upload is, and what the rebuilding took (for scale)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from portal.lib.uploads import clean_upload

    out = io.BytesIO()
    Image.effect_noise((2000, 1500), 40).convert("RGB").save(out, "JPEG", quality=90)
    timings = []
    for _n in range(max(5, N // 10)):
        start = time.perf_counter()
        content = clean_upload(SimpleUploadedFile("ktp.jpg", out.getvalue(), "image/jpeg")).content
        timings.append(time.perf_counter() - start)
    return content, _ms(timings)


def _start_moto() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server_bin = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    server = subprocess.Popen(
        [server_bin, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _attempt in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("moto_server did not start")


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms"


def _measure(storage, content: bytes) -> dict[str, str]:
    from django.core.files.base import ContentFile

    from portal.lib.uploads import private_path

    storage.save(private_path("identity", "warm.jpg"), ContentFile(content))  # connection and client made
    timings: dict[str, list[float]] = {"save": [], "open+read": [], "delete": []}
    for _n in range(N):
        start = time.perf_counter()
        name = storage.save(private_path("identity", "ktp.jpg"), ContentFile(content))
        timings["save"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with storage.open(name) as file:
            assert file.read() == content
        timings["open+read"].append(time.perf_counter() - start)
        start = time.perf_counter()
        storage.delete(name)
        timings["delete"].append(time.perf_counter() - start)
    return {step: _ms(values) for step, values in timings.items()}


def main() -> None:
    from django.core.files.storage import FileSystemStorage

    from portal.lib.storage import PrivateS3Storage

    try:
        import moto  # noqa: F401 - a test requirement
    except ImportError:
        print("[upload_storage] skipped: no moto (pip install -r requirements-test.txt)")
        return
    content, rebuilding = _photo()
    folder = tempfile.mkdtemp(prefix="bench-upload-storage-")
    server, endpoint = _start_moto()
    try:
        import boto3

        keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys).create_bucket(Bucket="bench")
        s3 = PrivateS3Storage(
            bucket_name="bench",
            endpoint_url=endpoint,
            region_name="us-east-1",
            addressing_style="path",
            access_key="bench",
            secret_key="bench",
        )
        print(f"one rebuilt ID-card photo of {len(content) // 1024} KB, {N} times each; load {_loadavg()}")
        print(f"    (rebuilding it from the upload, on either storage: {rebuilding})")
        for label, storage in (("local folder", FileSystemStorage(location=folder)), ("S3 (moto server)", s3)):
            for step, figure in _measure(storage, content).items():
                print(f"    {label:17s} {step:9s} {figure}", flush=True)
        print(f"load average after: {_loadavg()}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
