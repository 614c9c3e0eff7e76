"""Django's SMTP backend with a total deadline for each send, not only a timeout per socket read.

EMAIL_TIMEOUT bounds each read and write, so a mail server that trickles its answers a byte at a
time could hold the worker for minutes (a STARTTLS handshake is bounded by the time left instead,
as the socket being wrapped cannot be watched during it). Here one
`send_messages` call (connect, STARTTLS, login, every message, QUIT) gets EMAIL_TOTAL_TIMEOUT
seconds: when they are up, the connection's socket is shut (the same `Deadline` the BPJS and
WhatsApp clients use, portal/lib/deadline.py), the blocked read returns at once, and the send raises EmailDeadlineExceeded,
which the worker records and retries like any other temporary failure. Settings pick this backend
wherever EMAIL_URL names SMTP.
"""

from __future__ import annotations

import smtplib
from functools import partial

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend

from portal.lib.deadline import Deadline


class EmailDeadlineExceeded(smtplib.SMTPException):
    """The mail server did not finish within EMAIL_TOTAL_TIMEOUT."""


class _Watched:
    """Mixin for smtplib's classes: every socket they open or wrap is watched by the deadline."""

    def __init__(self, *args, deadline: Deadline, **kwargs) -> None:
        self.deadline = deadline  # set before smtplib connects, which it does inside __init__
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, min(timeout or self.deadline.seconds, self.deadline.remaining()))
        self.deadline.watch(sock)
        return sock

    def starttls(self, *args, **kwargs):
        # Wrapping detaches the watched socket before the handshake, so the handshake is bounded
        # by the socket timeout instead: at most the time left.
        self.sock.settimeout(min(self.timeout, self.deadline.remaining()))
        reply = super().starttls(*args, **kwargs)
        self.deadline.watch(self.sock)  # the TLS socket took over the descriptor
        return reply


class _WatchedSMTP(_Watched, smtplib.SMTP):
    pass


class _WatchedSMTPSSL(_Watched, smtplib.SMTP_SSL):
    pass


class DeadlineEmailBackend(EmailBackend):
    _deadline: Deadline | None = None

    @property
    def connection_class(self):
        if self._deadline is None:  # open() called on its own (a kept connection): Django's plain classes
            return super().connection_class
        cls = _WatchedSMTPSSL if self.use_ssl else _WatchedSMTP
        return partial(cls, deadline=self._deadline)

    def send_messages(self, email_messages):
        seconds = settings.EMAIL_TOTAL_TIMEOUT
        # Django's lock is re-entrant: held here, one backend shared by two threads sends one
        # batch at a time, each under its own deadline.
        with self._lock, Deadline(seconds) as deadline:
            self._deadline = deadline
            try:
                return super().send_messages(email_messages)
            except (OSError, smtplib.SMTPException) as exc:  # DeadlineExceeded is an OSError
                if deadline.expired:
                    raise EmailDeadlineExceeded(f"no complete answer within {seconds:g} s") from exc
                raise
            finally:
                self._deadline = None
