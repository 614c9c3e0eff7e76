"""The SMTP backend's total deadline (portal/lib/smtp.py), against real sockets on loopback.

A per-socket timeout never fires against a server that trickles a byte now and then; the total
deadline does. The fake servers here are plain sockets: a trickling greeting, and aiosmtpd
(portal/tests/smtp.py) for the normal case.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from portal.lib import mail
from portal.lib.smtp import DeadlineEmailBackend, EmailDeadlineExceeded
from portal.tests.smtp import use_smtp
from portal.tests.test_site import run_python


@pytest.fixture
def trickling_smtp_port(settings):
    """Accepts, then sends its greeting one byte every 0.2 s for a minute: each read succeeds."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except OSError:
                continue
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    def trickle(conn):
        with conn:
            for byte in (b"220 slow.example ESMTP " + b"." * 300)[:300]:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return  # the client shut the connection: what the deadline does
                time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    use_smtp(settings, listener.getsockname()[1], timeout=1)
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_a_trickling_mail_server_is_given_up_on_at_the_total_deadline(trickling_smtp_port, settings):
    settings.EMAIL_TOTAL_TIMEOUT = 1.5
    started = time.monotonic()
    with pytest.raises(EmailDeadlineExceeded, match="1.5 s"):
        mail.send_rendered("Subject", "Body", ["rina@example.com"])
    # The trickle would last a minute and no single read waits a second (EMAIL_TIMEOUT): only the
    # total deadline ends this. Generous bound: this asserts the behaviour, not a speed.
    assert time.monotonic() - started < 15
    assert mail.failure_reason(EmailDeadlineExceeded("x")) == "EmailDeadlineExceeded"


def test_a_silent_mail_server_still_fails_on_the_socket_timeout(silent_smtp_port, settings):
    settings.EMAIL_TOTAL_TIMEOUT = 30.0
    with pytest.raises((OSError, EmailDeadlineExceeded)) as info:
        mail.send_rendered("Subject", "Body", ["rina@example.com"])
    assert not isinstance(info.value, EmailDeadlineExceeded)  # the 1 s read timeout came first


def test_mail_reaches_a_real_server_through_the_deadline_backend(smtp_server, settings):
    assert settings.EMAIL_BACKEND == "portal.lib.smtp.DeadlineEmailBackend"
    mail.send_rendered("Nomor antrean", "A-012", ["rina@example.com"])
    [message] = smtp_server.messages
    assert message["To"] == "rina@example.com" and message.get_content().strip() == "A-012"
    # One backend, several messages, one connection: the deadline spans the whole send.
    from django.core.mail import EmailMessage

    backend = DeadlineEmailBackend()
    sent = backend.send_messages([EmailMessage("S", f"body {n}", to=["rina@example.com"]) for n in range(3)])
    assert sent == 3 and len(smtp_server.messages) == 4 and backend._deadline is None


SHOW_EMAIL = """
import django, json; django.setup()
from django.conf import settings
print(json.dumps({"backend": settings.EMAIL_BACKEND, "total": settings.EMAIL_TOTAL_TIMEOUT}))
"""


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("smtp://mailer:secret@mail.rsud.internal:587", "portal.lib.smtp.DeadlineEmailBackend"),
        ("smtp+tls://mailer:secret@mail.rsud.internal:587", "portal.lib.smtp.DeadlineEmailBackend"),
        ("consolemail://", "django.core.mail.backends.console.EmailBackend"),
    ],
)
def test_settings_send_smtp_urls_through_the_deadline_backend(url, backend):
    result = run_python(SHOW_EMAIL, EMAIL_URL=url, EMAIL_TOTAL_TIMEOUT="12")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"backend": backend, "total": 12.0}
