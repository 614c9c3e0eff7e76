"""Which status changes a booking allows: one table for the services, the admin buttons and the templates.

A service refuses a change the table does not allow with `refusal(action)` (a ValidationError
with the action's code); the admin's booking page shows a button only for `buttons(booking)`;
templates ask `{% load booking_status %}{% if booking|can:"move" %}`. New bookings are not
transitions: they start requested, verified, or (at the counter) checked in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from queueing.models import CANCELLABLE_STATUSES, Booking, BookingStatus


class Day(Enum):
    """On which exam dates, relative to today, the change may be made."""

    ANY = "any"
    TODAY = "today"  # the patient is at the counter
    STARTED = "started"  # the exam date has come (today or past)


class Action:
    VERIFY = "verify"
    REJECT = "reject"
    CANCEL = "cancel"
    CHECK_IN = "check_in"
    NO_SHOW = "no_show"
    SERVED = "served"
    MOVE = "move"


@dataclass(frozen=True)
class Transition:
    sources: tuple[BookingStatus, ...]
    target: BookingStatus
    day: Day
    code: str  # of the refusal when the booking is in another status
    refusal: Promise


S = BookingStatus
TRANSITIONS: dict[str, Transition] = {
    Action.VERIFY: Transition(
        (S.REQUESTED,), S.VERIFIED, Day.ANY, "not_requested", _("Only requested bookings can be verified.")
    ),
    Action.REJECT: Transition(
        CANCELLABLE_STATUSES,
        S.REJECTED,
        Day.ANY,
        "not_rejectable",
        _("Only requested or confirmed bookings can be rejected."),
    ),
    Action.CANCEL: Transition(
        CANCELLABLE_STATUSES, S.CANCELLED, Day.ANY, "not_cancellable", _("This booking can no longer be cancelled.")
    ),
    # A late arrival marked as not come is called after a few numbers. The desk's check_in_problem
    # says first why each other status cannot check in; this refusal meets a row changed meanwhile.
    Action.CHECK_IN: Transition(
        (S.VERIFIED, S.NO_SHOW), S.CHECKED_IN, Day.TODAY, "conflict", _("This booking changed meanwhile.")
    ),
    Action.NO_SHOW: Transition(
        (S.VERIFIED, S.CHECKED_IN),
        S.NO_SHOW,
        Day.STARTED,
        "not_markable",
        _("Only confirmed or checked-in bookings can be marked as not come."),
    ),
    Action.SERVED: Transition(
        (S.CHECKED_IN,), S.SERVED, Day.STARTED, "not_checked_in", _("Only checked-in patients can be marked as served.")
    ),
    # A move ends checked in with another doctor today (the patient is at the counter).
    Action.MOVE: Transition(
        (S.VERIFIED, S.CHECKED_IN),
        S.CHECKED_IN,
        Day.TODAY,
        "not_movable",
        _("Only confirmed or checked-in bookings can be moved."),
    ),
}
del S


def sources(action: str) -> tuple[BookingStatus, ...]:
    return TRANSITIONS[action].sources


def target(action: str) -> BookingStatus:
    return TRANSITIONS[action].target


def allows(action: str, status: str) -> bool:
    """The table allows `action` from `status` (whatever the day)."""
    return status in TRANSITIONS[action].sources


def on_day(action: str, date: dt.date, today: dt.date) -> bool:
    day = TRANSITIONS[action].day
    return day is Day.ANY or (date == today if day is Day.TODAY else date <= today)


def refusal(action: str) -> ValidationError:
    transition = TRANSITIONS[action]
    return ValidationError(transition.refusal, code=transition.code)


def require(action: str, booking: Booking) -> None:
    """Raise the action's refusal unless the booking's status allows it."""
    if not allows(action, booking.status):
        raise refusal(action)


def buttons(booking: Booking, *, today: dt.date) -> dict[str, bool]:
    """Which changes a clerk may make to this booking on `today` (at its facility): the status and the day allow it."""
    return {action: allows(action, booking.status) and on_day(action, booking.date, today) for action in TRANSITIONS}
