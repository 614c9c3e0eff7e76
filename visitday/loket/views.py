"""Calling at the registration counter (loket): the clerk's page, and the ticket's way into the desk pages.

Clerks (the desk's permission, queueing.desk.views.access) pick their counter and lines; the
choice lives in their session. Every button is a POST that goes through visitday.services and
comes back here (post/redirect/get). "Walk-in" and "Check-in" carry the called ticket into the
counter desk: walk-ins through the session (the desk's `counter_registered` signal attaches it),
check-ins through this app's own small form (the ticket's tasks 1 and 2 come before check-in's 3).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from queueing.desk import selectors as desk_selectors
from queueing.desk.forms import CheckInForm
from queueing.desk.views.access import counter_facility, desk_url, desk_view
from visitday import selectors, services
from visitday.loket.forms import LoketChoiceForm, MoveTicketForm
from visitday.models import Loket, Ticket

SESSION_LOKET = "loket_id"
SESSION_LINES = "loket_lines"
SESSION_TICKET = "loket_ticket"  # the ticket carried into the desk's walk-in page
CURRENT_ACTIONS = (
    ("recall", gettext_lazy("Call again"), "btn-outline-primary"),
    ("skip", gettext_lazy("Skip"), "btn-outline-secondary"),
    ("finish", gettext_lazy("Done"), "btn-outline-success"),
    ("absent", gettext_lazy("Not present"), "btn-outline-danger"),
)


def _chosen(request: HttpRequest, facility) -> tuple[Loket | None, list[int]]:
    loket = selectors.facility_lokets(facility).filter(pk=request.session.get(SESSION_LOKET)).first()
    lines = [int(pk) for pk in request.session.get(SESSION_LINES, []) if str(pk).isdigit()]
    return loket, lines


@desk_view()
def loket_home(request: HttpRequest) -> HttpResponse:
    facility = counter_facility(request)
    today = facility.local_today()
    loket, line_ids = _chosen(request, facility)
    initial = {"loket": loket, "lines": line_ids or ([line.pk for line in loket.lines.all()] if loket else [])}
    context = {
        "facility": facility,
        "choice_form": LoketChoiceForm(facility, initial=initial),
        "loket": loket,
        "lines": selectors.lines_with_counts(facility, today),
        "line_ids": line_ids,
    }
    if loket and line_ids:
        current = selectors.current_ticket(loket)
        context.update(
            current=current,
            current_actions=CURRENT_ACTIONS,
            move_form=MoveTicketForm(facility) if current else None,
            waiting=selectors.queue_for(line_ids, facility, today, "waiting"),
            skipped=selectors.queue_for(line_ids, facility, today, "skipped"),
        )
    with timezone.override(facility.tzinfo):  # print and call times on the facility's clock
        return render(request, "visitday/loket/home.html", context)


@desk_view()
@require_POST
def loket_choose(request: HttpRequest) -> HttpResponse:
    facility = counter_facility(request)
    form = LoketChoiceForm(facility, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("visitday:loket_home")
    request.session[SESSION_LOKET] = form.cleaned_data["loket"].pk
    request.session[SESSION_LINES] = [line.pk for line in form.cleaned_data["lines"]]
    return redirect("visitday:loket_home")


def _require_loket(request: HttpRequest) -> tuple[Loket, list[int]]:
    loket, line_ids = _chosen(request, counter_facility(request))
    if loket is None or not line_ids:
        raise Http404
    return loket, line_ids


@desk_view()
@require_POST
def loket_next(request: HttpRequest) -> HttpResponse:
    loket, line_ids = _require_loket(request)
    try:
        ticket = services.ticket_call_next(loket=loket, line_ids=line_ids, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        request.session.pop(SESSION_TICKET, None)
        if ticket is None:
            messages.info(request, _("Nobody is waiting on your lines."))
    return redirect("visitday:loket_home")


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_for_staff(ticket_id, request.user)
    if ticket is None:
        raise Http404
    return ticket


@desk_view()
@require_POST
def loket_ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """Panggil ulang, Lewati, Selesai, Tidak hadir, call this one, move to another line, walk-in."""
    ticket = _ticket(request, ticket_id)
    loket, _line_ids = _require_loket(request)
    if ticket.facility_id != loket.facility_id:
        raise Http404
    try:
        if action == "walk-in":
            request.session[SESSION_TICKET] = ticket.pk
            messages.info(
                request,
                _("Registering for ticket %(label)s: the patients you register now keep its times.")
                % {"label": ticket.label},
            )
            return redirect(desk_url("desk_walk_in"))
        _act(request, ticket, loket, action)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("visitday:loket_home")


def _act(request: HttpRequest, ticket: Ticket, loket: Loket, action: str) -> None:
    actor = request.user
    if action == "recall":
        services.ticket_recall(ticket=ticket, loket=loket, actor=actor)
    elif action == "call":
        services.ticket_call(ticket=ticket, loket=loket, actor=actor)
    elif action == "skip":
        services.ticket_skip(ticket=ticket, actor=actor)
    elif action == "finish":
        services.ticket_finish(ticket=ticket, actor=actor)
    elif action == "absent":
        services.ticket_absent(ticket=ticket, actor=actor)
    elif action == "move":
        form = MoveTicketForm(ticket.facility, request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a line."), code="line_required")
        moved = services.ticket_move(ticket=ticket, line=form.cleaned_data["line"], actor=actor)
        messages.success(
            request, _("%(label)s now waits on %(line)s.") % {"label": moved.label, "line": moved.line.name}
        )
    else:
        raise Http404


@desk_view()
@require_http_methods(["GET", "POST"])
def loket_check_in(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Check in the booking of the person holding this ticket (they have a booking code)."""
    ticket = _ticket(request, ticket_id)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        booking = desk_selectors.booking_by_code(form.cleaned_data["code"], request.user)
        if booking is None:
            form.add_error("code", ValidationError(_("No booking has this code."), code="unknown"))
        else:
            try:
                booking = services.ticket_check_in(ticket=ticket, booking=booking, actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is checked in: number %(label)s.")
                    % {"name": booking.patient.full_name, "label": booking.label},
                )
                return redirect(desk_url("desk_check_in", kode=booking.code))
    return render(
        request,
        "visitday/loket/check_in.html",
        {"ticket": ticket, "form": form, "back_url": reverse("visitday:loket_home")},
    )


def on_counter_registered(sender, *, bookings, request=None, actor=None, **kwargs) -> None:
    """The desk registered walk-ins: attach the ticket the clerk brought from this page (queueing.signals)."""
    if request is None or not hasattr(request, "session"):
        return
    ticket = selectors.ticket_for_staff(request.session.pop(SESSION_TICKET, None), request.user)
    if ticket is not None:
        services.ticket_attach(ticket=ticket, bookings=bookings)
