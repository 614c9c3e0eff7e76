"""Private uploads on S3-compatible storage shared by several app servers (portal/lib/storage.py).

The storage talks HTTP to moto's S3 server on loopback (portal/tests/s3.py); nothing is patched.
The pages that upload and serve files are tested on it in families/tests/test_documents.py and
queueing/tests/test_guarantor_flow.py.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string

from portal.lib.storage import PrivateS3Storage, StorageUnavailable
from portal.tests.test_site import run_python


def make_storage(storage_settings: dict) -> PrivateS3Storage:
    """A storage built from STORAGES["default"], as each app server builds its own at start-up."""
    return import_string(storage_settings["BACKEND"])(**storage_settings["OPTIONS"])


def test_two_servers_see_the_same_file(s3_storage):
    server_a, server_b = make_storage(s3_storage.storage_settings()), make_storage(s3_storage.storage_settings())
    name = server_a.save("identity/2026/12/abc.jpg", ContentFile(b"\xff\xd8\xff photo bytes"))
    assert s3_storage.keys() == [name]
    with server_b.open(name) as file:
        assert file.read() == b"\xff\xd8\xff photo bytes"
    assert server_b.size(name) == len(b"\xff\xd8\xff photo bytes")
    server_b.delete(name)
    assert not server_a.exists(name) and s3_storage.keys() == []


def test_the_default_storage_is_the_bucket_when_configured(s3_storage):
    name = default_storage.save("booking-documents/2026/12/x.pdf", ContentFile(b"%PDF-1.4 letter"))
    assert isinstance(default_storage._wrapped, PrivateS3Storage)
    assert s3_storage.read(name) == b"%PDF-1.4 letter"


def test_a_private_file_has_no_url_and_no_public_grant(s3_storage):
    storage = make_storage(s3_storage.storage_settings())
    name = storage.save("identity/2026/12/k.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    with pytest.raises(NotImplementedError):
        storage.url(name)  # never a presigned link: files are served through the checked views
    grants = s3_storage.server.client().get_object_acl(Bucket=s3_storage.name, Key=name)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants if g["Grantee"].get("Type") == "Group"] == []


def test_a_missing_object_is_file_not_found_as_on_disk(s3_storage):
    storage = make_storage(s3_storage.storage_settings())
    with pytest.raises(FileNotFoundError):
        storage.open("identity/2026/12/gone.jpg")
    assert not storage.exists("identity/2026/12/gone.jpg")
    storage.delete("identity/2026/12/gone.jpg")  # deleting what is not there is no error


def test_a_missing_bucket_is_a_broken_store_not_a_missing_file(s3_storage):
    storage = make_storage(s3_storage.storage_settings(bucket_name="antrean-no-such-bucket"))
    with pytest.raises(StorageUnavailable):
        storage.open("identity/2026/12/a.jpg")
    with pytest.raises(StorageUnavailable):
        storage.save("identity/2026/12/a.jpg", ContentFile(b"bytes"))


def test_a_dead_store_is_an_os_error_like_a_full_disk(dead_s3_storage, settings):
    storage = make_storage(settings.STORAGES["default"])
    for attempt in (
        lambda: storage.save("identity/2026/12/a.jpg", ContentFile(b"bytes")),
        lambda: storage.open("identity/2026/12/a.jpg"),
        lambda: storage.delete("identity/2026/12/a.jpg"),
    ):
        with pytest.raises(StorageUnavailable) as info:
            attempt()
        assert isinstance(info.value, OSError) and not isinstance(info.value, FileNotFoundError)


def test_a_store_that_never_answers_is_given_up_on(silent_s3_storage, settings):
    storage = make_storage(settings.STORAGES["default"])
    with pytest.raises(StorageUnavailable):
        storage.save("identity/2026/12/a.jpg", ContentFile(b"bytes"))


def test_a_store_that_trickles_a_file_is_given_up_on_in_total(trickling_s3_storage, settings):
    storage = make_storage(settings.STORAGES["default"])
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match="not complete within 2 s"):
        storage.open("identity/2026/12/slow.jpg")  # 0.5 s timeout x (2 attempts + 2)
    # The whole body would take over eight minutes and no single read waits 0.5 s: only the total
    # bound ends this (a generous margin: the behaviour, not a speed).
    assert time.monotonic() - started < 30


def test_each_thread_saves_and_deletes_through_its_own_bucket(s3_storage):
    storage = make_storage(s3_storage.storage_settings())
    seen = {}

    def work(n: int) -> None:
        seen[n] = storage.bucket
        name = storage.save(f"identity/2026/12/t{n}.jpg", ContentFile(b"bytes %d" % n))
        storage.delete(name)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # boto3 resources are not thread-safe: no two threads shared one (S3Storage keeps one for all).
    assert len({id(bucket.meta.client) for bucket in seen.values()}) == 4 and s3_storage.keys() == []


def test_a_dead_store_is_given_up_on_after_short_timeouts_and_one_retry(dead_s3_storage, settings):
    config = make_storage(settings.STORAGES["default"]).client_config
    assert (config.connect_timeout, config.read_timeout) == (1.0, 1.0)
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}


SHOW_STORAGE = """
import django, json; django.setup()
from django.conf import settings
from django.core.files.storage import storages
d = settings.STORAGES["default"]
options = {k: v for k, v in d["OPTIONS"].items() if k != "secret_key"}
print(json.dumps({"backend": d["BACKEND"], "class": type(storages["default"]).__name__, "options": options}))
"""


def test_settings_choose_the_bucket_when_s3_bucket_is_set():
    result = run_python(
        SHOW_STORAGE,
        S3_BUCKET="antrean-private",
        S3_ENDPOINT_URL="http://minio.rsud.internal:9000",
        S3_ACCESS_KEY_ID="antrean",
        S3_SECRET_ACCESS_KEY="s3cret-key",
        S3_REGION="ap-southeast-3",
        S3_TIMEOUT="3",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["backend"], shown["class"]) == ("portal.lib.storage.PrivateS3Storage", "PrivateS3Storage")
    assert shown["options"] == {
        "bucket_name": "antrean-private",
        "location": "",
        "endpoint_url": "http://minio.rsud.internal:9000",
        "region_name": "ap-southeast-3",
        "access_key": "antrean",
        "addressing_style": "path",
        "timeout": 3.0,
    }


def test_settings_keep_the_local_folder_without_s3_bucket(tmp_path):
    result = run_python(SHOW_STORAGE, S3_BUCKET="", PRIVATE_MEDIA_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["class"] == "FileSystemStorage" and shown["options"]["location"] == str(tmp_path)
