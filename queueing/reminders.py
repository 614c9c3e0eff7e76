"""The reminder the day before a visit (H-1), at the hour each facility sets.

`reminders_queue` is run by the durable worker every few minutes (queueing.tasks). For every
facility whose reminder hour has come (on its own clock), each confirmed booking of tomorrow
gets one reminder on its account's channels. "Once" is the database's promise, not this loop's:
the message key is unique, so two runs at once, on one server or two, queue it once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from facilities.selectors import active_facilities
from guarantors import services as guarantor_services
from notifications.models import Message
from notifications.services import notify
from portal.lib import mail
from queueing.models import Booking, BookingChannel, BookingSettings, BookingStatus

TEMPLATE = "queueing/emails/booking_reminder"


def reminder_key(booking: Booking) -> str:
    return f"reminder:{booking.pk}"


def _due(facility, now: dt.datetime) -> list[Booking]:
    cfg = BookingSettings.current(facility.pk)
    local = facility.local_now(now)
    if local.hour < cfg.reminder_hour:
        return []
    tomorrow = local.date() + dt.timedelta(days=1)
    bookings = list(
        Booking.objects.filter(clinic__facility=facility, date=tomorrow, status=BookingStatus.VERIFIED)
        # Mobile JKN bookings belong to the facility's Mobile JKN account, which has no one to remind.
        .exclude(channel=BookingChannel.MOBILE_JKN)
        .select_related("account", "patient", "clinic", "doctor", "guarantor")
        .order_by("pk")
    )
    sent = set(Message.objects.filter(key__in=[reminder_key(b) for b in bookings]).values_list("key", flat=True))
    return [b for b in bookings if reminder_key(b) not in sent]


def reminders_queue(now: dt.datetime | None = None) -> int:
    """Queue tomorrow's reminders wherever the hour has come; how many messages were queued."""
    now = now or timezone.now()
    queued = 0
    for facility in active_facilities():
        for booking in _due(facility, now):
            with transaction.atomic():
                # Cancelled since the list was read (another request, another server): no reminder.
                current = Booking.objects.select_for_update().filter(pk=booking.pk, status=BookingStatus.VERIFIED)
                if not current.exists():
                    continue
                queued += len(notify(TEMPLATE, account=booking.account, context=_context(booking, facility),
                                     key=reminder_key(booking)))  # fmt: skip
    return queued


def _context(booking: Booking, facility) -> dict:
    return {
        "booking": booking,
        "account": booking.account,
        "hospital": facility.name,
        "hospital_phone": facility.phone,
        "documents": guarantor_services.required_documents(booking.guarantor, booking.clinic.code),
        "cancel_url": mail.absolute_url("queueing:booking_cancel", booking.code),
    }
