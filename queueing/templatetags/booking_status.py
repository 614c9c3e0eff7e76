"""Which status changes a booking allows, for templates: {% if booking|can:"move" %} (queueing.transitions)."""

from __future__ import annotations

from django import template

from queueing import selectors, transitions
from queueing.models import Booking

register = template.Library()


@register.filter
def can(booking: Booking, action: str) -> bool:
    """The table allows `action` on this booking today (its status and its exam date)."""
    return transitions.allows(action, booking.status) and transitions.on_day(
        action, booking.date, selectors.booking_today(booking)
    )
