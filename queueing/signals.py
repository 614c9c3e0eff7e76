"""Hooks the counter desk sends for apps above queueing (declared low, connected high: GUIDE).

counter_registered: the desk registered `bookings` (walk-ins) during `request`. Sent after the
desk's transaction has committed. The visit-day app attaches the counter ticket the clerk was
serving (its calling page keeps it in the session) and records the ticket's times as BPJS tasks
1 and 2; queueing itself knows nothing of tickets.
"""

from __future__ import annotations

from django.dispatch import Signal

counter_registered = Signal()  # kwargs: bookings (list[Booking]), request, actor
