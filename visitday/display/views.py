"""The waiting-room display (TV): the page, its polled state (ETag/304), the spoken calls and the chime.

Polling rather than server-sent events: a screen holding an SSE stream open ties up one of
gunicorn's threads for as long as it is on (all day), so ten TVs would take ten of the threads
patients and clerks need; a poll is a short request, and an unchanged one is answered with a
304 from a snapshot shared by all screens, before any session is read (visitday.display.middleware;
figures in README, `make bench BENCH_ARGS=display`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from visitday import voice
from visitday.display import selectors
from visitday.display.access import SESSION_FLAG, display_facilities, display_view, is_screen_account
from visitday.models import Call
from visitday.words import call_phrase

POLL_MILLISECONDS = 1500  # new calls show within 2 s: one poll interval plus the request


def _matches(request: HttpRequest, etag: str) -> bool:
    return selectors.etag_matches(request.headers.get("If-None-Match", ""), etag)


def poll_response(request: HttpRequest, snapshot: selectors.Snapshot) -> HttpResponse:
    """A poll's answer: 304 when the screen already has this state, else the JSON."""
    if _matches(request, snapshot.etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(snapshot.body, content_type="application/json")
    response["ETag"] = snapshot.etag
    # Always asked again (no-cache), never kept by a proxy (private); set here so the signed-in
    # no-store default does not stop the browser from sending If-None-Match.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def display_index(request: HttpRequest) -> HttpResponse:
    """The screens this account may open; straight to the display when there is only one."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    facilities = list(display_facilities(request.user))
    if len(facilities) == 1:
        return redirect("visitday_display:page", facility_id=facilities[0].pk)
    return render(request, "visitday/display/index.html", {"facilities": facilities})


@display_view
@require_GET
def display_page(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = request.display_facility
    if is_screen_account(request.user) and not request.session.get(SESSION_FLAG):
        request.session[SESSION_FLAG] = True
        request.session.set_expiry(settings.SCREEN_SESSION_SECONDS)
    scope = selectors.scope_from_query(request.GET)
    query = request.GET.urlencode()
    data_url = reverse("visitday_display:data", args=[facility.pk]) + (f"?{query}" if query else "")
    return render(
        request,
        "visitday/display/page.html",
        {
            "facility": facility,
            "state": selectors.display_state(facility, scope),
            "data_url": data_url,
            "chime_url": reverse("visitday_display:chime"),
            "poll_ms": POLL_MILLISECONDS,
        },
    )


@display_view
@require_GET
def display_data(request: HttpRequest, facility_id: int) -> HttpResponse:
    """The screen's state as JSON; 304 when nothing it shows has changed since its last poll."""
    facility = request.display_facility
    scope = selectors.scope_from_query(request.GET)
    return poll_response(request, selectors.display_snapshot(facility, scope))


@display_view
@require_GET
def display_voice(request: HttpRequest, facility_id: int, call_id: int) -> HttpResponse:
    """One call spoken in Indonesian (WAV), made once per sentence and then served from the cache."""
    call = get_object_or_404(Call, pk=call_id, facility=request.display_facility)
    text = call_phrase(label=call.label, place=call.place_name, doctor=call.detail)
    etag = f'"{voice.phrase_key(text)}"'
    cache_control = "private, max-age=86400, immutable"
    if _matches(request, etag):
        response = HttpResponseNotModified()
    else:
        path = voice.speech_wav(text)
        if path is None:  # no espeak-ng: the screen falls back to the browser's voice
            response = HttpResponse(status=404)
            cache_control = "private, no-cache"
        else:
            response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


@require_GET
def display_chime(request: HttpRequest) -> HttpResponse:
    """The chime before each call: the same bytes for everyone, cached for a day."""
    response = HttpResponse(voice.chime_wav(), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response
