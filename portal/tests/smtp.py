"""A real SMTP server on loopback for tests (aiosmtpd): stop it, restart it or make it refuse mail.

Registered as a pytest plugin in conftest.py; `smtp_server` points Django's SMTP backend at it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSmtpServer:
    """Keeps what it receives; `refuse` answers every message with a temporary failure (451)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Down: the port refuses connections until `start()`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "451 4.3.0 Mail server temporarily unavailable"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


def use_smtp(settings, port: int, timeout: int = 5) -> None:
    settings.EMAIL_BACKEND = "portal.lib.smtp.DeadlineEmailBackend"  # what settings make of an smtp:// EMAIL_URL
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, timeout
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.fixture
def smtp_server(settings) -> Iterator[FakeSmtpServer]:
    """Django sends through a real SMTP connection to a server on loopback."""
    server = FakeSmtpServer()
    use_smtp(settings, server.port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def silent_smtp_port(settings) -> Iterator[int]:
    """A port that accepts the connection and never answers (a hung mail server); 1 s timeout."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        use_smtp(settings, sock.getsockname()[1], timeout=1)
        yield sock.getsockname()[1]
