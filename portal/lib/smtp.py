"""Django's SMTP backend with a total deadline for each send, not only a timeout per socket read.

EMAIL_TIMEOUT bounds each read and write, so a mail server that trickles its answers a byte at a
time (or a TLS handshake that stalls between records) could hold the worker for minutes. Here one
`send_messages` call (connect, STARTTLS, login, every message, QUIT) gets EMAIL_TOTAL_TIMEOUT
seconds: when they are up, the connection's socket is shut (the same `Deadline` the BPJS and
WhatsApp clients use), the blocked read returns at once, and the send raises EmailDeadlineExceeded,
which the worker records and retries like any other temporary failure. Settings pick this backend
wherever EMAIL_URL names SMTP.
"""

from __future__ import annotations

import smtplib
from functools import partial

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend

from guarantors.bpjs import BpjsError, Deadline


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
        cls = _WatchedSMTPSSL if self.use_ssl else _WatchedSMTP
        return partial(cls, deadline=self._deadline or Deadline(settings.EMAIL_TOTAL_TIMEOUT))

    def send_messages(self, email_messages):
        seconds = settings.EMAIL_TOTAL_TIMEOUT
        with Deadline(seconds) as deadline:
            self._deadline = deadline
            try:
                return super().send_messages(email_messages)
            except (OSError, smtplib.SMTPException, BpjsError) as exc:
                if deadline.expired:
                    raise EmailDeadlineExceeded(f"no complete answer within {seconds:g} s") from exc
                raise
            finally:
                self._deadline = None
