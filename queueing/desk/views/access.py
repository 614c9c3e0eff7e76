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

from facilities.scope import staff_facility_ids

CHANGE = "queueing.change_booking"


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
