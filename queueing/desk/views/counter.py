"""The counter's day: the home page, check-in with the booking code, moving to another clinic."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from queueing import selectors
from queueing.desk import selectors as desk_selectors
from queueing.desk import services as desk_services
from queueing.desk.forms import (
    CheckInForm,
    FacilitySwitchForm,
    MoveForm,
)
from queueing.desk.views.access import FACILITY_SESSION_KEY, VIEW, counter_facility, desk_url, desk_view
from queueing.models import Booking, BookingStatus


@desk_view(VIEW)
@require_POST
def switch_facility(request: HttpRequest) -> HttpResponse:
    """A clerk of several facilities chooses the one whose counter they work now (kept in the session)."""
    form = FacilitySwitchForm(desk_selectors.desk_facilities(request.user), request.POST)
    if not form.is_valid():
        raise Http404  # not one of theirs: not found, like any other facility's row
    request.session[FACILITY_SESSION_KEY] = form.cleaned_data["facility"]
    facility = counter_facility(request)
    messages.info(request, _("The counter pages now show %(facility)s.") % {"facility": facility.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("queueing:desk_home")
    return redirect(target)


@desk_view(VIEW)
def desk_home(request: HttpRequest) -> HttpResponse:
    facility = counter_facility(request)
    today = facility.local_today()
    counts = dict(
        Booking.objects.filter(date=today, clinic__facility=facility).values_list("status").annotate(n=Count("pk"))
    )
    statuses = [(label, counts.get(value, 0)) for value, label in BookingStatus.choices]
    return render(
        request,
        "queueing/desk/home.html",
        {
            "today": today,
            "offers": desk_selectors.counter_offers(today, facility=facility),
            "statuses": statuses,
            "requests_url": reverse("admin:queueing_booking_changelist") + "?status__exact=requested&tanggal=all",
        },
    )


@desk_view()
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """A scanner types the code and Enter: the booking is checked in at once and its slip offered."""
    form = CheckInForm(request.POST or None)
    booking, problem = None, None
    if request.method == "POST" and form.is_valid():
        booking = desk_selectors.booking_by_code(form.cleaned_data["code"], request.user)
        facility = counter_facility(request)
        if booking is None:
            form.add_error("code", ValidationError(_("No booking has this code."), code="unknown"))
        elif booking.clinic.facility_id != facility.pk:
            # One of the clerk's other facilities: the patient is at the wrong place (or the switch is).
            form.add_error(
                "code",
                ValidationError(
                    _(
                        "This booking is at %(facility)s, not here (%(here)s). Switch the counter first if you work there."
                    ),
                    code="other_facility",
                    params={"facility": booking.clinic.facility.name, "here": facility.name},
                ),
            )
            booking = None
        else:
            try:
                booking = desk_services.booking_check_in(booking=booking, actor=request.user)
            except ValidationError as exc:
                problem = exc  # nothing changed: the page says why, no redirect needed
                form = CheckInForm()  # an empty, focused input for the next scan
            else:
                messages.success(
                    request,
                    _("%(name)s is checked in: number %(label)s.")
                    % {"name": booking.patient.full_name, "label": booking.label},
                )
                return redirect(desk_url("desk_check_in", kode=booking.code))
    elif request.method == "GET" and request.GET.get("kode"):
        booking = desk_selectors.booking_by_code(request.GET["kode"], request.user)
    return render(
        request,
        "queueing/desk/check_in.html",
        {
            "form": form,
            "booking": booking,
            "problem": problem,
            "printable": booking is not None and selectors.slip_printable(booking),
        },
    )


def _booking_or_404(code: str, user) -> Booking:
    booking = desk_selectors.booking_by_code(code, user)
    if booking is None:
        raise Http404
    return booking


@desk_view()
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_or_404(code, request.user)
    facility = selectors.settings_for(booking).facility
    offers = [
        o
        for o in desk_selectors.counter_offers(facility.local_today(), facility=facility)
        if o.schedule.pk != booking.day_quota.schedule_id
    ]
    form = MoveForm(offers, request.POST or None)
    if request.method == "POST" and form.is_valid():
        old_label = booking.label
        try:
            booking = desk_services.booking_move(
                booking=booking,
                actor=request.user,
                schedule_id=form.cleaned_data["schedule"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Moved: %(old)s is now %(new)s (%(clinic)s).")
                % {"old": old_label, "new": booking.label, "clinic": booking.clinic.name},
            )
            return redirect(desk_url("desk_check_in", kode=booking.code))
    return render(request, "queueing/desk/move.html", {"form": form, "booking": booking})
