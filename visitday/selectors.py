"""Visit-day reads: what the kiosk offers, what a ticket prints, the counter's queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from facilities.models import Facility
from facilities.scope import scope_for_staff
from families.validators import age_on
from queueing import selectors as queue_selectors
from queueing.models import Booking, Clinic
from visitday.models import Loket, Ticket, TicketLine, TicketStatus

# BPJS takes the fingerprint of participants aged 17 and over on its own device (seed 004).
FINGERPRINT_MIN_AGE = 17


def kiosk_lines(facility: Facility) -> QuerySet[TicketLine]:
    return TicketLine.objects.filter(facility=facility, active=True).select_related("clinic")


def kiosk_clinics(line: TicketLine) -> list[Clinic]:
    """The clinics practising today at the line's facility (the ones a patient can still be seen at)."""
    today = line.facility.local_today()
    return list(queue_selectors.clinics_on(today, facility_id=line.facility_id).order_by("sort_order", "name"))


def needs_fingerprint(booking: Booking) -> bool:
    """A BPJS Kesehatan patient aged 17+: the fingerprint reminder (the portal never takes fingerprints)."""
    return (
        booking.guarantor.is_bpjs_kesehatan and age_on(booking.patient.birth_date, booking.date) >= FINGERPRINT_MIN_AGE
    )


@dataclass(frozen=True, kw_only=True)
class TicketPrint:
    """Everything a ticket prints; plain values so the PDF needs no models."""

    facility_name: str
    facility_address: str
    line_name: str
    label: str
    clinic_name: str
    taken_at: dt.datetime  # the facility's wall clock
    waiting_ahead: int


def ticket_print_data(ticket: Ticket) -> TicketPrint:
    facility = ticket.facility
    return TicketPrint(
        facility_name=facility.name,
        facility_address=facility.address,
        line_name=ticket.issued_line.name,
        label=ticket.label,
        clinic_name=ticket.clinic.name if ticket.clinic_id else "",
        taken_at=facility.local_now(ticket.taken_at),
        waiting_ahead=ticket.waiting_ahead,
    )


# --- the counter's calling page -----------------------------------------------------------------


def facility_lokets(facility: Facility) -> QuerySet[Loket]:
    return Loket.objects.filter(facility=facility, active=True).prefetch_related("lines")


def facility_lines(facility: Facility) -> QuerySet[TicketLine]:
    return TicketLine.objects.filter(facility=facility, active=True)


def lines_with_counts(facility: Facility, today: dt.date) -> list[TicketLine]:
    """The facility's lines, each with `waiting` (tickets waiting on it today)."""
    return list(
        facility_lines(facility).annotate(
            waiting=Count("tickets", filter=Q(tickets__date=today, tickets__status=TicketStatus.WAITING))
        )
    )


def current_ticket(loket: Loket) -> Ticket | None:
    """The ticket this counter is serving (called and not ended)."""
    return (
        Ticket.objects.filter(loket=loket, status=TicketStatus.CALLED)
        .select_related("line", "issued_line", "clinic")
        .order_by("-called_at")
        .first()
    )


def queue_for(line_ids: list[int], facility: Facility, today: dt.date, status: str, limit: int = 30) -> list[Ticket]:
    """Tickets on the chosen lines in calling order (print time, kept when moved)."""
    return list(
        Ticket.objects.filter(facility=facility, line_id__in=line_ids, date=today, status=status)
        .select_related("line", "clinic")
        .order_by("taken_at", "id")[:limit]
    )


def ticket_for_staff(ticket_id, user) -> Ticket | None:
    """A ticket of the staff user's facilities (None when missing, malformed or another facility's)."""
    try:
        pk = int(ticket_id)
    except (TypeError, ValueError):
        return None
    return (
        scope_for_staff(Ticket.objects.select_related("line", "issued_line", "facility"), user, "facility")
        .filter(pk=pk)
        .first()
    )
