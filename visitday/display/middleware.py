"""A waiting-room screen's unchanged poll, answered before the session, the account and the rest.

Fifty TVs poll every 1.5 s all day and almost every poll finds nothing new. Through the whole
stack such a poll cost about 2.7 ms of CPU over a bare request (the session row, the memo of the
screen's check, authentication, CSRF, axes, CSP): more than the display's budget. Here it is an
empty 304 from the snapshot this process shares with every screen, with no query most of the time.

Safe without a session: the answer carries nothing but the ETag the browser sent, and that ETag is
a keyed hash (SECRET_KEY) of the facility, the screen's scope and the state, so only a browser that
was sent that state by the checked view can present it. A screen whose account was removed keeps
getting "unchanged" until the next call, then meets the full check. Any other poll (no ETag, an
old or unknown one) goes on to the checked view.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

DATA_PATH = re.compile(r"/layar/(\d{1,9})/data\.json")


class UnchangedPollMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match and request.method == "GET":
            match = DATA_PATH.fullmatch(request.path_info)
            if match:
                response = self._unchanged(request, int(match[1]), if_none_match)
                if response is not None:
                    return response
        return self.get_response(request)

    @staticmethod
    def _unchanged(request: HttpRequest, facility_id: int, if_none_match: str) -> HttpResponse | None:
        from django.db import DatabaseError

        from visitday.display import selectors, views  # the views import the database layer

        try:
            snapshot = selectors.unchanged_snapshot(facility_id, request.GET, if_none_match)
        except DatabaseError:
            return None  # the checked view answers (the 503 page when the database is away)
        return None if snapshot is None else views.poll_response(request, snapshot)
