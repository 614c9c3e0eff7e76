"""E-mail templates and the one call that hands a rendered e-mail to the mail server.

A template name such as ``"accounts/emails/confirm_email"`` stands for two files: the subject
(``confirm_email_subject.txt``, one line) and the plain-text body (``confirm_email.txt``). Every
template also gets ``hospital``, ``hospital_phone`` and ``site_url``. Links are built by
`absolute_url` from ``SITE_URL``, with or without a request, so they never depend on the Host
header of whoever triggered the e-mail.

Only the durable worker sends: notifications.services queues each e-mail as a row (`notify`,
`queue_email`) and its worker hands it to the mail server with `send_rendered`, so no request
ever waits for a mail server. Accounts sits below notifications (STYLE.md: it imports no app but
facilities), so it asks for its e-mails through `queue`, a hook declared here and connected by
the notifications app when Django starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse


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


def send_rendered(subject: str, body: str, to: Sequence[str]) -> None:
    """Hand one rendered e-mail to the mail server now; raises what the server or network raised."""
    EmailMessage(subject=subject, body=body, to=list(to)).send()


def failure_reason(exc: BaseException) -> str:
    """Why a mail server failed, without addresses or message text (personal data)."""
    return " ".join(
        str(part) for part in (type(exc).__name__, getattr(exc, "smtp_code", ""), getattr(exc, "strerror", "")) if part
    )


_queue_email: Callable[..., Any] | None = None


def connect_queue(queue_email: Callable[..., Any]) -> None:
    """Called once by notifications.apps: the function that keeps an e-mail for the worker."""
    global _queue_email  # noqa: PLW0603 - one hook, set when the app registry is ready
    _queue_email = queue_email


def queue(template: str, *, to: str, account: Any = None, context: dict[str, Any] | None = None) -> Any:
    """Keep an account e-mail (a link, a security notice) for the worker to send to `to` after the commit."""
    if _queue_email is None:
        raise ImproperlyConfigured("the notifications app is not installed: nothing can send e-mail")
    return _queue_email(template, to=to, account=account, context=context)
