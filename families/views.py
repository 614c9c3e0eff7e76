"""Family member pages (SOP 000 E-H)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The account's home: its family members and what to do next."""
    return render(request, "families/dashboard.html", {})
