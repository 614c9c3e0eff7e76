"""Template tags of the cashier: rupiah amounts and the "paid" badge other pages show.

The clerk's counter and the clinic's calling page load these (`{% load cashier_tags %}`) rather
than import the cashier: queueing stays below the cashier in the app order (STYLE.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from cashier import selectors
from cashier.receipts import rupiah as _rupiah

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """15000 -> 'Rp 15.000'."""
    try:
        return _rupiah(int(amount))
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def paid_booking_ids(bookings: Iterable) -> set:
    """`{% paid_booking_ids bookings as paid_ids %}`: one query for a whole list (cashier.selectors).

    Takes bookings, one booking, or entries that carry one as `.booking` (the clinic's queue entries).
    """
    if bookings is None:
        return set()
    if not isinstance(bookings, Iterable) or hasattr(bookings, "pk"):
        bookings = [bookings]
    return selectors.paid_booking_ids([getattr(item, "booking", item) for item in bookings])


@register.inclusion_tag("cashier/_paid_badge.html")
def paid_badge(booking, paid_ids) -> dict:
    """A green "Paid at the cashier" badge when the booking's fee is paid or waived (not voided)."""
    return {"paid": booking is not None and booking.pk in (paid_ids or ())}


@register.filter
def get_item(mapping, key):
    """`{{ totals|get_item:"cash" }}`: a dict value by a variable key."""
    return (mapping or {}).get(key)
