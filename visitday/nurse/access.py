"""Who may use the clinic calling pages: nurses (group "Perawat Poli" with a nurse membership).

A nurse works at the facilities of their nurse memberships; a session (DayQuota) of another
facility is not found (404). Superusers may open every facility's pages. Anyone else signed in
gets 403; anonymous visitors go to the login page and come back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from facilities.models import FacilityRole
from facilities.selectors import facilities_for
from visitday.nurse.services import NURSE_GROUP


def is_nurse(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=NURSE_GROUP).exists())
    )


def nurse_facility_ids(user) -> list[int]:
    return list(facilities_for(user, roles=(FacilityRole.NURSE,)).values_list("pk", flat=True))


def nurse_view(view: Callable) -> Callable:
    """Nurses only; the view gets `request.nurse_facility_ids`."""

    @wraps(view)
    def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_nurse(request.user):
            raise PermissionDenied
        request.nurse_facility_ids = nurse_facility_ids(request.user)
        if not request.nurse_facility_ids:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(check)
