"""The health office's page: every facility's booking counts, and nothing that names a patient."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from facilities.scope import is_health_office
from queueing.office import selectors
from queueing.office.forms import FiguresForm


@login_required
@never_cache
def figures(request: HttpRequest) -> HttpResponse:
    """Counts per facility, clinic, day and guarantor; 404 for anyone not of the health office."""
    if not is_health_office(request.user):
        raise Http404
    today = timezone.localdate()
    initial = {"start": today - dt.timedelta(days=6), "end": today}
    form = FiguresForm(request.GET or initial)
    rows: list[dict] = []
    if form.is_valid():
        data = form.cleaned_data
        rows = list(selectors.booking_counts(data["start"], data["end"], data.get("facility")))
    return render(
        request, "queueing/office/figures.html", {"form": form, "rows": rows, "totals": selectors.facility_totals(rows)}
    )
