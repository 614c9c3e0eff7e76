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

import functools
import http.client
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from portal.lib import bpjs_crypto
from portal.lib.deadline import Deadline, deadline_opener

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1024 * 1024  # a participant record is ~2 KB; anything huge is not BPJS


class BpjsError(Exception):
    """BPJS gave no usable answer."""


class BpjsNotConfigured(BpjsError):
    """No VClaim URL or credentials in the settings."""


class BpjsUnavailable(BpjsError):
    """Network trouble: refused, reset, DNS."""


class BpjsTimeout(BpjsUnavailable):
    """BPJS did not answer in time."""


class BpjsDeadlineExceeded(BpjsTimeout):
    """The whole call (connect, headers, body) took longer than BPJS_TIMEOUT: a total deadline,
    so a server that trickles one byte at a time cannot hold a thread past it."""


class BpjsCircuitOpen(BpjsUnavailable):
    """BPJS failed repeatedly a moment ago: not asked again until the cool-off has passed."""


class BpjsBusy(BpjsUnavailable):
    """Too many threads of this process are already waiting on BPJS: answered at once, not queued."""


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


# --- protocol primitives (one home: portal/lib/bpjs_crypto.py) ------------------------------

make_signature = bpjs_crypto.make_signature
request_headers = bpjs_crypto.request_headers
response_key = bpjs_crypto.response_key


def decrypt_response(payload: str, *, cons_id: str, secret: str, timestamp: str) -> str:
    """AES-256-CBC decrypt, then LZ-string decompress; returns the JSON text."""
    try:
        return bpjs_crypto.decrypt_response(payload, cons_id=cons_id, secret=secret, timestamp=timestamp)
    except bpjs_crypto.CryptoError as exc:
        raise BpjsProtocolError(str(exc)) from exc


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
            card_number=_text(peserta, "noKartu"),
            nik=_text(peserta, "nik"),
            name=_text(peserta, "nama"),
            birth_date=_date(_text(peserta, "tglLahir"), "tglLahir"),
            sex=_text(peserta, "sex"),
            status_code=_text(peserta, "statusPeserta", "kode"),
            status_text=_text(peserta, "statusPeserta", "keterangan"),
            class_code=_text(peserta, "hakKelas", "kode"),
            class_text=_text(peserta, "hakKelas", "keterangan"),
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
            "card_number": self.card_number,
            "name": self.name,
            "birth_date": self.birth_date.isoformat(),
            "status": self.status_text,
            "status_code": self.status_code,
            "class": self.class_text,
            "type": self.participant_type,
            "primary_care": self.primary_care_name,
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
            number=_text(rujukan, "noKunjungan"),
            source=source,
            visit_date=_date(_text(rujukan, "tglKunjungan"), "tglKunjungan"),
            poli_code=_text(rujukan, "poliRujukan", "kode"),
            poli_name=_text(rujukan, "poliRujukan", "nama"),
            referring_code=_text(rujukan, "provPerujuk", "kode"),
            referring_name=_text(rujukan, "provPerujuk", "nama"),
            diagnosis=" ".join(filter(None, [_text(rujukan, "diagnosa", "kode"), _text(rujukan, "diagnosa", "nama")])),
            participant=Participant.from_vclaim(rujukan.get("peserta")),
        )

    def summary(self) -> dict[str, str]:
        return {
            "number": self.number,
            "source": self.source,
            "date": self.visit_date.isoformat(),
            "poli_code": self.poli_code,
            "poli": self.poli_name,
            "referred_by": self.referring_name,
            "card_number": self.participant.card_number,
        }


# --- circuit breaker and concurrency cap ----------------------------------------------------------


class SharedStore(Protocol):
    """What the breaker needs of a cache (Django's cache has it): shared by every worker when
    the cache is (Redis, memcached), per process with the local-memory cache."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any, timeout: float | None = ...) -> None: ...
    def add(self, key: str, value: Any, timeout: float | None = ...) -> bool: ...
    def delete_many(self, keys: list[str]) -> None: ...


def _store_errors_pass(method: Callable[..., None]) -> Callable[..., None]:
    """A broken cache must not break booking: the breaker then stays closed, and says so."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            method(*args, **kwargs)
        except BpjsError:
            raise
        except Exception:
            logger.exception("BPJS circuit breaker state unavailable")

    return wrapper


class CircuitBreaker:
    """Opens after `failures` failed calls within `window` seconds; while open, calls fail at once
    (BpjsCircuitOpen). After `cooloff` seconds one trial call goes through (half-open): an answer
    closes the breaker, another failure opens it for a new cool-off.

    Times come from `clock` (wall-clock seconds, comparable between processes; injectable for
    tests). Two workers recording a failure at the same instant may count it once: the breaker
    then opens one failure later, which is harmless.
    """

    def __init__(
        self,
        store: SharedStore,
        *,
        failures: int,
        window: float,
        cooloff: float,
        name: str = "bpjs",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.failures, self.window, self.cooloff, self.clock = store, failures, window, cooloff, clock
        self._failures_key, self._open_key, self._trial_key = (
            f"{name}:breaker:{part}" for part in ("failures", "open_until", "trial")
        )
        self._keep = window + cooloff  # how long the cache keeps the state (real seconds)

    @property
    def enabled(self) -> bool:
        return self.failures > 0

    @_store_errors_pass
    def before_call(self) -> None:
        """Raise BpjsCircuitOpen while open; in half-open state let one caller through."""
        open_until = self.store.get(self._open_key)
        if open_until is None:
            return
        if self.clock() < open_until or not self.store.add(self._trial_key, True, max(self.cooloff, 1)):
            raise BpjsCircuitOpen("BPJS failed repeatedly just now; not asked again until the cool-off has passed")
        logger.info("BPJS circuit breaker half-open: one trial call")

    @_store_errors_pass
    def record_success(self) -> None:
        if self.store.get(self._open_key) is not None or self.store.get(self._failures_key):
            self.store.delete_many([self._open_key, self._trial_key, self._failures_key])

    @_store_errors_pass
    def record_failure(self) -> None:
        now = self.clock()
        if self.store.get(self._open_key) is not None:  # the half-open trial failed
            self._open(now)
            return
        recent = [t for t in self.store.get(self._failures_key) or [] if t > now - self.window] + [now]
        if len(recent) >= self.failures:
            self._open(now)
        else:
            self.store.set(self._failures_key, recent, self._keep)

    def _open(self, now: float) -> None:
        logger.warning("BPJS circuit breaker open for %g s", self.cooloff)
        self.store.set(self._open_key, now + self.cooloff, self._keep)
        self.store.delete_many([self._failures_key, self._trial_key])


class ConcurrencyCap:
    """At most `limit` threads of this process wait on BPJS at once; the next one is refused at
    once (BpjsBusy) instead of queueing, so a slow BPJS cannot take every worker thread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(max(limit, 1))

    @contextmanager
    def slot(self) -> Iterator[None]:
        if self.limit <= 0:  # no cap
            yield
            return
        if not self._slots.acquire(blocking=False):
            raise BpjsBusy(f"{self.limit} BPJS calls already waiting in this process")
        try:
            yield
        finally:
            self._slots.release()


# Failures that say BPJS is down or sick; answers (even "not found" or "bad credentials") are not.
BREAKER_FAILURES = (BpjsUnavailable, BpjsProtocolError)


# --- the client -------------------------------------------------------------------------------


class SignedClient:
    """A signed call to a BPJS service, bounded by the total deadline, the breaker and the cap.
    VClaim and Antrean (queueing.jkn.client) differ only in their envelopes and endpoints.

    One instance per configuration; thread-safe (no state between calls of its own; the
    breaker's state is in its shared store, the cap's in its semaphore)."""

    not_configured_message = "a BPJS URL, cons-id and secret are required"

    def __init__(
        self,
        *,
        base_url: str,
        cons_id: str,
        secret: str,
        user_key: str,
        timeout: float = 4.0,
        breaker: CircuitBreaker | None = None,
        cap: ConcurrencyCap | None = None,
    ) -> None:
        if not (base_url and cons_id and secret):
            raise BpjsNotConfigured(self.not_configured_message)
        self.base_url = base_url.rstrip("/")
        self.cons_id, self.secret, self.user_key = cons_id, secret, user_key
        self.timeout = timeout
        self.breaker, self.cap = breaker, cap
        # Plain handlers still honour http(s)_proxy/no_proxy, which hospital networks use.
        self._opener = deadline_opener()

    def url_for(self, *segments: str) -> str:
        # Quoting every segment keeps a typed "../" or "?" from reaching another endpoint.
        return "/".join([self.base_url, *(urllib.parse.quote(s, safe="") for s in segments)])

    def call(self, method: str, segments: tuple[str, ...], body: Any = None, *, unwrap: Callable) -> Any:
        """Send one signed request; `unwrap(status, body_bytes, timestamp)` reads the answer inside
        the guard, so what it raises counts for the breaker as the transport errors do."""
        data = None if body is None else json.dumps(body).encode()
        with self._guarded():
            timestamp = str(int(time.time()))
            headers = request_headers(self.cons_id, self.secret, self.user_key, timestamp)
            if data is not None:
                headers["Content-Type"] = "application/json"
            status, answer = self._fetch(self.url_for(*segments), headers, method=method, data=data)
            return unwrap(status, answer, timestamp)

    def decrypt(self, payload: str, timestamp: str) -> Any:
        """The decrypted `response` as JSON (an object or, for Antrean's references, a list)."""
        text = decrypt_response(payload, cons_id=self.cons_id, secret=self.secret, timestamp=timestamp)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise BpjsProtocolError("the decrypted BPJS response is not JSON") from exc

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        """The breaker first (no slot taken while it is open), then a slot of the cap."""
        breaker = self.breaker if self.breaker is not None and self.breaker.enabled else None
        if breaker is not None:
            breaker.before_call()
        with self.cap.slot() if self.cap is not None else nullcontext():
            try:
                yield
            except BREAKER_FAILURES:
                if breaker is not None:
                    breaker.record_failure()
                raise
            except BpjsError:
                if breaker is not None:
                    breaker.record_success()  # BPJS answered, if only "no"
                raise
            if breaker is not None:
                breaker.record_success()

    def _fetch(
        self, url: str, headers: dict[str, str], *, method: str = "GET", data: bytes | None = None
    ) -> tuple[int, bytes]:
        with Deadline(self.timeout) as deadline:
            try:
                result = self._open_and_read(url, headers, deadline, method=method, data=data)
            except BpjsError:
                raise
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if deadline.expired or isinstance(reason, (TimeoutError, socket.timeout)):
                    # Each socket wait is bounded by the time left, so a socket timeout is the deadline too.
                    raise BpjsDeadlineExceeded(f"no complete answer within {self.timeout:g} s") from exc
                raise BpjsUnavailable(f"cannot reach BPJS: {reason.__class__.__name__}") from exc
            if deadline.expired:  # the read ended because the sockets were shut: a truncated body
                raise BpjsDeadlineExceeded(f"no complete answer within {self.timeout:g} s")
            return result

    def _open_and_read(
        self, url: str, headers: dict[str, str], deadline: Deadline, *, method: str, data: bytes | None
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(url, headers=headers, method=method, data=data)
        request.deadline = deadline  # read by _HTTPHandler/_HTTPSHandler
        try:
            with self._opener.open(request, timeout=deadline.remaining()) as response:
                return response.status, _read_until(response, deadline)
        except urllib.error.HTTPError as exc:  # 4xx/5xx still carry a body worth reading
            with exc:
                return exc.code, _read_until(exc, deadline)


class VClaimClient(SignedClient):
    """Participant and referral look-ups."""

    not_configured_message = "BPJS_VCLAIM_URL, BPJS_CONS_ID and BPJS_SECRET are required"

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
        return self.call("GET", segments, unwrap=self._unwrap)

    def _unwrap(self, status: int, body: bytes, timestamp: str) -> dict[str, Any]:
        if status >= 500:
            raise BpjsServerError(status)
        envelope = parse_envelope(body)
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
        if isinstance(response, str) and response:
            response = self.decrypt(response, timestamp)
        if not isinstance(response, dict):
            raise BpjsProtocolError("BPJS sent an empty response")
        return response


def _read_until(response: Any, deadline: Deadline) -> bytes:
    """Read the body in chunks, refusing a huge one; the deadline's timer ends a trickle."""
    chunks, size = [], 0
    while chunk := response.read(16 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise BpjsProtocolError("the BPJS response is too large")
        deadline.remaining()
        chunks.append(chunk)
    return b"".join(chunks)


def parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BpjsProtocolError("the BPJS answer is not JSON") from exc
    if not isinstance(envelope, dict):
        raise BpjsProtocolError("the BPJS answer is not a JSON object")
    return envelope
