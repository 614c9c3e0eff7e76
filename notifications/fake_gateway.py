"""A fake Fonnte gateway on loopback, for tests and `make run` (no WhatsApp account needed).

It speaks Fonnte's ``POST /send`` (see notifications/fonnte.py): checks the device token, checks
the target number, records what it accepted, and answers Fonnte's refusals in Fonnte's words.
Faults on demand through ``gateway.fault``: "down" (HTTP 503), "slow" (answers after
``slow_seconds``), "garbage" (not JSON), "disconnected" (Fonnte's offline-device refusal).
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

logger = logging.getLogger(__name__)

TARGET = re.compile(r"^\d{9,15}$")


@dataclass
class Sent:
    target: str
    message: str
    id: str


@dataclass
class FakeGateway:
    token: str
    server: ThreadingHTTPServer | None = None
    sent: list[Sent] = field(default_factory=list)
    fault: str = ""
    slow_seconds: float = 5.0
    requests: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, authorization: str, form: dict[str, str]) -> tuple[int, dict | bytes]:
        with self._lock:
            self.requests += 1
        if self.fault == "down":
            return 503, b"<html>503 Service Unavailable</html>"
        if self.fault == "slow":
            time.sleep(self.slow_seconds)
        if self.fault == "garbage":
            return 200, b"<html>maintenance</html>"
        if authorization != self.token:
            return 200, {"reason": "invalid token", "status": False}
        if self.fault == "disconnected":
            return 200, {"reason": "device disconnected", "status": False}
        target = _with_country_code(form.get("target", ""), form.get("countryCode", "62"))
        if not TARGET.match(target):
            return 200, {"reason": "target invalid", "status": False}
        with self._lock:
            sent = Sent(target=target, message=form.get("message", ""), id=str(next(self._ids)))
            self.sent.append(sent)
        logger.info("fake WhatsApp gateway: message %s to %s***", sent.id, target[:5])
        return 200, {
            "detail": "success! message in queue",
            "id": [sent.id],
            "process": "pending",
            "status": True,
            "target": [target],
        }


def _with_country_code(target: str, code: str) -> str:
    """Fonnte replaces a leading 0 with the country code (countryCode, default 62)."""
    target = target.strip()
    if target.startswith("0") and code not in ("", "0"):
        return code + target[1:]
    return target


def _handler(gateway: FakeGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            if urllib.parse.urlsplit(self.path).path.rstrip("/") != "/send":
                self._reply(404, {"reason": "not found", "status": False})
                return
            length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
            form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
            status, body = gateway.answer(self.headers.get("Authorization", ""), form)
            self._reply(status, body)

        def _reply(self, status: int, body: dict | bytes) -> None:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except OSError:
                pass  # the client gave up (its deadline): nothing to answer

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    return Handler


def start_gateway(token: str, port: int = 0) -> FakeGateway:
    gateway = FakeGateway(token=token)
    gateway.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(gateway))
    gateway.server.daemon_threads = True
    threading.Thread(target=gateway.server.serve_forever, daemon=True, name="fake-whatsapp").start()
    return gateway


_embedded: FakeGateway | None = None
_embedded_lock = threading.Lock()


def ensure_embedded(token: str) -> str:
    """One fake gateway per process in DEBUG when WHATSAPP_URL is empty; return its URL."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            _embedded = start_gateway(token)
            logger.warning("WHATSAPP_URL is empty: messages go to the fake gateway at %s", _embedded.url)
        return _embedded.url
