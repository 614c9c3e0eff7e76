"""WhatsApp through Fonnte (docs.fonnte.com), a gateway widely used by Indonesian clinics and shops.

One call: ``POST {base}/send`` with the device token in the ``Authorization`` header and the form
fields ``target`` (the number), ``message`` and ``countryCode``. Fonnte answers HTTP 200 for its
own refusals too, with ``{"status": false, "reason": "..."}``; a message it accepted answers
``{"status": true, "id": [...], "process": "pending", ...}``.

The client makes one attempt within a total deadline and sorts every outcome into "sent",
"refused for good" (a bad token or number: retrying cannot help) or "try again later" (the
gateway is down, slow, answers garbage or the phone behind the device is offline). Retrying is
the worker's job (notifications.services), never this module's and never a request's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from portal.lib.deadline import Deadline, deadline_opener


class WhatsAppError(Exception):
    """The message was not accepted."""


class WhatsAppRefused(WhatsAppError):
    """The gateway refused this message for good (bad token, bad number): do not retry."""


class WhatsAppUnavailable(WhatsAppError):
    """The gateway could not take the message now: retry later."""


# Fonnte's reasons that no retry can fix; any other refusal (device disconnected, quota used up,
# rate limited, ...) may pass later and is retried.
PERMANENT_REASONS = ("invalid token", "unknown user", "target invalid", "invalid target", "invalid number")


class FonnteClient:
    def __init__(self, base_url: str, token: str, *, timeout: float) -> None:
        self.url = base_url.rstrip("/") + "/send"
        self.token = token
        self.timeout = timeout
        self._opener = deadline_opener()

    def send(self, target: str, message: str) -> str:
        """Hand one message to the gateway; return the gateway's message id."""
        body = urllib.parse.urlencode({"target": target, "message": message, "countryCode": "62"}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={"Authorization": self.token})
        try:
            with Deadline(self.timeout) as deadline:
                request.deadline = deadline
                with self._opener.open(request, timeout=deadline.remaining()) as response:
                    raw = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            raise WhatsAppUnavailable(f"gateway answered HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:  # refused, reset, timed out, deadline passed (DeadlineExceeded)
            raise WhatsAppUnavailable(f"gateway not reached: {type(exc).__name__}") from None
        if deadline.expired:  # the sockets were shut mid-body: a truncated answer
            raise WhatsAppUnavailable(f"no complete answer within {self.timeout:g} s")
        return _accepted_id(raw)


def _accepted_id(raw: bytes) -> str:
    try:
        answer = json.loads(raw)
    except ValueError:
        raise WhatsAppUnavailable("gateway answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise WhatsAppUnavailable("gateway answered an unexpected shape")
    if answer.get("status") is True:
        ids = answer.get("id") or [""]
        return str(ids[0] if isinstance(ids, list) else ids)
    reason = str(answer.get("reason") or "no reason given")[:200]
    if reason.lower() in PERMANENT_REASONS:
        raise WhatsAppRefused(reason)
    raise WhatsAppUnavailable(reason)
