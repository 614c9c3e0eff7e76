"""Who may use the counter desk pages, and their URLs with a query."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from facilities.models import Facility
from facilities.scope import staff_facility_ids
from queueing.desk import selectors as desk_selectors

CHANGE = "queueing.change_booking"

# The facility a clerk of several works at now (the switch in the desk header); one session, one counter.
FACILITY_SESSION_KEY = "desk_facility"


VIEW = "queueing.view_booking"


def desk_view(permission: str = CHANGE) -> Callable:
    """Staff of a facility (else the admin login, or 404), with the booking permission the page needs (else 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if staff_facility_ids(request.user) == []:  # no facility of theirs (health office): not found
                raise Http404
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(staff_member_required(check))

    return decorate


def desk_url(name: str, **query: Any) -> str:
    url = reverse(f"queueing:{name}")
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def counter_facilities(request: HttpRequest) -> list[Facility]:
    """The facilities whose counter the user may work (read once per request)."""
    facilities = getattr(request, "_counter_facilities", None)
    if facilities is None:
        facilities = request._counter_facilities = desk_selectors.desk_facilities(request.user)
    return facilities


def counter_facility(request: HttpRequest) -> Facility:
    """The facility whose day every counter page shows: the one chosen in this session, else the clerk's first."""
    return desk_selectors.desk_facility(
        request.user, request.session.get(FACILITY_SESSION_KEY), facilities=counter_facilities(request)
    )
