"""The one way to send an e-mail: a named template, sent after commit, never breaking a request.

A template name such as ``"accounts/emails/confirm_email"`` stands for two files: the subject
(``confirm_email_subject.txt``, one line) and the plain-text body (``confirm_email.txt``). Every
template also gets ``hospital``, ``hospital_phone`` and ``site_url``. Links are built by
`absolute_url` from ``SITE_URL``, with or without a request, so they never depend on the Host
header of whoever triggered the e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

log = logging.getLogger(__name__)


def absolute_url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """The public address of a URL name, for links in e-mails."""
    return settings.SITE_URL.rstrip("/") + reverse(viewname, args=args or None, kwargs=kwargs or None)


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject (one line) and body of a named e-mail template."""
    context = {
        "hospital": settings.HOSPITAL_NAME,
        "hospital_phone": settings.HOSPITAL_PHONE,
        "site_url": settings.SITE_URL.rstrip("/"),
        **context,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    return subject, render_to_string(f"{template}.txt", context)


def send(template: str, *, to: str | Sequence[str], context: dict[str, Any] | None = None) -> None:
    """E-mail `to` once the current transaction commits (at once outside one); failures are logged.

    The person's action has already succeeded when this runs, so a mail server that is down or
    refuses the message must not turn it into an error page: the caller offers a resend instead.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    # Rendered in the language of the request that asked, even if the commit happens elsewhere.
    deliver = partial(_deliver, template, recipients, dict(context or {}), translation.get_language())
    transaction.on_commit(deliver, robust=True)


def send_rendered(subject: str, body: str, to: Sequence[str]) -> None:
    """Hand one rendered e-mail to the mail server now; raises what the server or network raised."""
    EmailMessage(subject=subject, body=body, to=list(to)).send()


def failure_reason(exc: BaseException) -> str:
    """Why a mail server failed, without addresses or message text (personal data)."""
    return " ".join(
        str(part) for part in (type(exc).__name__, getattr(exc, "smtp_code", ""), getattr(exc, "strerror", "")) if part
    )


def _deliver(template: str, recipients: list[str], context: dict[str, Any], language: str | None) -> bool:
    try:
        with translation.override(language):
            subject, body = render(template, context)
        send_rendered(subject, body, recipients)
    except Exception as exc:  # noqa: BLE001 - any failure is logged, none reaches the person
        log.error("e-mail %s not sent: %s", template, failure_reason(exc))
        return False
    return True
