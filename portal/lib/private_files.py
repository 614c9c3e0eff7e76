"""Serving a private upload: one permission check, one access-log hook, one set of headers.

Every view that hands out an uploaded ID card or letter calls `serve_private_file`. The caller
says who may see the file (`may_view`, e.g. a selector of the app that owns the rule) and how a
view is written to the audit trail (`log_view`); this module knows neither, so it imports no app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from portal.lib.uploads import EXTENSIONS
from portal.middleware import render_unavailable

log = logging.getLogger(__name__)

# The file never runs as a page: no scripts, no plugins, no requests, not framed by others.
SANDBOX_CSP = "default-src 'none'; img-src 'self'; sandbox"


def serve_private_file(
    request: HttpRequest,
    file: FieldFile,
    *,
    content_type: str,
    name: str,
    may_view: Callable[[Any], bool],
    log_view: Callable[[Any], object] | None = None,
) -> FileResponse | HttpResponse:
    """The file as a private, non-cacheable response; 404 unless `may_view(request.user)`, 503 if storage is down.

    `log_view(request.user)` runs after the check and before the file is read (it decides itself
    whether this viewer's access is to be recorded). PDFs are always downloads: a PDF viewer in
    the page is more than we need to trust; images were rebuilt by us and may show inline.
    """
    if not may_view(request.user):
        raise Http404
    if log_view is not None:
        log_view(request.user)
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    except OSError as exc:  # the disk or the shared bucket (portal/lib/storage.py) did not answer: try again
        log.warning("private file not readable: %s", exc)
        return render_unavailable(request)
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type == "application/pdf",
        filename=f"{name}.{EXTENSIONS.get(content_type, 'bin')}",
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Referrer-Policy"] = "no-referrer"
    return response
