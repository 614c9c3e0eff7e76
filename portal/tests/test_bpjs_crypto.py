"""The one BPJS signing/encryption module against ciphertext made in the test as BPJS's Java side makes it."""

from __future__ import annotations

import base64
import hashlib
import json
import struct

import lzstring
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from portal.lib import bpjs_crypto


def java_like_encrypt(plaintext: str, cons_id: str, secret: str, timestamp: str) -> str:
    """LZ-string over UTF-16 code units (as Java/JavaScript strings are), then AES-256-CBC."""
    raw = plaintext.encode("utf-16-le", "surrogatepass")
    units = "".join(chr(unit) for (unit,) in struct.iter_unpack("<H", raw))
    compressed = lzstring.LZString().compressToEncodedURIComponent(units).encode()
    key = hashlib.sha256(f"{cons_id}{secret}{timestamp}".encode()).digest()
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(
        encryptor.update(padder.update(compressed) + padder.finalize()) + encryptor.finalize()
    ).decode()


CREDS = dict(cons_id="27952", secret="rahasia-RS", timestamp="1763769600")


@pytest.mark.parametrize(
    "text",
    [
        '[{"namadokter": "dr. Ñoman Sudiarta", "namapoli": "PENYAKIT DALAM"}]',
        json.dumps({"alamat": "Jl. Gajah Mada 😀 No. 5", "nama": "𠮷田 SITI"}, ensure_ascii=False),
        "é" * 40 + "😀" * 40 + "x" * 3000,  # repeated multibyte runs (lz-string-php #20's trouble)
    ],
    ids=["non-ascii", "non-bmp", "long-runs"],
)
def test_decryption_reads_non_ascii_and_non_bmp_text_as_bpjs_sends_it(text):
    encrypted = java_like_encrypt(text, **CREDS)
    assert bpjs_crypto.decrypt_response(encrypted, **CREDS) == text


def test_without_re_joining_a_non_bmp_character_would_come_out_as_two_lone_surrogates():
    units = "".join(chr(u) for (u,) in struct.iter_unpack("<H", "😀".encode("utf-16-le")))
    raw = lzstring.LZString().decompressFromEncodedURIComponent(
        lzstring.LZString().compressToEncodedURIComponent(units)
    )
    assert raw == "\ud83d\ude00"
    assert bpjs_crypto.join_surrogates(raw) == "😀"


def test_an_unpaired_surrogate_is_a_crypto_error_not_mojibake():
    with pytest.raises(bpjs_crypto.CryptoError):
        bpjs_crypto.join_surrogates("abc\ud83d")


def test_encrypt_then_decrypt_round_trips_a_json_array_with_emoji():
    text = json.dumps([{"nama": "Budi 😀"}, {"nama": "Ani"}], ensure_ascii=False)
    encrypted = bpjs_crypto.encrypt_response(text, **CREDS)
    assert encrypted == java_like_encrypt(text, **CREDS)
    assert json.loads(bpjs_crypto.decrypt_response(encrypted, **CREDS)) == [{"nama": "Budi 😀"}, {"nama": "Ani"}]


@pytest.mark.parametrize("payload", ["", "not base64!", base64.b64encode(b"0123456789abcdef").decode()])
def test_garbage_is_a_crypto_error(payload):
    with pytest.raises(bpjs_crypto.CryptoError):
        bpjs_crypto.decrypt_response(payload, **CREDS)


def test_signature_check_accepts_the_signed_headers_and_refuses_a_changed_one():
    headers = bpjs_crypto.request_headers("27952", "rahasia-RS", "kunci", "1763769600")
    assert bpjs_crypto.signature_valid(headers, cons_id="27952", secret="rahasia-RS", user_key="kunci")
    assert not bpjs_crypto.signature_valid(
        {**headers, "X-timestamp": "1763769601"}, cons_id="27952", secret="rahasia-RS", user_key="kunci"
    )
    assert not bpjs_crypto.signature_valid(headers, cons_id="27952", secret="rahasia-RS", user_key="lain")
