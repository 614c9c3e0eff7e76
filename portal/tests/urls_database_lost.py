"""A test-only page that loses its own database connection after touching the session."""

from __future__ import annotations

from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.urls import path


def touch_session(request: HttpRequest) -> HttpResponse:
    """Change the session; with ?lose=1, have another connection terminate this one's backend
    first, as a database restart or a network cut would, so the session save meets a dead link."""
    request.session["visits"] = request.session.get("visits", 0) + 1
    if request.GET.get("lose"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()
    return HttpResponse("ok")


urlpatterns = [path("session/", touch_session)]
