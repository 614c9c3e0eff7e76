"""The WS RS envelope and the checks every endpoint shares: method, token, JSON body, never a 500.

Answers are `{"response": ..., "metadata": {"message": ..., "code": ...}}` with code 200 (ok),
201 (refused: `message` is shown to the patient in Mobile JKN, so it is Indonesian) or 202 (Ambil
Antrean: unknown patient). The HTTP status repeats the metadata code, as SIMRS Khanza and mLITE
answer (both work with Mobile JKN).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from axes.helpers import get_client_ip_address
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from queueing.jkn import tokens
from queueing.jkn.models import AntreanBridge

log = logging.getLogger(__name__)

OK, FAILED, NEW_PATIENT = 200, 201, 202
MAX_BODY = 16 * 1024  # the largest request (Info Pasien Baru) is well under 2 KB


def answer(code: int, message: str, response: Any = None) -> JsonResponse:
    body: dict[str, Any] = {}
    if response is not None:
        body["response"] = response
    body["metadata"] = {"message": message, "code": code}
    return JsonResponse(body, status=code, json_dumps_params={"ensure_ascii": False})


def ok(response: Any = None, message: str = "Ok") -> JsonResponse:
    return answer(OK, message, response)


def failed(message: str) -> JsonResponse:
    return answer(FAILED, message)


def first_message(exc: ValidationError) -> str:
    """The first error, named by the request field it is about (Mobile JKN shows one line)."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = errors[0].messages[0] if hasattr(errors[0], "messages") else str(errors[0])
        return message if field == "__all__" else f"{field}: {message}"
    return exc.messages[0]


def _body(request: HttpRequest) -> dict[str, str]:
    """The JSON object of a POST, values as text (Mobile JKN sends kodedokter and waktu as numbers)."""
    if len(request.body) > MAX_BODY:
        raise ValidationError(_("The request is too large."), code="too_large")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(_("The request is not valid JSON."), code="bad_json") from exc
    if not isinstance(data, dict):
        raise ValidationError(_("The request must be a JSON object."), code="bad_json")
    out = {}
    for key, value in data.items():
        if isinstance(value, dict | list):
            raise ValidationError({key: ValidationError(_("Expected a single value."), code="not_scalar")})
        if isinstance(value, bool):
            value = int(value)
        out[str(key)] = "" if value is None else str(value).strip()
    return out


def client_ip(request: HttpRequest) -> str:
    """The caller's address as django-axes and the sign-up throttle read it (AXES_IPWARE_* settings)."""
    return get_client_ip_address(request) or ""


View = Callable[[HttpRequest, AntreanBridge, dict[str, str]], JsonResponse]


def endpoint(method: str = "POST") -> Callable[[View], Callable[[HttpRequest], JsonResponse]]:
    """A WS RS call: `method` only, x-token + x-username checked, JSON parsed, errors as 201, never a 500."""

    def decorate(view: View) -> Callable[[HttpRequest], JsonResponse]:
        @csrf_exempt  # called by BPJS's servers with a token header, never by a browser with cookies
        @never_cache
        @wraps(view)
        def wrapped(request: HttpRequest) -> JsonResponse:
            with translation.override("id"):
                return guarded(lambda: _checked(request, method, view))

        return wrapped

    return decorate


def _checked(request: HttpRequest, method: str, view: View) -> JsonResponse:
    if request.method != method:
        return failed(_("Use the %(method)s method.") % {"method": method})
    bridge = tokens.bridge_for(username=request.headers.get("x-username", ""), token=request.headers.get("x-token", ""))
    if bridge is None:
        return failed(_("The token is wrong or has expired."))
    return view(request, bridge, _body(request) if method == "POST" else {})


def guarded(call: Callable[[], JsonResponse]) -> JsonResponse:
    """Refusals become 201 with their message; anything unexpected is logged and answered 201, never 500."""
    try:
        return call()
    except ValidationError as exc:
        return failed(first_message(exc))
    except Exception:
        log.exception("WS RS call failed")
        return failed(_("The hospital's service is having a problem. Please try again in a few minutes."))
