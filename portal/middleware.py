"""Cross-cutting request handling: default language and database-unavailable answers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render
from django.utils import translation

log = logging.getLogger(__name__)


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
