"""WS RS login: Mobile JKN trades the facility's x-username / x-password for a signed, expiring token.

The token is django.core.signing's TimestampSigner output, salted for this use, keyed by
ANTREAN_WS_TOKEN_SECRET (or SECRET_KEY when that is empty): nothing is stored, nothing
is hard-coded. It names the bridge and carries a fingerprint of the stored password hash,
so a new WS RS password ends every token given before it; disabling the bridge ends them too.
Failed logins are counted per (user name, IP address) in accounts.RateLimitBucket, as django-axes
does for staff sign-in, so one wrong caller cannot lock the facility's user out for BPJS's servers.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.services import rate_limit_reached, rate_limit_take
from queueing.jkn.models import AntreanBridge

log = logging.getLogger(__name__)

SALT = "queueing.jkn.ws-token"
FAILURE_SCOPE = "antrean_ws_login_failed"


class LoginRefused(Exception):
    """Wrong user name or password, or too many failures: the message says which (never which of the two)."""

    def __init__(self, *, throttled: bool) -> None:
        super().__init__("throttled" if throttled else "wrong credentials")
        self.throttled = throttled


def _signer() -> signing.TimestampSigner:
    secret = settings.ANTREAN_WS_TOKEN_SECRET or None  # None: SECRET_KEY
    return signing.TimestampSigner(key=secret, salt=SALT)


def _fingerprint(bridge: AntreanBridge) -> str:
    return salted_hmac(SALT, bridge.ws_password, algorithm="sha256").hexdigest()[:20]


def token_for(bridge: AntreanBridge) -> str:
    return _signer().sign_object({"b": bridge.pk, "u": bridge.ws_username, "p": _fingerprint(bridge)})


def _enabled_bridge(username: str) -> AntreanBridge | None:
    if not username:
        return None
    return AntreanBridge.objects.select_related("facility").filter(ws_username=username, enabled=True).first()


def login(*, username: str, password: str, client_ip: str) -> str:
    """A token for the facility whose WS RS user this is; LoginRefused otherwise."""
    identifier = f"{username}|{client_ip}"
    limit, window = settings.ANTREAN_WS_LOGIN_FAILURES, settings.ANTREAN_WS_LOGIN_WINDOW_SECONDS
    if rate_limit_reached(scope=FAILURE_SCOPE, identifier=identifier, limit=limit, window_seconds=window):
        raise LoginRefused(throttled=True)
    bridge = _enabled_bridge(username)
    # check_ws_password hashes even without a bridge: an unknown user name takes as long as a wrong password.
    if (bridge or AntreanBridge()).check_ws_password(password) and bridge is not None:
        return token_for(bridge)
    rate_limit_take(scope=FAILURE_SCOPE, identifier=identifier, limit=limit, window_seconds=window)
    log.warning("WS RS token refused for user %r from %s", username[:64], client_ip)
    raise LoginRefused(throttled=False)


def bridge_for(*, username: str, token: str) -> AntreanBridge | None:
    """The enabled bridge this token was given to, if it is unexpired and was given to `username`."""
    try:
        payload = _signer().unsign_object(token, max_age=settings.ANTREAN_WS_TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not constant_time_compare(str(payload.get("u", "")), username):
        return None
    bridge = _enabled_bridge(username)
    if bridge is None or bridge.pk != payload.get("b"):
        return None
    return bridge if constant_time_compare(str(payload.get("p", "")), _fingerprint(bridge)) else None
