"""Anti-automation: how many booking confirmations one account may post per window.

A person books for a handful of family members and may double-click; a script that posts
confirm after confirm at midnight is what this stops. Counted in the default cache, so it is
as wide as that cache: with the default local-memory cache each worker process counts on its
own (N workers allow up to N x the limit); with CACHE_URL on Redis the count is shared and
costs one round trip (a pipelined SET NX + INCR). If the cache fails, confirmations are
allowed: the limit must never take booking down with it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


def confirm_limit() -> tuple[int, int]:
    """(confirmations allowed, window in seconds); 0 allowed turns the limit off."""
    return settings.QUEUEING_CONFIRM_LIMIT, settings.QUEUEING_CONFIRM_WINDOW_SECONDS


def _key(account) -> str:
    # date_joined too: an id can come back after an account was deleted (SQLite reuses them),
    # and a new account must not inherit an old one's count.
    return f"queueing:confirm-limit:{account.pk}:{account.date_joined.timestamp():.6f}"


def _count(key: str, window: int) -> int:
    """This confirmation's number in the account's current window."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # One round trip instead of add/exists/incr: start the window if there is none, then count.
        full_key = cache.make_and_validate_key(key)
        with cache._cache.get_client(full_key, write=True).pipeline() as pipe:
            pipe.set(full_key, 0, ex=window, nx=True)
            pipe.incr(full_key)
            return pipe.execute()[1]
    if cache.add(key, 1, timeout=window):  # the first in a window
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr: this one starts the next
        cache.add(key, 1, timeout=window)
        return 1


def confirm_allowed(account) -> bool:
    """Count one confirmation for `account`; False once it is over the limit in this window."""
    allowed, window = confirm_limit()
    if allowed <= 0:
        return True
    try:
        return _count(_key(account), window) <= allowed
    except Exception:  # noqa: BLE001 - a cache outage must not stop bookings
        log.warning("confirm limit not checked: cache unavailable", exc_info=True)
        return True
