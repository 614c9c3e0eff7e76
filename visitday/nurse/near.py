""" "Your turn is near": a message to the account holder when their patient is a few calls away.

Sent once per booking (a once-only key), on the account's channels, through notifications.notify:
written in the nurse's call transaction, delivered by the worker after the commit.
"""

from __future__ import annotations

from notifications.services import notify
from queueing.models import Booking, BookingChannel

# Calls still to come before the patient's own when the message goes out.
CALLS_AHEAD = 3
TEMPLATE = "visitday/emails/turn_near"


def notify_turn_near(waiting_after_call: list[Booking], *, clinic_name: str, detail: str = "") -> Booking | None:
    """Tell the holder of the booking now CALLS_AHEAD calls away (the queue after this call);
    the booking told, or None when the queue is shorter."""
    if len(waiting_after_call) < CALLS_AHEAD:
        return None
    booking = waiting_after_call[CALLS_AHEAD - 1]
    if booking.channel != BookingChannel.ONLINE:
        return None  # booked at the counter or by Mobile JKN: no account holder of theirs to tell
    context = {"booking": booking, "account": booking.account, "clinic": clinic_name, "detail": detail,
               "calls_ahead": CALLS_AHEAD}  # fmt: skip
    notify(TEMPLATE, account=booking.account, context=context, key=f"near:{booking.pk}")
    return booking
