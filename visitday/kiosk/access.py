"""The kiosk device account: a member of the "Anjungan" group reaches the kiosk pages and nothing else.

Two fences. `kiosk_view` lets only kiosk accounts (group member with a kiosk membership at a
facility) into kiosk pages: anyone else signed in gets 403, anonymous goes to the login page.
`KioskOnlyMiddleware` keeps a signed-in kiosk session on the kiosk pages: every other URL is a 404
(the patient dashboard it lands on after signing in sends it to the kiosk's start page). The
session is marked at sign-in (`on_login`, which also makes it last: the kiosk stays signed in)
so the middleware needs no query.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from facilities.models import Facility, FacilityRole
from facilities.selectors import facilities_for

# Kept in step with migration visitday 0002_kiosk_group (which freezes its own copy).
KIOSK_GROUP = "Anjungan"
SESSION_FLAG = "kiosk_device"


def is_kiosk_account(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.groups.filter(name=KIOSK_GROUP).exists()
    )


def kiosk_facility(user) -> Facility | None:
    return facilities_for(user, roles=(FacilityRole.KIOSK,)).order_by("sort_order", "pk").first()


def on_login(sender, request, user, **kwargs) -> None:
    """A kiosk signing in: mark its session and keep it signed in for KIOSK_SESSION_SECONDS."""
    if request is not None and hasattr(request, "session") and is_kiosk_account(user):
        request.session[SESSION_FLAG] = True
        request.session.set_expiry(settings.KIOSK_SESSION_SECONDS)


def kiosk_view(view: Callable) -> Callable:
    """Kiosk accounts only; the view gets `request.kiosk_facility`."""

    @wraps(view)
    def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_kiosk_account(request.user):
            raise PermissionDenied
        facility = kiosk_facility(request.user)
        if facility is None:
            raise PermissionDenied
        request.session[SESSION_FLAG] = True
        request.kiosk_facility = facility
        return view(request, *args, **kwargs)

    return never_cache(check)


class KioskOnlyMiddleware:
    """A kiosk's session sees the kiosk pages (and static files, sign-out, language) only."""

    ALLOWED_PREFIXES = ("/anjungan/", "/static/", "/akun/keluar/", "/i18n/", "/favicon.ico", "/healthz")

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_FLAG) and not request.path.startswith(self.ALLOWED_PREFIXES):
            if request.path == reverse("dashboard"):
                return redirect("visitday:kiosk_home")
            raise Http404
        return self.get_response(request)
