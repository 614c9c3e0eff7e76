"""A local BPJS VClaim simulator that speaks the real protocol (see guarantors/bpjs.py).

It checks X-cons-id, X-timestamp (within MAX_CLOCK_SKEW), X-signature and user_key, and answers
like VClaim: `{"metaData": {...}, "response": <AES-256-CBC of LZ-string of JSON>}`. Fixture
dates are computed from today at each request, so a "valid" referral stays valid forever.

Run it: `python manage.py bpjs_simulator --port 8089`, or `start_simulator()` in a thread
(tests), or let `guarantors.services` start it lazily (`ensure_embedded`) when DEBUG is on and
BPJS_VCLAIM_URL is empty. Fixture cards are listed in FIXTURE_PARTICIPANTS/FIXTURE_REFERRALS
below (the demo ones also in README, "Guarantors and BPJS").
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from portal.lib import bpjs_crypto

logger = logging.getLogger(__name__)

DEMO_CONS_ID = "antrean-sim"
DEMO_SECRET = "antrean-sim-secret"
DEMO_USER_KEY = "antrean-sim-user-key"
BASE_PATH = "/vclaim-rest"
MAX_CLOCK_SKEW = 300  # seconds; also catches clients that send milliseconds

# Numbers that make the simulator misbehave, for timeout and garbage tests.
CARD_SLOW = "0009990000001"  # sleeps `slow_seconds` before answering
CARD_SERVER_ERROR = "0009990000002"  # HTTP 500
CARD_GARBAGE = "0009990000003"  # HTTP 200 with an HTML page
CARD_BAD_CIPHER = "0009990000004"  # valid envelope, `response` not decryptable
CARD_TRICKLE = "0009990000005"  # the whole answer, status line first, one byte per `trickle_interval`
CARD_TRICKLE_BODY = "0009990000006"  # headers at once, then the body one byte per `trickle_interval`
REFERRAL_SLOW = "0902P0010000Y999001"
REFERRAL_SERVER_ERROR = "0902P0010000Y999002"
REFERRAL_GARBAGE = "0902P0010000Y999003"
SPECIAL_SLOW = {CARD_SLOW, REFERRAL_SLOW}
SPECIAL_500 = {CARD_SERVER_ERROR, REFERRAL_SERVER_ERROR}
SPECIAL_GARBAGE = {CARD_GARBAGE, REFERRAL_GARBAGE}
SPECIAL_TRICKLE = {CARD_TRICKLE: "all", CARD_TRICKLE_BODY: "body"}


@dataclass(frozen=True)
class FixtureParticipant:
    card_number: str
    nik: str
    name: str
    birth_date: str
    sex: str
    status: tuple[str, str] = ("0", "AKTIF")
    hak_kelas: tuple[str, str] = ("1", "KELAS I")
    jenis: tuple[str, str] = ("15", "PEKERJA MANDIRI")


@dataclass(frozen=True)
class FixtureReferral:
    number: str
    source: str  # "fktp" or "rs"
    card_number: str
    poli: tuple[str, str]
    days_ago: int
    referred_by: tuple[str, str] = ("09020101", "PUSKESMAS BANYUMAS")


# Status wording: "AKTIF" is documented; the inactive wordings are illustrative [unverified].
FIXTURE_PARTICIPANTS: tuple[FixtureParticipant, ...] = (
    FixtureParticipant("0001234567890", "3302011204850001", "BUDI SANTOSO", "1985-04-12", "L"),
    FixtureParticipant(
        "0001234567891", "3302016309880002", "SARI WULANDARI", "1988-09-23", "P", hak_kelas=("2", "KELAS II")
    ),
    FixtureParticipant(
        "0002000000011", "3302011501900003", "ANDI PRATAMA", "1990-01-15", "L", status=("1", "TIDAK AKTIF")
    ),
    FixtureParticipant(
        "0002000000012", "3302017006790004", "RINA MARLINA", "1979-06-30", "P", status=("9", "NON AKTIF KARENA PREMI")
    ),
    FixtureParticipant(
        "0002000000013",
        "3302010202600005",
        "SUPARMAN",
        "1960-02-02",
        "L",
        hak_kelas=("3", "KELAS III"),
        jenis=("21", "PBI (APBN)"),
    ),
    FixtureParticipant(
        "0002000000014",
        "3302014405700006",
        "WARSIH",
        "1970-05-04",
        "P",
        status=("1", "TIDAK AKTIF"),
        hak_kelas=("3", "KELAS III"),
        jenis=("21", "PBI (APBN)"),
    ),
    # Answers, but only after `slow_seconds`: a timeout, or a late success with a long timeout.
    FixtureParticipant(CARD_SLOW, "3302010101800007", "TONI LAMBAT", "1980-01-01", "L"),
    # Valid records, sent so slowly that only a total deadline stops the wait (issue 10 section 2).
    FixtureParticipant(CARD_TRICKLE, "3302010101800008", "TONI LAMBAT", "1980-01-01", "L"),
    FixtureParticipant(CARD_TRICKLE_BODY, "3302010101800009", "TONI LAMBAT", "1980-01-01", "L"),
)

POLI = {
    "INT": "PENYAKIT DALAM",
    "ANA": "ANAK",
    "MAT": "MATA",
    "JAN": "JANTUNG DAN PEMBULUH DARAH",
    "OBG": "OBGYN",
    "BED": "BEDAH",
    "SAR": "SARAF",
    "THT": "THT-KL",
    "KLT": "KULIT KELAMIN",
    "GIG": "GIGI",
    "PAR": "PARU",
    "ORT": "ORTHOPEDI",
    "URO": "UROLOGI",
}
_BUDI, _SARI, _ANDI = "0001234567890", "0001234567891", "0002000000011"
FIXTURE_REFERRALS: tuple[FixtureReferral, ...] = (
    FixtureReferral("0902P0010000Y000001", "fktp", _BUDI, ("INT", POLI["INT"]), 10),  # valid
    FixtureReferral("0902P0010000Y000002", "fktp", _BUDI, ("INT", POLI["INT"]), 120),  # expired
    FixtureReferral("0902P0010000Y000003", "fktp", _BUDI, ("MAT", POLI["MAT"]), 5),  # other clinic
    FixtureReferral("0902P0010000Y000004", "fktp", _SARI, ("OBG", POLI["OBG"]), 7),
    FixtureReferral("0902P0010000Y000005", "fktp", _SARI, ("INT", POLI["INT"]), 2),  # Sari's, for Budi: other person
    FixtureReferral("0902P0010000Y000006", "fktp", _ANDI, ("INT", POLI["INT"]), 10),
    FixtureReferral("0902P0010000Y000007", "fktp", _BUDI, ("INT", POLI["INT"]), 85),  # expires in 5 days
    FixtureReferral(
        "0902R0010000B000001", "rs", _BUDI, ("JAN", POLI["JAN"]), 3, referred_by=("0902R001", "RSUD AJIBARANG")
    ),  # hospital referral
)


def peserta_record(person: FixtureParticipant) -> dict[str, Any]:
    """A participant in VClaim's shape (field names as BPJS sends them)."""
    return {
        "cob": {"nmAsuransi": None, "noAsuransi": None, "tglTAT": None, "tglTMT": None},
        "hakKelas": {"keterangan": person.hak_kelas[1], "kode": person.hak_kelas[0]},
        "informasi": {"dinsos": None, "noSKTM": None, "prolanisPRB": None},
        "jenisPeserta": {"keterangan": person.jenis[1], "kode": person.jenis[0]},
        "mr": {"noMR": None, "noTelepon": None},
        "nama": person.name,
        "nik": person.nik,
        "noKartu": person.card_number,
        "pisa": "1",
        "provUmum": {"kdProvider": "09020101", "nmProvider": "PUSKESMAS BANYUMAS"},
        "sex": person.sex,
        "statusPeserta": {"keterangan": person.status[1], "kode": person.status[0]},
        "tglCetakKartu": "2016-02-12",
        "tglLahir": person.birth_date,
        "tglTAT": "2050-12-31",
        "tglTMT": "2014-01-01",
    }


def rujukan_record(referral: FixtureReferral, today: date) -> dict[str, Any]:
    person = next(p for p in FIXTURE_PARTICIPANTS if p.card_number == referral.card_number)
    return {
        "diagnosa": {"kode": "I10", "nama": "Essential (primary) hypertension"},
        "keluhan": "",
        "noKunjungan": referral.number,
        "pelayanan": {"kode": "2", "nama": "Rawat Jalan"},
        "peserta": peserta_record(person),
        "poliRujukan": {"kode": referral.poli[0], "nama": referral.poli[1]},
        "provPerujuk": {"kode": referral.referred_by[0], "nama": referral.referred_by[1]},
        "tglKunjungan": (today - timedelta(days=referral.days_ago)).isoformat(),
    }


encrypt_response = bpjs_crypto.encrypt_response  # kept importable here for the tests


_ROUTES = [
    ("peserta_card", re.compile(r"/Peserta/nokartu/(?P<key>[^/]+)/tglSEP/(?P<date>[^/]+)$")),
    ("peserta_nik", re.compile(r"/Peserta/nik/(?P<key>[^/]+)/tglSEP/(?P<date>[^/]+)$")),
    ("rujukan_rs", re.compile(r"/Rujukan/RS/(?P<key>[^/]+)$")),
    ("rujukan_fktp", re.compile(r"/Rujukan/(?P<key>[^/]+)$")),
]


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        self.server.record(path)
        if not self._authorised():
            self._send_json(401, {"metaData": {"code": "401", "message": "Signature tidak valid"}, "response": None})
            return
        for name, pattern in _ROUTES:
            if match := pattern.search(path):
                self._answer(name, match)
                return
        self._send_json(404, {"metaData": {"code": "404", "message": "Service tidak ditemukan"}, "response": None})

    def _authorised(self) -> bool:
        srv, timestamp = self.server, self.headers.get("X-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            return False
        return bpjs_crypto.signature_valid(self.headers, cons_id=srv.cons_id, secret=srv.secret, user_key=srv.user_key)

    def _answer(self, route: str, match: re.Match) -> None:
        key = match["key"]
        if key in SPECIAL_SLOW:
            self.server.stopping.wait(self.server.slow_seconds)
        self.trickle = SPECIAL_TRICKLE.get(key, "")
        if key in SPECIAL_500:
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
            return
        if key in SPECIAL_GARBAGE:
            self._send(200, b"<html><body>Gateway sedang sibuk</body></html>", "text/html")
            return
        if key == CARD_BAD_CIPHER:
            self._send_json(200, {"metaData": {"code": "200", "message": "OK"}, "response": "bm90IGNpcGhlcnRleHQ="})
            return
        payload = self._lookup(route, match)
        if payload is None:
            message = "Data Rujukan Tidak Ditemukan" if route.startswith("rujukan") else "Peserta Tidak Ditemukan"
            self._send_json(200, {"metaData": {"code": "201", "message": message}, "response": None})
            return
        self._send_ok(payload)

    def _lookup(self, route: str, match: re.Match) -> dict[str, Any] | None:
        key = match["key"]
        if route.startswith("peserta"):
            try:
                date.fromisoformat(match["date"])
            except ValueError:
                return None
            field = "card_number" if route == "peserta_card" else "nik"
            person = next((p for p in FIXTURE_PARTICIPANTS if getattr(p, field) == key), None)
            return {"peserta": peserta_record(person)} if person else None
        source = "rs" if route == "rujukan_rs" else "fktp"
        referral = next((r for r in FIXTURE_REFERRALS if r.number == key and r.source == source), None)
        return {"rujukan": rujukan_record(referral, date.today())} if referral else None

    def _send_ok(self, payload: dict[str, Any]) -> None:
        srv = self.server
        encrypted = encrypt_response(
            json.dumps(payload), cons_id=srv.cons_id, secret=srv.secret, timestamp=self.headers["X-timestamp"]
        )
        self._send_json(200, {"metaData": {"code": "200", "message": "OK"}, "response": encrypted})

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        if getattr(self, "trickle", ""):
            self._send_trickle(status, body, content_type)
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to tell it

    def _send_trickle(self, status: int, body: bytes, content_type: str) -> None:
        """Write byte by byte with a pause between: every single read is quick, the whole never ends."""
        head = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        data, sent = head + body, 0
        if self.trickle == "body":
            self.wfile.write(head)
            sent = len(head)
        self.close_connection = True
        try:
            while sent < len(data) and not self.server.stopping.wait(self.server.trickle_interval):
                self.wfile.write(data[sent : sent + 1])
                sent += 1
        except OSError:
            pass  # the client gave up: what was sent is recorded below
        self.server.record_trickle(sent, len(data))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping "slow" handler must not keep the process alive

    def __init__(
        self,
        address: tuple[str, int],
        *,
        cons_id: str,
        secret: str,
        user_key: str,
        slow_seconds: float = 10.0,
        trickle_interval: float = 1.0,
        verbose: bool = False,
    ) -> None:
        super().__init__(address, _Handler)
        self.cons_id, self.secret, self.user_key = cons_id, secret, user_key
        self.slow_seconds, self.trickle_interval, self.verbose = slow_seconds, trickle_interval, verbose
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._paths: list[str] = []
        self._trickles: list[tuple[int, int]] = []
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{BASE_PATH}"

    def record(self, path: str) -> None:
        with self._lock:
            self._paths.append(path)

    @property
    def request_paths(self) -> list[str]:
        with self._lock:
            return list(self._paths)

    def reset_requests(self) -> None:
        with self._lock:
            self._paths.clear()
            self._trickles.clear()

    def record_trickle(self, sent: int, total: int) -> None:
        with self._lock:
            self._trickles.append((sent, total))

    @property
    def trickles(self) -> list[tuple[int, int]]:
        """(bytes sent, bytes in the whole answer) of each finished trickled answer."""
        with self._lock:
            return list(self._trickles)

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.shutdown()
            self.thread.join(timeout=5)
        self.server_close()


def start_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    cons_id: str = DEMO_CONS_ID,
    secret: str = DEMO_SECRET,
    user_key: str = DEMO_USER_KEY,
    slow_seconds: float = 10.0,
    trickle_interval: float = 1.0,
    verbose: bool = False,
) -> SimulatorServer:
    """Serve in a daemon thread; port 0 picks a free port (read it from `.url`). Call `.stop()`."""
    server = SimulatorServer(
        (host, port),
        cons_id=cons_id,
        secret=secret,
        user_key=user_key,
        slow_seconds=slow_seconds,
        trickle_interval=trickle_interval,
        verbose=verbose,
    )
    server.thread = threading.Thread(target=server.serve_forever, name="bpjs-simulator", daemon=True)
    server.thread.start()
    return server


# --- the simulator embedded in a DEBUG process ------------------------------------------------

_embedded: SimulatorServer | None = None
_embedded_lock = threading.Lock()


def credentials() -> dict[str, str]:
    """The configured BPJS credentials, or the simulator's demo ones where a setting is empty."""
    from django.conf import settings

    return {
        "cons_id": settings.BPJS_CONS_ID or DEMO_CONS_ID,
        "secret": settings.BPJS_SECRET or DEMO_SECRET,
        "user_key": settings.BPJS_USER_KEY or DEMO_USER_KEY,
    }


def ensure_embedded() -> str:
    """Start one simulator per process on a free loopback port (first call only); return its URL."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            _embedded = start_simulator(**credentials())
            logger.warning("BPJS_VCLAIM_URL is empty: using the embedded BPJS simulator at %s", _embedded.url)
        return _embedded.url


def stop_embedded() -> None:
    global _embedded
    with _embedded_lock:
        if _embedded is not None:
            _embedded.stop()
            _embedded = None
