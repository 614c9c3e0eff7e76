"""Who may open a facility's waiting-room display: its screen device accounts, and its staff.

A TV's browser signs in once as a screen account (group "Layar Antrean" with a screen membership
at the facility); the session then lasts (SCREEN_SESSION_SECONDS), so a power cut does not
leave the waiting room without a screen until someone finds a keyboard. Clerks and nurses of
the facility may open the display too (to check what it shows). Nothing on the display names a
patient: it shows queue labels, places and doctors' names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from facilities.models import Facility, FacilityRole
from facilities.selectors import active_facility, facilities_for

# Kept in step with the migration that makes the group (no model permission: display pages only).
SCREEN_GROUP = "Layar Antrean"
DISPLAY_ROLES = (FacilityRole.SCREEN, FacilityRole.CLERK, FacilityRole.NURSE)
SESSION_FLAG = "screen_device"
SESSION_ALLOWED = "display_allowed"  # {facility id: until (epoch seconds)}
RECHECK_SECONDS = 300


def screen_group_ensure() -> Group:
    group, _created = Group.objects.get_or_create(name=SCREEN_GROUP)
    group.permissions.clear()
    return group


def is_screen_account(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.groups.filter(name=SCREEN_GROUP).exists()
    )


def on_login(sender, request, user, **kwargs) -> None:
    """A screen signing in: its session lasts, like a kiosk's."""
    if request is not None and hasattr(request, "session") and is_screen_account(user):
        request.session[SESSION_FLAG] = True
        request.session.set_expiry(settings.SCREEN_SESSION_SECONDS)


def display_view(view: Callable) -> Callable:
    """The facility's screens and staff; the view gets `request.display_facility`. 404 for another facility."""

    @wraps(view)
    def check(request: HttpRequest, facility_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        facility = _recently_allowed(request, facility_id)
        if facility is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            facility = _allowed(request, facility_id)
        request.display_facility = facility
        return view(request, facility_id, *args, **kwargs)

    return check


def _recently_allowed(request: HttpRequest, facility_id: int) -> Facility | None:
    """The facility, without a query, when this session passed the full check less than RECHECK_SECONDS ago.

    A screen polls every 1.5 s all day: checking its user and memberships on every poll would be
    most of the poll's cost. Signing out ends the session and with it this memo; a removed
    membership or a deactivated account is refused at the next full check, within RECHECK_SECONDS.
    """
    until = (request.session.get(SESSION_ALLOWED) or {}).get(str(facility_id), 0)
    if until < time.time():
        return None
    return active_facility(facility_id)


def _allowed(request: HttpRequest, facility_id: int) -> Facility:
    allowed = facilities_for(request.user, roles=DISPLAY_ROLES)
    facility = allowed.filter(pk=facility_id, active=True).first()
    if facility is None:
        if not allowed.exists():
            raise PermissionDenied
        raise Http404
    now = time.time()
    memo = {key: until for key, until in (request.session.get(SESSION_ALLOWED) or {}).items() if until > now}
    memo[str(facility_id)] = now + RECHECK_SECONDS
    request.session[SESSION_ALLOWED] = memo
    return facility


def display_facilities(user):
    return facilities_for(user, roles=DISPLAY_ROLES).filter(active=True)


class ScreenOnlyMiddleware:
    """A screen's session sees the display (and static files, sign-out, language) only.

    A TV in a waiting room is a signed-in browser anyone may walk up to: with a mouse plugged in
    it must not become a way to book queues or read pages under the screen account's name. The
    dashboard it lands on after signing in sends it to its display.
    """

    ALLOWED_PREFIXES = ("/layar/", "/static/", "/akun/keluar/", "/i18n/", "/favicon.ico", "/healthz")

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_FLAG) and not request.path.startswith(self.ALLOWED_PREFIXES):
            if request.path == reverse("dashboard"):
                return redirect("visitday_display:index")
            raise Http404
        return self.get_response(request)
