"""A local BPJS Antrean ("WS BPJS") simulator that speaks the real protocol, with BPJS's rules.

Same signing and encryption as BPJS (portal/lib/bpjs_crypto.py). It enforces what the real
service is known to enforce (shared/reference/antrean-ws.md section 3):
- `antrean/add` first; an update or a cancellation of an unknown kodebooking is refused;
- tasks in order: 2 needs 1; 3 needs 2 when 1 was sent (a new patient), 4 needs 3, 5 needs 4,
  6 needs 5, 7 needs 6 ("TaskId sebelumnya belum terkirim"); each time later than the last
  ("waktu tidak boleh kurang atau sama");
- each kodebooking + task (and each add, each cancellation) is accepted once: a resend answers
  208, which the sender counts as delivered.
Everything accepted is kept in `state` (the tests read it: order, duplicates, counts).

Faults on demand: `sim.fail("5xx" | "garbage" | "timeout" | "slow" | "reset", count=None)`, and
`sim.go_down()` / `sim.come_up()` (the port is closed: connection refused) on the same port.
"slow" accepts the write, then waits `slow_seconds` before answering: a worker killed during
that wait resends a row BPJS already has.

Run it alone: `python manage.py antrean_simulator --port 8090`; DEBUG processes start one
lazily (`ensure_embedded`) for facilities without a BPJS Antrean base URL.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from portal.lib import bpjs_crypto

logger = logging.getLogger(__name__)

DEMO_CONS_ID = "antrean-sim"
DEMO_SECRET = "antrean-sim-secret"
DEMO_USER_KEY = "antrean-sim-user-key"
BASE_PATH = "/antreanrs"
MAX_CLOCK_SKEW = 300
FAULTS = ("5xx", "garbage", "timeout", "slow", "reset")
VALID_TASKS = {1, 2, 3, 4, 5, 6, 7, 99}
# A task's predecessor; 3's is 2 only for a new patient (one whose task 1 was sent).
PREDECESSOR = {2: 1, 4: 3, 5: 4, 6: 5, 7: 6}
ADD_FIELDS = (
    "kodebooking",
    "jenispasien",
    "nomorkartu",
    "nik",
    "nohp",
    "kodepoli",
    "namapoli",
    "pasienbaru",
    "norm",
    "tanggalperiksa",
    "kodedokter",
    "namadokter",
    "jampraktek",
    "jeniskunjungan",
    "nomorreferensi",
    "nomorantrean",
    "angkaantrean",
    "estimasidilayani",
    "sisakuotajkn",
    "kuotajkn",
    "sisakuotanonjkn",
    "kuotanonjkn",
    "keterangan",
)

# Reference data, with the non-ASCII a real HFIS list carries.
REF_POLI = [
    {"nmpoli": "PENYAKIT DALAM", "nmsubspesialis": "PENYAKIT DALAM", "kdsubspesialis": "INT", "kdpoli": "INT"},
    {"nmpoli": "GIGI", "nmsubspesialis": "GIGI UMUM", "kdsubspesialis": "GIG", "kdpoli": "GIG"},
    {"nmpoli": "ANAK", "nmsubspesialis": "ANAK", "kdsubspesialis": "ANA", "kdpoli": "ANA"},
    {"nmpoli": "MATA", "nmsubspesialis": "MATA", "kdsubspesialis": "MAT", "kdpoli": "MAT"},
]
REF_DOKTER = [
    {"namadokter": "dr. Sri Wahyuni, Sp.PD", "kodedokter": 12001},
    {"namadokter": "drg. Agus Salim", "kodedokter": 12002},
    {"namadokter": "dr. Ñoman Sudiarta, Sp.A", "kodedokter": 12003},
]


@dataclass
class BookingRecord:
    add: dict[str, Any]
    tasks: dict[int, int] = field(default_factory=dict)  # taskid -> waktu (ms)
    cancelled: bool = False


class AntreanState:
    """What BPJS has accepted, shared by every listener of one simulator (down and up again)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.bookings: dict[str, BookingRecord] = {}
        self.accepted: list[tuple[str, str, int | None, int | None]] = []  # (kodebooking, kind, taskid, waktu)
        self.duplicates: list[tuple[str, str, int | None]] = []
        self.refusals: list[tuple[str, str, str]] = []  # (kodebooking, code, message)
        self.requests = 0

    def reset(self) -> None:
        with self.lock:
            self.__init__()

    # --- the rules -------------------------------------------------------------------------------

    def add(self, body: dict[str, Any]) -> tuple[int, str]:
        missing = [name for name in ADD_FIELDS if name not in body]
        if missing:
            return 201, f"{missing[0]} tidak boleh kosong"
        kodebooking = str(body["kodebooking"])
        if body["jenispasien"] not in ("JKN", "NON JKN"):
            return 201, "jenispasien tidak sesuai"
        if not isinstance(body["kodedokter"], int):
            return 201, "kodedokter harus angka"
        try:
            date.fromisoformat(str(body["tanggalperiksa"]))
        except ValueError:
            return 201, "Format Tanggal tidak sesuai, format yang benar adalah yyyy-mm-dd"
        if not kodebooking:
            return 201, "kodebooking tidak boleh kosong"
        if kodebooking in self.bookings:
            self.duplicates.append((kodebooking, "add", None))
            return 208, "Terdapat duplikasi Kode Booking"
        self.bookings[kodebooking] = BookingRecord(add=dict(body))
        self.accepted.append((kodebooking, "add", None, None))
        return 200, "Ok."

    def update_time(self, body: dict[str, Any]) -> tuple[int, str]:
        kodebooking = str(body.get("kodebooking") or "")
        try:
            taskid, waktu = int(body.get("taskid")), int(body.get("waktu"))
        except (TypeError, ValueError):
            return 201, "taskid dan waktu harus angka"
        record = self.bookings.get(kodebooking)
        if record is None:
            return 201, "Kode Booking tidak ditemukan"
        if taskid not in VALID_TASKS:
            return 201, f"TaskId={taskid} tidak valid"
        if taskid in record.tasks:
            self.duplicates.append((kodebooking, "task", taskid))
            return 208, f"TaskId={taskid} sudah ada"
        if record.cancelled:
            return 201, "Antrean sudah dibatalkan"
        needed = PREDECESSOR.get(taskid) or (2 if taskid == 3 and 1 in record.tasks else None)
        if needed is not None and needed not in record.tasks:
            return 201, f"TaskId={taskid} tidak valid / TaskId sebelumnya belum terkirim"
        if taskid != 99 and record.tasks and waktu <= max(record.tasks.values()):
            return 201, f"TaskId={taskid}, waktu tidak boleh kurang atau sama dengan waktu TaskId sebelumnya"
        record.tasks[taskid] = waktu
        self.accepted.append((kodebooking, "task", taskid, waktu))
        return 200, "Ok."

    def cancel(self, body: dict[str, Any]) -> tuple[int, str]:
        kodebooking = str(body.get("kodebooking") or "")
        record = self.bookings.get(kodebooking)
        if record is None:
            return 201, "Antrean tidak ditemukan"
        if record.cancelled:
            self.duplicates.append((kodebooking, "batal", None))
            return 208, "Antrean sudah dibatalkan sebelumnya"
        record.cancelled = True
        self.accepted.append((kodebooking, "batal", None, None))
        return 200, "Ok."

    # --- what the tests read -----------------------------------------------------------------------

    def accepted_for(self, kodebooking: str) -> list[tuple[str, int | None, int | None]]:
        with self.lock:
            return [(kind, task, waktu) for code, kind, task, waktu in self.accepted if code == kodebooking]

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "accepted": len(self.accepted),
                "duplicates": len(self.duplicates),
                "refusals": len(self.refusals),
                "requests": self.requests,
            }


class _Handler(BaseHTTPRequestHandler):
    server: _Listener
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        sim = self.server.sim
        path = self.path.split("?", 1)[0]
        body = self._read_body()
        with sim.state.lock:
            sim.state.requests += 1
        fault = sim.take_fault()
        if fault in ("timeout", "reset"):
            self._hang_or_reset(fault)
            return
        if fault == "5xx":
            self._send(503, b"<html><body>Service Unavailable</body></html>", "text/html")
            return
        if fault == "garbage":
            self._send(200, b"<html><body>Gateway sedang sibuk</body></html>", "text/html")
            return
        if not self._authorised():
            self._send_json(401, {"metadata": {"code": 401, "message": "Authentication failed"}})
            return
        status, envelope = self._route(method, path[len(BASE_PATH) :] if path.startswith(BASE_PATH) else path, body)
        if fault == "slow":  # accepted (or not) already; the answer comes late
            sim.slow_requests.append((path, body))
            sim.slow_started.set()
            sim.stopping.wait(sim.slow_seconds)
        self._send_json(status, envelope)

    def _read_body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw.decode()) if raw else None
        except (UnicodeDecodeError, ValueError):
            return {"__invalid__": True}
        return data if isinstance(data, dict) else {"__invalid__": True}

    def _authorised(self) -> bool:
        sim, timestamp = self.server.sim, self.headers.get("X-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            return False
        return bpjs_crypto.signature_valid(self.headers, cons_id=sim.cons_id, secret=sim.secret, user_key=sim.user_key)

    def _route(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        state = self.server.sim.state
        writes = {"/antrean/add": state.add, "/antrean/updatewaktu": state.update_time, "/antrean/batal": state.cancel}
        if method == "POST" and path in writes:
            if body is None or body.get("__invalid__"):
                return 200, {"metadata": {"code": 201, "message": "Format request tidak sesuai"}}
            with state.lock:
                code, message = writes[path](body)
                if code == 201:
                    state.refusals.append((str(body.get("kodebooking") or ""), str(code), message))
            return 200, {"metadata": {"code": code, "message": message}}
        if method == "GET" and path == "/ref/poli":
            return 200, self._encrypted(REF_POLI, code=1)
        if method == "GET" and path == "/ref/dokter":
            return 200, self._encrypted(REF_DOKTER, code=1)
        if method == "GET" and path.startswith("/jadwaldokter/kodepoli/"):
            return 200, self._schedule(path)
        return 404, {"metadata": {"code": 404, "message": "Service tidak ditemukan"}}

    def _schedule(self, path: str) -> dict[str, Any]:
        parts = path.strip("/").split("/")  # jadwaldokter/kodepoli/{kp}/tanggal/{d}
        if len(parts) != 5 or parts[3] != "tanggal":
            return {"metadata": {"code": 201, "message": "Format request tidak sesuai"}}
        kodepoli, tanggal = parts[2], parts[4]
        try:
            day = date.fromisoformat(tanggal)
        except ValueError:
            return {"metadata": {"code": 201, "message": "Format Tanggal tidak sesuai"}}
        poli = next((p for p in REF_POLI if p["kdpoli"] == kodepoli), None)
        if poli is None:
            return {"metadata": {"code": 201, "message": "Data tidak ditemukan"}}
        names = ["SENIN", "SELASA", "RABU", "KAMIS", "JUMAT", "SABTU", "MINGGU"]
        rows = [
            {
                "kodesubspesialis": poli["kdsubspesialis"],
                "hari": day.isoweekday(),
                "kapasitaspasien": 30,
                "libur": 0,
                "namahari": names[day.weekday()],
                "jadwal": "08:00-12:00",
                "namasubspesialis": poli["nmsubspesialis"],
                "namadokter": doctor["namadokter"],
                "kodepoli": poli["kdpoli"],
                "namapoli": poli["nmpoli"],
                "kodedokter": doctor["kodedokter"],
            }
            for doctor in REF_DOKTER[:2]
        ]
        return self._encrypted(rows, code=200)

    def _encrypted(self, payload: Any, *, code: int) -> dict[str, Any]:
        sim = self.server.sim
        response = bpjs_crypto.encrypt_response(
            json.dumps(payload, ensure_ascii=False),
            cons_id=sim.cons_id,
            secret=sim.secret,
            timestamp=self.headers["X-timestamp"],
        )
        return {"response": response, "metadata": {"code": code, "message": "Ok"}}

    def _hang_or_reset(self, fault: str) -> None:
        self.close_connection = True
        if fault == "timeout":
            self.server.sim.stopping.wait(self.server.sim.hang_seconds)

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (a timeout, a killed worker): nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.sim.verbose:
            super().log_message(format, *args)


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: AntreanSimulator) -> None:
        self.sim = sim
        super().__init__(address, _Handler)


class AntreanSimulator:
    """The simulator: a listener on a loopback port and the state it keeps across down/up."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        cons_id: str = DEMO_CONS_ID,
        secret: str = DEMO_SECRET,
        user_key: str = DEMO_USER_KEY,
        slow_seconds: float = 10.0,
        hang_seconds: float = 30.0,
        verbose: bool = False,
    ) -> None:
        self.host, self.port = host, port
        self.cons_id, self.secret, self.user_key = cons_id, secret, user_key
        self.slow_seconds, self.hang_seconds, self.verbose = slow_seconds, hang_seconds, verbose
        self.state = AntreanState()
        self.stopping = threading.Event()
        self.slow_started = threading.Event()  # set when a "slow" request has been handled and waits
        self.slow_requests: list[tuple[str, dict[str, Any] | None]] = []
        self._fault: str | None = None
        self._fault_left: int | None = None
        self._fault_lock = threading.Lock()
        self._listener: _Listener | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{BASE_PATH}"

    @property
    def up(self) -> bool:
        return self._listener is not None

    def come_up(self) -> AntreanSimulator:
        """Listen (again, on the same port once one was picked)."""
        if self._listener is None:
            self.stopping.clear()
            self._listener = _Listener((self.host, self.port), self)
            self.port = self._listener.server_address[1]
            self._thread = threading.Thread(
                target=self._listener.serve_forever, args=(0.05,), name="antrean-sim", daemon=True
            )
            self._thread.start()
        return self

    def go_down(self) -> None:
        """Close the port: callers get "connection refused" until `come_up`."""
        if self._listener is not None:
            self.stopping.set()  # wakes slow and hanging handlers
            self._listener.shutdown()
            self._listener.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._listener = self._thread = None

    stop = go_down

    def fail(self, fault: str | None, count: int | None = None) -> None:
        """The next `count` requests (all, if None) meet `fault`; `fail(None)` heals."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        with self._fault_lock:
            self._fault, self._fault_left = fault, count

    def take_fault(self) -> str | None:
        with self._fault_lock:
            fault = self._fault
            if fault is not None and self._fault_left is not None:
                self._fault_left -= 1
                if self._fault_left <= 0:
                    self._fault, self._fault_left = None, None
            return fault


def start_simulator(**options: Any) -> AntreanSimulator:
    """Serve in a daemon thread; port 0 picks a free port (read it from `.url`). Call `.stop()`."""
    return AntreanSimulator(**options).come_up()


# --- the simulator embedded in a DEBUG process ------------------------------------------------

_embedded: AntreanSimulator | None = None
_embedded_lock = threading.Lock()


def credentials() -> dict[str, str]:
    return {"cons_id": DEMO_CONS_ID, "secret": DEMO_SECRET, "user_key": DEMO_USER_KEY}


def ensure_embedded() -> str:
    """Start one simulator per process on a free loopback port (first call only); return its URL."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            _embedded = start_simulator(**credentials())
            logger.warning("No BPJS Antrean base URL: using the embedded Antrean simulator at %s", _embedded.url)
        return _embedded.url


def stop_embedded() -> None:
    global _embedded
    with _embedded_lock:
        if _embedded is not None:
            _embedded.stop()
            _embedded = None
