"""A fake S3 server on loopback for tests (moto's server mode): the real boto3 client talks HTTP to it.

Registered as a pytest plugin in conftest.py. `s3_storage` points Django's private storage
(STORAGES["default"]) at a fresh bucket on it, through portal.lib.storage.PrivateS3Storage as in
production; `dead_s3_storage` and `silent_s3_storage` point it at a port that refuses connections and
at one that accepts and never answers. Nothing in botocore is patched (no `mock_aws`): requests
go over real sockets, so timeouts, retries and connection errors are the real ones.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

REGION = "us-east-1"
KEYS = {"access_key": "fake-access-key", "secret_key": "fake-secret-key"}


def storage_options(endpoint: str, bucket: str, **extra: Any) -> dict[str, Any]:
    """STORAGES["default"] for PrivateS3Storage, as portal/settings.py builds it from S3_* variables."""
    options = dict(bucket_name=bucket, endpoint_url=endpoint, region_name=REGION, addressing_style="path", **KEYS)
    return {"BACKEND": "portal.lib.storage.PrivateS3Storage", "OPTIONS": {**options, **extra}}


class FakeS3:
    """moto's S3 in a thread on 127.0.0.1 and a free port; buckets live as long as the process."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415 - only sessions that use S3 load moto

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request on stderr
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.stop()

    def client(self) -> Any:
        """A plain boto3 client, to look into the bucket from outside the storage under test."""
        import boto3  # noqa: PLC0415

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["access_key"],
            aws_secret_access_key=KEYS["secret_key"],
        )

    def new_bucket(self) -> str:
        name = f"antrean-test-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name


class Bucket:
    """One test's bucket on the fake server: what is in it, and each object's bytes."""

    def __init__(self, server: FakeS3, name: str) -> None:
        self.server, self.name = server, name

    def keys(self) -> list[str]:
        listing = self.server.client().list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read()

    def storage_settings(self, **extra: Any) -> dict[str, Any]:
        return storage_options(self.server.endpoint, self.name, **extra)


@pytest.fixture(scope="session")
def fake_s3() -> Iterator[FakeS3]:
    server = FakeS3()
    server.start()
    yield server
    server.stop()


def _use(settings, storage: dict[str, Any]) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": storage}


@pytest.fixture
def s3_storage(settings, fake_s3) -> Bucket:
    """Private uploads go to a fresh bucket of the fake S3 server, through PrivateS3Storage."""
    bucket = Bucket(fake_s3, fake_s3.new_bucket())
    _use(settings, bucket.storage_settings())
    return bucket


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_s3_storage(settings) -> str:
    """Private storage on S3 at a loopback port where nothing listens (connection refused)."""
    endpoint = f"http://127.0.0.1:{_free_port()}"
    _use(settings, storage_options(endpoint, "antrean-private", timeout=1.0))
    return endpoint


@pytest.fixture
def silent_s3_storage(settings) -> Iterator[str]:
    """Private storage on S3 at a port that accepts connections and never answers (a hung server); 0.5 s timeout."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
        _use(settings, storage_options(endpoint, "antrean-private", timeout=0.5))
        yield endpoint


@pytest.fixture
def trickling_s3_storage(settings) -> Iterator[str]:
    """Private storage on an S3 endpoint that answers a GET at once, then sends its 10,000-byte body
    one byte every 50 ms (over eight minutes): every socket read succeeds; 0.5 s timeout."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Trickle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "10000")
            self.end_headers()
            for _ in range(10000):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return  # the client gave up: what the test wants
                time.sleep(0.05)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    _use(settings, storage_options(endpoint, "antrean-private", timeout=0.5))
    yield endpoint
    server.shutdown()
    server.server_close()
