"""Hooks the counter desk sends for apps above queueing (declared low, connected high: GUIDE).

counter_registered: the desk registered or checked in `bookings` for a person who came with a
counter ticket (`ticket_ref`, the ticket's id as the page carried it; may be empty or stale).
Sent after the desk's transaction has committed; the visit-day app attaches the ticket and
records the ticket's times as BPJS tasks 1 and 2.
"""

from __future__ import annotations

from django.dispatch import Signal

counter_registered = Signal()  # kwargs: bookings (list[Booking]), ticket_ref (str), actor
