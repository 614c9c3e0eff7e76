"""Private uploads on S3-compatible storage (MinIO, Ceph, AWS): one bucket shared by every app server.

`PrivateS3Storage` is django-storages' S3Storage with the choices a private store needs:
- it never makes a URL: every file is served through a permission-checked view
  (portal/lib/private_files.py), so `url()` raises instead of presigning a link someone could share;
- it sends no ACL: privacy is the bucket's (private, public access blocked; see README), and new
  AWS buckets refuse every ACL header but one ("ACLs disabled");
- a dead or hanging store costs seconds, not minutes: short connect/read timeouts, one retry, and a
  read is given up after a total time (a body trickled a byte at a time); a write's socket
  operations are each bounded by the timeout (botocore has no total deadline for a PUT);
- its failures are OSError (StorageUnavailable), like a full or unmounted disk under
  FileSystemStorage, so callers handle both backends with one `except OSError`; a missing object
  is FileNotFoundError, as on disk;
- a file opened for reading is fetched at once with one GET, so a failure is raised where the caller
  can catch it (in the view, not half-way through a streamed response). Our files are at most 5 MB.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class StorageUnavailable(OSError):  # noqa: N818 - an OSError like the disk's, named for what happened
    """The shared storage did not answer, or refused: nothing was written or read."""


@contextmanager
def _as_os_error(action: str, name: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        # The object is missing (a HEAD's 404 has no body, hence no code but "404"); a missing
        # bucket (NoSuchBucket, also a 404) is a misconfigured store, not a missing file.
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            raise FileNotFoundError(f"not in the bucket: {name}") from exc
        raise StorageUnavailable(f"S3 {action} of {name} refused: {exc}") from exc
    except (BotoCoreError, Boto3Error) as exc:
        raise StorageUnavailable(f"S3 {action} of {name} failed: {exc}") from exc


def _read_within(answer: dict[str, Any], seconds: float, name: str) -> bytes:
    """A GetObject answer's bytes, given up after `seconds` in all, however slowly the store sends.

    botocore's StreamingBody.read(n) waits until it has n bytes, each socket read bounded by the
    read timeout, so a body trickled a byte at a time would hold the thread for as long as the
    store likes; urllib3's read1 returns after one socket read, so the time is checked between them.
    """
    body, until, chunks, size = answer["Body"], time.monotonic() + seconds, [], 0
    raw = body._raw_stream  # noqa: SLF001 - the urllib3 response under botocore's StreamingBody
    try:
        while chunk := raw.read1(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if time.monotonic() > until:
                raise StorageUnavailable(f"S3 read of {name} not complete within {seconds:g} s")
    finally:
        body.close()
    if answer.get("ContentLength") not in (None, size):  # what StreamingBody.read would have checked
        raise StorageUnavailable(f"S3 read of {name} ended after {size} of {answer['ContentLength']} bytes")
    return b"".join(chunks)


class PrivateS3Storage(S3Storage):
    """Options as S3Storage's, plus `timeout` (seconds per connect and per read) and `attempts` (per call)."""

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "default_acl": None,
            "querystring_auth": True,  # belt and braces: url() refuses anyway
            "file_overwrite": True,  # names are random (uploads.private_path): no HEAD before each upload
            "timeout": 5.0,
            "attempts": 2,
        }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client_config = self.client_config.merge(
            Config(
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                retries={"total_max_attempts": self.attempts, "mode": "standard"},
            )
        )
        # A file of at most 5 MB is one PUT (multipart starts at 8 MB): no thread pool per upload.
        self.transfer_config = TransferConfig(use_threads=False, num_download_attempts=self.attempts)

    def url(self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        raise NotImplementedError("private files have no URL: serve them through a permission-checked view")

    def _open(self, name: str, mode: str = "rb") -> Any:
        if "r" not in mode:
            with _as_os_error("open", name):
                return super()._open(name, mode)
        # One GET, read at once (S3File would send two HEADs first and fetch on the first read),
        # through this thread's own client (`connection` is per thread; boto3 resources are not thread-safe).
        key = self._normalize_name(clean_name(name))
        with _as_os_error("read", name):
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
            data = _read_within(answer, self.timeout * (self.attempts + 2), name)
        return File(io.BytesIO(data), name=name)

    @property
    def bucket(self) -> Any:
        # boto3 resources are not thread-safe and S3Storage keeps one Bucket for every thread:
        # each thread's own connection makes its own (no network call), for saves and deletes too.
        return self.connection.Bucket(self.bucket_name)

    def _save(self, name: str, content: Any) -> str:
        with _as_os_error("write", name):
            return super()._save(name, content)

    def delete(self, name: str) -> None:
        with _as_os_error("delete", name):
            super().delete(name)

    def exists(self, name: str) -> bool:
        with _as_os_error("check", name):
            return super().exists(name)

    def size(self, name: str) -> int:
        with _as_os_error("size", name):
            return super().size(name)
