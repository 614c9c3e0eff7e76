"""BPJS Antrean ("WS BPJS") client: what the hospital sends to Mobile JKN's back end.

The signed, encrypted transport is the VClaim client's (guarantors.bpjs.SignedClient: same
headers, total deadline, circuit breaker, concurrency cap); only the envelopes differ:
- the envelope is `{"metadata": {"code", "message"}, "response": ...}` (lower-case `metadata`,
  VClaim's `metaData` also accepted);
- `ref/*` answers `metadata.code` 1 for success, `jadwaldokter` and the writes 200;
- `antrean/add`, `antrean/updatewaktu` and `antrean/batal` answer metadata with no `response`;
- a decrypted `response` is usually a JSON array; `response` may be an empty string;
- code 208 means "already recorded" (a resend): delivered, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guarantors.bpjs import (
    BpjsAuthError,
    BpjsError,
    BpjsNotFound,
    BpjsProtocolError,
    BpjsServerError,
    SignedClient,
    parse_envelope,
)

OK_CODES = {"200", "1"}
DUPLICATE_CODE = "208"


class AntreanRefused(BpjsError):
    """BPJS answered and said no (any code but 200/1/208): its message is kept for the staff."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.bpjs_message = code, message


@dataclass(frozen=True)
class Answer:
    """What BPJS answered to a write: accepted (200) or already recorded (208)."""

    code: str
    message: str

    @property
    def duplicate(self) -> bool:
        return self.code == DUPLICATE_CODE


class AntreanClient(SignedClient):
    not_configured_message = "the facility's BPJS Antrean base URL, cons-id and secret are required"

    # --- writes (metadata only) ---------------------------------------------------------------

    def add(self, payload: dict[str, Any]) -> Answer:
        return self.call("POST", ("antrean", "add"), payload, unwrap=self._unwrap_write)

    def update_time(self, *, kodebooking: str, taskid: int, waktu: int) -> Answer:
        body = {"kodebooking": kodebooking, "taskid": taskid, "waktu": waktu}
        return self.call("POST", ("antrean", "updatewaktu"), body, unwrap=self._unwrap_write)

    def cancel(self, *, kodebooking: str, keterangan: str) -> Answer:
        body = {"kodebooking": kodebooking, "keterangan": keterangan}
        return self.call("POST", ("antrean", "batal"), body, unwrap=self._unwrap_write)

    # --- references (encrypted arrays) ----------------------------------------------------------

    def ref_poli(self) -> list[dict[str, Any]]:
        return self.call("GET", ("ref", "poli"), unwrap=self._unwrap_list)

    def ref_dokter(self) -> list[dict[str, Any]]:
        return self.call("GET", ("ref", "dokter"), unwrap=self._unwrap_list)

    def doctor_schedule(self, *, kodepoli: str, tanggal: str) -> list[dict[str, Any]]:
        return self.call("GET", ("jadwaldokter", "kodepoli", kodepoli, "tanggal", tanggal), unwrap=self._unwrap_list)

    # --- envelopes ----------------------------------------------------------------------------------

    def _meta(self, status: int, body: bytes) -> tuple[dict[str, Any], str, str]:
        if status >= 500:
            raise BpjsServerError(status)
        envelope = parse_envelope(body)
        meta = envelope.get("metadata") or envelope.get("metaData") or {}
        if not isinstance(meta, dict) or "code" not in meta:
            raise BpjsProtocolError("the BPJS answer has no metadata code")
        code, message = str(meta.get("code", "")).strip(), str(meta.get("message") or "")
        if status in (401, 403) or code in ("401", "403"):
            raise BpjsAuthError(message or f"HTTP {status}")
        if status not in (200, 201):
            raise BpjsProtocolError(f"unexpected HTTP {status}")
        return envelope, code, message

    def _unwrap_write(self, status: int, body: bytes, timestamp: str) -> Answer:
        _envelope, code, message = self._meta(status, body)
        if code in OK_CODES or code == DUPLICATE_CODE:
            return Answer(code, message)
        raise AntreanRefused(code, message)

    def _unwrap_list(self, status: int, body: bytes, timestamp: str) -> list[dict[str, Any]]:
        envelope, code, message = self._meta(status, body)
        if code == "201":
            raise BpjsNotFound(message)
        if code not in OK_CODES:
            raise AntreanRefused(code, message)
        response = envelope.get("response")
        if response is None or response == "":
            return []
        if isinstance(response, str):
            response = self.decrypt(response, timestamp)
        if isinstance(response, dict):  # some answers wrap the array: {"list": [...]}
            response = response.get("list", [response])
        if not isinstance(response, list):
            raise BpjsProtocolError("BPJS sent a reference answer that is not a list")
        return response
