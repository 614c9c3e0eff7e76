"""A total deadline for one call to another system (BPJS, the WhatsApp gateway, a mail server).

A socket timeout bounds each read, so a server that trickles one byte at a time can hold a thread
for as long as it likes. A `Deadline` bounds the whole call: when its time is up a timer shuts the
call's sockets, the blocked read returns at once whatever the phase, and `remaining()` raises
DeadlineExceeded. `deadline_opener()` is the urllib opener whose sockets a request's deadline
watches; portal/lib/smtp.py watches SMTP sockets the same way. One owner: every client with a
total deadline uses this module.
"""

from __future__ import annotations

import functools
import http.client
import socket
import threading
import time
import urllib.request
from typing import Any


class DeadlineExceeded(TimeoutError):
    """The whole call took longer than its deadline."""


def _shut(sock: socket.socket) -> None:
    # socket.socket.shutdown also for an SSLSocket: it acts on the descriptor and wakes any
    # thread blocked reading it, where SSLSocket.shutdown would first drop the TLS state.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to wake


class Deadline:
    """The time one call may take in total. A socket timeout only bounds each read, so when the
    time is up a timer shuts the call's sockets: the blocked read returns at once, whatever the
    phase (connect, TLS, proxy tunnel, status line, headers, body)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        left = self.expires_at - time.monotonic()
        if left <= 0 or self.expired:
            raise DeadlineExceeded(f"no complete answer within {self.seconds:g} s")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:  # a timer already running waits here, then finds nothing to shut
            self._sockets.clear()


class _WatchedConnection:
    """Mixin for http.client connections: every socket they open is watched by the deadline."""

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self._create_connection = self._open_socket

    def _open_socket(self, address: tuple[str, int], timeout: float, source_address: Any = None) -> socket.socket:
        sock = socket.create_connection(address, min(timeout, self._deadline.remaining()), source_address)
        self._deadline.watch(sock)
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._deadline.watch(self.sock)  # the TLS socket, which took over the descriptor


class _WatchedHTTPConnection(_WatchedConnection, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_WatchedHTTPConnection, deadline=req.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            functools.partial(_WatchedHTTPSConnection, deadline=req.deadline), req, context=self._context
        )


def deadline_opener() -> urllib.request.OpenerDirector:
    """A urllib opener whose sockets are watched by the request's `deadline` attribute (a
    Deadline): the one way this project makes an HTTP call with a total deadline."""
    return urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)
