"""Boosted requests (static/js/boost.js): the next page in the answer itself, not behind a redirect.

A step of the booking wizard used to answer its POST with a redirect, and the phone then asked
for the next step: two round trips and two signed-in requests per step. A form marked
`data-boost` is sent with the header X-Boost; `follow()` then renders the page the redirect
would have led to in the same response (with its address in X-Boost-Url, which the script puts
into the history). Without the script the same views redirect as before.
"""

from __future__ import annotations

import copy
import logging
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.urls import get_script_prefix, resolve
from django.utils.datastructures import MultiValueDict

logger = logging.getLogger(__name__)

HEADER = "X-Boost"
URL_HEADER = "X-Boost-Url"
MAX_DEPTH = 3  # a page given in place may itself send on (a stale answer); never in a loop
# What the CSRF middleware learns while a page renders its {% csrf_token %}: the outer response sets the cookie.
CSRF_KEYS = ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE")


def is_boosted(request: HttpRequest) -> bool:
    return request.headers.get(HEADER) == "1"


def follow(request: HttpRequest, to: str, *args, **kwargs) -> HttpResponse:
    """Where a view sends the browser next: a redirect, or for a boosted request that page itself.

    If the page cannot be given in place (it fails, or it sends on too often), the redirect is
    answered instead and the browser asks for the page itself, as without the script.
    """
    url = resolve_url(to, *args, **kwargs)
    depth = getattr(request, "_boost_depth", 0)
    if not is_boosted(request) or depth >= MAX_DEPTH:
        return HttpResponseRedirect(url)
    try:
        response = render_get(request, url, depth + 1)
    except Exception:  # noqa: BLE001 - the answer was saved; the page is asked for again by the browser
        logger.warning("boosted page %s could not be given in place; redirecting", url, exc_info=True)
        return HttpResponseRedirect(url)
    if not response.has_header("Location"):
        response.setdefault(URL_HEADER, url)  # a page that itself followed on names where it ended
    return response


def render_get(request: HttpRequest, url: str, depth: int = 1) -> HttpResponse:
    """The response a GET of `url` gets, within this request: same user, session, messages and CSRF cookie."""
    parts = urlsplit(url)
    path, prefix = parts.path, get_script_prefix()
    path_info = "/" + path[len(prefix) :] if path.startswith(prefix) else path
    match = resolve(path_info)
    get = copy.copy(request)
    get.method, get.path, get.path_info = "GET", path, path_info
    get.META = {**request.META, "REQUEST_METHOD": "GET", "QUERY_STRING": parts.query, "PATH_INFO": path_info}
    get.GET = QueryDict(parts.query)
    get.POST = QueryDict()
    get._files = MultiValueDict()
    get.resolver_match = match
    get._boost_depth = depth
    response = match.func(get, *match.args, **match.kwargs)
    for key in CSRF_KEYS:
        if key in get.META:
            request.META[key] = get.META[key]
    return response
