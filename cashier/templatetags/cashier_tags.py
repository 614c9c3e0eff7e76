"""Template tags of the cashier: rupiah amounts and the "paid" badge other pages show.

The clerk's counter and the clinic's calling page load these (`{% load cashier_tags %}`) rather
than import the cashier: queueing stays below the cashier in the app order (STYLE.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.template.loader import render_to_string

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


@register.simple_tag
def paid_badge(booking, paid_ids) -> str:
    """A green "Paid at the cashier" badge when the booking's fee is paid or waived (not voided).

    The badge's template is rendered only for a paid booking: the day's register shows hundreds of
    rows, and an inclusion tag rendered a template for each of them (issue 16).
    """
    if booking is None or booking.pk not in (paid_ids or ()):
        return ""
    return render_to_string("cashier/_paid_badge.html", {"paid": True})


@register.filter
def get_item(mapping, key):
    """`{{ totals|get_item:"cash" }}`: a dict value by a variable key."""
    return (mapping or {}).get(key)
