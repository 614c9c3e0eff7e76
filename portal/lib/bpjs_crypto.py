"""BPJS request signing and response encryption: one home for VClaim and Antrean (and their simulators).

Protocol (shared/reference/bpjs.md section 4b, the same for VClaim and Antrean):
- every request carries `X-cons-id`, `X-timestamp` (UTC seconds), `X-signature` =
  base64(HMAC-SHA256(secret, "<cons_id>&<timestamp>")) and `user_key`;
- an encrypted `response` is AES-256-CBC with key = SHA-256(cons_id + secret + timestamp) and
  IV = the key's first 16 bytes, whose plaintext is LZ-string `compressToEncodedURIComponent`
  of the JSON text.

LZ-string works on UTF-16 code units (BPJS compresses on a Java/JavaScript side). The Python
port reads each unit back as one character, so a character outside the Basic Multilingual
Plane (an emoji typed into an address, a rare CJK name) arrives as two lone surrogates:
`decrypt_response` re-joins them, and `encrypt_response` splits such characters into their
two units first, as Java does, so the simulators send what BPJS sends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import lzstring
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class CryptoError(ValueError):
    """The payload cannot be decrypted or decompressed with these credentials."""


def make_signature(cons_id: str, secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{cons_id}&{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def request_headers(cons_id: str, secret: str, user_key: str, timestamp: str) -> dict[str, str]:
    return {
        "X-cons-id": cons_id,
        "X-timestamp": timestamp,
        "X-signature": make_signature(cons_id, secret, timestamp),
        "user_key": user_key,
        "Accept": "application/json",
    }


def signature_valid(headers, *, cons_id: str, secret: str, user_key: str) -> bool:
    """What a server (our simulators) checks: every header present and equal, in constant time."""
    timestamp = headers.get("X-timestamp", "")
    expected = make_signature(cons_id, secret, timestamp)
    return (
        hmac.compare_digest(headers.get("X-cons-id", ""), cons_id)
        & hmac.compare_digest(headers.get("X-signature", ""), expected)
        & hmac.compare_digest(headers.get("user_key", ""), user_key)
    )


def response_key(cons_id: str, secret: str, timestamp: str) -> bytes:
    return hashlib.sha256(f"{cons_id}{secret}{timestamp}".encode()).digest()


def to_utf16_units(text: str) -> str:
    """One Python character per UTF-16 code unit (a non-BMP character becomes its surrogate pair)."""
    data = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(data[i : i + 2], "little")) for i in range(0, len(data), 2))


def join_surrogates(text: str) -> str:
    """Re-join surrogate pairs into the characters they encode; a lone unpaired one is an error."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise CryptoError("the decompressed text has an unpaired surrogate") from exc


def encrypt_response(plaintext: str, *, cons_id: str, secret: str, timestamp: str) -> str:
    """What BPJS does to `response`: LZ-string over UTF-16 units, then AES-256-CBC."""
    key = response_key(cons_id, secret, timestamp)
    compressed = lzstring.LZString().compressToEncodedURIComponent(to_utf16_units(plaintext)).encode()
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    ciphertext = encryptor.update(padder.update(compressed) + padder.finalize()) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode()


def decrypt_response(payload: str, *, cons_id: str, secret: str, timestamp: str) -> str:
    """AES-256-CBC decrypt, then LZ-string decompress; returns the JSON text (CryptoError if not)."""
    key = response_key(cons_id, secret, timestamp)
    try:
        ciphertext = base64.b64decode(payload, validate=True)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        compressed = (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
        text = lzstring.LZString().decompressFromEncodedURIComponent(compressed)
    except Exception as exc:  # binascii, ValueError, UnicodeDecodeError, lzstring's KeyError/IndexError
        raise CryptoError(f"cannot decrypt the BPJS response: {exc.__class__.__name__}") from exc
    if not text:
        raise CryptoError("the BPJS response decompressed to nothing")
    return join_surrogates(text)
