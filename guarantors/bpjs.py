"""BPJS Kesehatan VClaim REST client: participant and referral look-ups.

Protocol (shared/reference/bpjs.md, section 4b; VClaim uses the same scheme):
- every request carries `X-cons-id`, `X-timestamp` (UTC seconds), `X-signature` =
  base64(HMAC-SHA256(secret, "<cons_id>&<timestamp>")) and `user_key`;
- the answer is `{"metaData": {"code": "200", "message": "OK"}, "response": "<base64>"}`, where
  `response` is AES-256-CBC with key = SHA-256(cons_id + secret + timestamp) and IV = the key's
  first 16 bytes, whose plaintext is LZ-string `compressToEncodedURIComponent` of the JSON;
- metaData code "201" means BPJS answered "no" (not found, bad number): `BpjsNotFound`.

Everything that is not a clear answer raises a `BpjsError` subclass; callers decide what a
failure means (the eligibility service turns them into "not yet verified").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from typing import Any

import lzstring
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MAX_RESPONSE_BYTES = 1024 * 1024  # a participant record is ~2 KB; anything huge is not BPJS


class BpjsError(Exception):
    """BPJS gave no usable answer."""


class BpjsNotConfigured(BpjsError):
    """No VClaim URL or credentials in the settings."""


class BpjsUnavailable(BpjsError):
    """Network trouble: refused, reset, DNS."""


class BpjsTimeout(BpjsUnavailable):
    """BPJS did not answer within BPJS_TIMEOUT."""


class BpjsServerError(BpjsUnavailable):
    """HTTP 5xx from BPJS."""

    def __init__(self, status: int) -> None:
        super().__init__(f"BPJS answered HTTP {status}")
        self.status = status


class BpjsAuthError(BpjsError):
    """BPJS refused our cons-id, signature or user key (our configuration, not the patient)."""


class BpjsProtocolError(BpjsError):
    """The answer was not what the protocol promises: not JSON, undecryptable, fields missing."""


class BpjsNotFound(BpjsError):
    """BPJS answered "no" (metaData 201): unknown card, NIK or referral number."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.bpjs_message = message


# --- protocol primitives ------------------------------------------------------------------

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


def response_key(cons_id: str, secret: str, timestamp: str) -> bytes:
    return hashlib.sha256(f"{cons_id}{secret}{timestamp}".encode()).digest()


def decrypt_response(payload: str, *, cons_id: str, secret: str, timestamp: str) -> str:
    """AES-256-CBC decrypt, then LZ-string decompress; returns the JSON text."""
    key = response_key(cons_id, secret, timestamp)
    try:
        ciphertext = base64.b64decode(payload, validate=True)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        compressed = (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
        text = lzstring.LZString().decompressFromEncodedURIComponent(compressed)
    except Exception as exc:  # binascii, ValueError, UnicodeDecodeError, lzstring's KeyError/IndexError
        raise BpjsProtocolError(f"cannot decrypt the BPJS response: {exc.__class__.__name__}") from exc
    if not text:
        raise BpjsProtocolError("the BPJS response decompressed to nothing")
    return text


# --- answers --------------------------------------------------------------------------------

def _text(record: dict[str, Any], *keys: str) -> str:
    """Walk nested keys; BPJS sends null for absent values."""
    value: Any = record
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return "" if value is None else str(value).strip()


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BpjsProtocolError(f"BPJS sent no valid {field}") from exc


@dataclass(frozen=True)
class Participant:
    card_number: str
    nik: str
    name: str
    birth_date: date
    sex: str
    status_code: str
    status_text: str
    class_code: str
    class_text: str
    participant_type: str
    primary_care_code: str
    primary_care_name: str

    @classmethod
    def from_vclaim(cls, peserta: Any) -> Participant:
        if not isinstance(peserta, dict) or not _text(peserta, "noKartu") or not _text(peserta, "nama"):
            raise BpjsProtocolError("BPJS sent no participant record")
        return cls(
            card_number=_text(peserta, "noKartu"), nik=_text(peserta, "nik"), name=_text(peserta, "nama"),
            birth_date=_date(_text(peserta, "tglLahir"), "tglLahir"), sex=_text(peserta, "sex"),
            status_code=_text(peserta, "statusPeserta", "kode"),
            status_text=_text(peserta, "statusPeserta", "keterangan"),
            class_code=_text(peserta, "hakKelas", "kode"), class_text=_text(peserta, "hakKelas", "keterangan"),
            participant_type=_text(peserta, "jenisPeserta", "keterangan"),
            primary_care_code=_text(peserta, "provUmum", "kdProvider"),
            primary_care_name=_text(peserta, "provUmum", "nmProvider"),
        )

    @property
    def is_active(self) -> bool:
        # "AKTIF" is the documented wording; kode "0" is its code when the text is missing.
        status = self.status_text.upper()
        return status == "AKTIF" or (not status and self.status_code == "0")

    @property
    def premium_unpaid(self) -> bool:
        status = self.status_text.upper()
        return not self.is_active and any(word in status for word in ("PREMI", "IURAN", "TUNGGAK"))

    def summary(self) -> dict[str, str]:
        """What may be stored with a booking and shown to the clerk (no NIK)."""
        return {
            "card_number": self.card_number, "name": self.name, "birth_date": self.birth_date.isoformat(),
            "status": self.status_text, "status_code": self.status_code, "class": self.class_text,
            "type": self.participant_type, "primary_care": self.primary_care_name,
        }


@dataclass(frozen=True)
class Referral:
    number: str
    source: str  # "fktp" (primary care, Rujukan/{no}) or "rs" (hospital, Rujukan/RS/{no})
    visit_date: date
    poli_code: str
    poli_name: str
    referring_code: str
    referring_name: str
    diagnosis: str
    participant: Participant

    @classmethod
    def from_vclaim(cls, rujukan: Any, source: str) -> Referral:
        if not isinstance(rujukan, dict) or not _text(rujukan, "noKunjungan"):
            raise BpjsProtocolError("BPJS sent no referral record")
        return cls(
            number=_text(rujukan, "noKunjungan"), source=source,
            visit_date=_date(_text(rujukan, "tglKunjungan"), "tglKunjungan"),
            poli_code=_text(rujukan, "poliRujukan", "kode"), poli_name=_text(rujukan, "poliRujukan", "nama"),
            referring_code=_text(rujukan, "provPerujuk", "kode"),
            referring_name=_text(rujukan, "provPerujuk", "nama"),
            diagnosis=" ".join(filter(None, [_text(rujukan, "diagnosa", "kode"), _text(rujukan, "diagnosa", "nama")])),
            participant=Participant.from_vclaim(rujukan.get("peserta")),
        )

    def summary(self) -> dict[str, str]:
        return {
            "number": self.number, "source": self.source, "date": self.visit_date.isoformat(),
            "poli_code": self.poli_code, "poli": self.poli_name, "referred_by": self.referring_name,
            "card_number": self.participant.card_number,
        }


# --- the client -------------------------------------------------------------------------------

class VClaimClient:
    """One instance per configuration; thread-safe (no state between calls)."""

    def __init__(self, *, base_url: str, cons_id: str, secret: str, user_key: str, timeout: float = 4.0) -> None:
        if not (base_url and cons_id and secret):
            raise BpjsNotConfigured("BPJS_VCLAIM_URL, BPJS_CONS_ID and BPJS_SECRET are required")
        self.base_url = base_url.rstrip("/")
        self.cons_id, self.secret, self.user_key = cons_id, secret, user_key
        self.timeout = timeout
        # A plain opener still honours http(s)_proxy/no_proxy, which hospital networks use.
        self._opener = urllib.request.build_opener()

    def participant_by_card(self, card_number: str, service_date: date) -> Participant:
        data = self.get("Peserta", "nokartu", card_number, "tglSEP", service_date.isoformat())
        return Participant.from_vclaim(data.get("peserta"))

    def participant_by_nik(self, nik: str, service_date: date) -> Participant:
        data = self.get("Peserta", "nik", nik, "tglSEP", service_date.isoformat())
        return Participant.from_vclaim(data.get("peserta"))

    def referral(self, number: str, *, source: str = "fktp") -> Referral:
        segments = ("Rujukan", "RS", number) if source == "rs" else ("Rujukan", number)
        return Referral.from_vclaim(self.get(*segments).get("rujukan"), source)

    def find_referral(self, number: str) -> Referral:
        """Primary-care referrals first (the usual case), then hospital referrals."""
        try:
            return self.referral(number, source="fktp")
        except BpjsNotFound:
            return self.referral(number, source="rs")

    def get(self, *segments: str) -> dict[str, Any]:
        """GET base/segment/..., check the envelope and return the decrypted `response` object."""
        # Quoting every segment keeps a typed "../" or "?" from reaching another endpoint.
        url = "/".join([self.base_url, *(urllib.parse.quote(s, safe="") for s in segments)])
        timestamp = str(int(time.time()))
        status, body = self._fetch(url, request_headers(self.cons_id, self.secret, self.user_key, timestamp))
        return self._unwrap(status, body, timestamp)

    def _fetch(self, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            return self._open_and_read(url, headers)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise BpjsTimeout(f"no answer within {self.timeout:g} s") from exc
            raise BpjsUnavailable(f"cannot reach BPJS: {exc.reason}") from exc
        except (TimeoutError, socket.timeout) as exc:
            raise BpjsTimeout(f"no answer within {self.timeout:g} s") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise BpjsUnavailable(f"connection to BPJS failed: {exc.__class__.__name__}") from exc

    def _open_and_read(self, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(url, headers=headers, method="GET")
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, _read_until(response, deadline)
        except urllib.error.HTTPError as exc:  # 4xx/5xx still carry a body worth reading
            with exc:
                return exc.code, _read_until(exc, deadline)

    def _unwrap(self, status: int, body: bytes, timestamp: str) -> dict[str, Any]:
        if status >= 500:
            raise BpjsServerError(status)
        envelope = _parse_envelope(body)
        meta = envelope.get("metaData") or envelope.get("metadata") or {}
        code, message = str(meta.get("code", "")), str(meta.get("message", ""))
        if status in (401, 403) or code in ("401", "403"):
            raise BpjsAuthError(message or f"HTTP {status}")
        if status != 200:
            raise BpjsProtocolError(f"unexpected HTTP {status}")
        if code == "201":
            raise BpjsNotFound(message)
        if code != "200":
            raise BpjsProtocolError(f"unexpected metaData code {code!r}: {message}")
        return self._decode(envelope.get("response"), timestamp)

    def _decode(self, response: Any, timestamp: str) -> dict[str, Any]:
        if isinstance(response, str):
            text = decrypt_response(response, cons_id=self.cons_id, secret=self.secret, timestamp=timestamp)
            try:
                response = json.loads(text)
            except ValueError as exc:
                raise BpjsProtocolError("the decrypted BPJS response is not JSON") from exc
        if not isinstance(response, dict):
            raise BpjsProtocolError("BPJS sent an empty response")
        return response


def _read_until(response: Any, deadline: float) -> bytes:
    """Read the body in chunks so a server that trickles bytes cannot hold us past the deadline."""
    chunks, size = [], 0
    while chunk := response.read(16 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise BpjsProtocolError("the BPJS response is too large")
        if time.monotonic() > deadline:
            raise BpjsTimeout("the BPJS response took too long")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BpjsProtocolError("the BPJS answer is not JSON") from exc
    if not isinstance(envelope, dict):
        raise BpjsProtocolError("the BPJS answer is not a JSON object")
    return envelope
