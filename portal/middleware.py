"""Cross-cutting request handling: default language and database-unavailable answers."""

from __future__ import annotations

import codecs
import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers

log = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """`GET /healthz` for a load balancer, answered before host validation and the HTTPS redirect.

    A balancer probes over plain HTTP by the backend's address, so behind production settings
    the probe met a 301 (SECURE_SSL_REDIRECT) or a 400 (Host not in ALLOWED_HOSTS). The answer
    is safe for any Host: it builds no URL from it, sets no cookie, and says only whether the
    database answers. Every other path still goes through both checks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method == "GET":
            from portal.views import healthz  # the view imports the database layer; keep this module light

            return healthz(request)
        return self.get_response(request)


class DefaultLanguageMiddleware:
    """Indonesian unless the person chose otherwise with the language switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which on most
    phones says English even for Indonesian speakers; the hospital wants Indonesian first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class UnreadableRequestMiddleware:
    """Answer the 400 page before anything reads a request that cannot be read safely:

    - a body declared in another charset than UTF-8: Django refuses a form body in any other
      charset (or crashes on a byte codec such as "hex" in a multipart body), and the CSRF check
      and the error handlers read the body again, so the refusal became a 500;
    - a NUL byte in the path or query string: PostgreSQL text cannot hold one, so a filter on it
      is a database error.
    UTF-8 spelled otherwise ("utf8", "UTF8") is read as UTF-8.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset") if request.content_params else None
        if charset:
            try:
                is_utf8 = codecs.lookup(charset).name == "utf-8"
            except LookupError:
                is_utf8 = True  # Django ignores a charset it does not know and reads UTF-8
            if not is_utf8:
                return render_bad_request(request)
            request.encoding = "utf-8"
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return render_bad_request(request)
        return self.get_response(request)


def render_bad_request(request):
    return render(request, "400.html", status=400)


def is_database_unavailable(exc: BaseException) -> bool:
    """Lock/statement timeouts, a busy SQLite file or a lost connection: worth a retry."""
    return isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DatabaseError) and "canceling statement" in str(exc)
    )


def render_unavailable(request):
    response = render(request, "503.html", status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Answer a friendly 503 'please try again' page instead of a 500 when the database is busy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if is_database_unavailable(exc):
            log.warning("database unavailable on %s: %s", request.path, exc.__class__.__name__)
            return render_unavailable(request)
        return None


def _caused_by_database(exc: BaseException) -> bool:
    while exc is not None:
        if is_database_unavailable(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a database lost while the session is saved answers the 503 "try
    again" page: Django reports a failed update as SessionInterrupted (400, "the session was
    deleted") and a failed insert as a 500."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError) as exc:
            if not _caused_by_database(exc):
                raise
            log.warning("database unavailable saving the session on %s: %s", request.path, exc.__class__.__name__)
            return render_unavailable(request)


class NoStoreForSignedInMiddleware:
    """Pages a signed-in person sees may carry patient data (names, NIK, visits): browsers on
    shared phones and hospital proxies must not keep them. Views that chose their own
    Cache-Control keep it; anonymous pages are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read the session the view already loaded, not request.user: that may query the
        # database again, and after a lock timeout this would turn the friendly 503 into a 500.
        if response.status_code >= 500 or response.has_header("Cache-Control"):
            return response
        session = getattr(request, "session", None)
        if session is not None and session.accessed and SESSION_KEY in session:
            add_never_cache_headers(response)
        return response
