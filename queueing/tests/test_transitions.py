"""One table of status changes (queueing.transitions) drives the services, the admin buttons and the templates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from queueing import services, transitions
from queueing.desk import services as desk_services
from queueing.models import Booking, BookingStatus
from queueing.tests.conftest import make_member
from queueing.tests.desk_helpers import (  # noqa: F401 - fixtures
    book_today,
    clerk_client,
    desk_clerk,
    gigi_today,
    today,
    umum_today,
)
from queueing.transitions import TRANSITIONS, Action

pytestmark = pytest.mark.django_db

BUTTON_IDS = {
    Action.VERIFY: "desk-verify",
    Action.REJECT: "desk-reject",
    Action.CHECK_IN: "desk-check-in",
    Action.SERVED: "desk-served",
    Action.NO_SHOW: "desk-no-show",
    Action.MOVE: "desk-move",
}


def booking_in(status: str, patient, gigi_today, book_today) -> Booking:
    """A numbered booking for today, put in `status` directly (the services are what is tested)."""
    booking = book_today(make_member(patient, f"Pasien {status}", relationship="other"), gigi_today)
    Booking.objects.filter(pk=booking.pk).update(status=status, reject_reason="x" if status == "rejected" else "")
    return Booking.objects.select_related("day_quota").get(pk=booking.pk)


def shown_buttons(clerk_client, booking: Booking) -> set[str]:
    page = clerk_client.get(reverse("admin:queueing_booking_change", args=[booking.pk])).content.decode()
    return {action for action, element_id in BUTTON_IDS.items() if f'id="{element_id}"' in page}


@pytest.mark.parametrize("status", BookingStatus.values)
def test_the_booking_page_shows_a_button_for_each_change_the_table_allows_today(
    clerk_client, patient, gigi_today, book_today, status
):
    booking = booking_in(status, patient, gigi_today, book_today)
    allowed = {action for action in BUTTON_IDS if booking.status in TRANSITIONS[action].sources}
    assert shown_buttons(clerk_client, booking) == allowed


def test_changing_the_table_changes_the_buttons_and_the_check_in_page(
    clerk_client, patient, gigi_today, book_today, monkeypatch
):
    booking = booking_in(BookingStatus.VERIFIED, patient, gigi_today, book_today)
    check_in_page = reverse("queueing:desk_check_in") + f"?kode={booking.code}"
    move_link = reverse("queueing:desk_move", args=[booking.code])
    assert Action.SERVED not in shown_buttons(clerk_client, booking)
    assert move_link in clerk_client.get(check_in_page).content.decode()

    served = TRANSITIONS[Action.SERVED]
    monkeypatch.setitem(
        TRANSITIONS, Action.SERVED, dataclasses.replace(served, sources=(*served.sources, BookingStatus.VERIFIED))
    )
    monkeypatch.setitem(
        TRANSITIONS, Action.MOVE, dataclasses.replace(TRANSITIONS[Action.MOVE], sources=(BookingStatus.CHECKED_IN,))
    )
    assert {Action.SERVED, Action.MOVE} & shown_buttons(clerk_client, booking) == {Action.SERVED}
    assert move_link not in clerk_client.get(check_in_page).content.decode()


def test_the_day_rules_hide_counter_buttons_on_other_days(patient, gigi_today, book_today, today):
    booking = booking_in(BookingStatus.CHECKED_IN, patient, gigi_today, book_today)
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    assert transitions.buttons(booking, today=today)[Action.MOVE]
    assert not transitions.buttons(booking, today=yesterday)[Action.SERVED]  # the exam date has not come
    assert transitions.buttons(booking, today=tomorrow)[Action.SERVED]
    assert not transitions.buttons(booking, today=tomorrow)[Action.MOVE]  # moved only on the day


def _call(action: str, booking: Booking, actor, umum_today) -> None:
    calls = {
        Action.VERIFY: lambda: services.booking_verify(booking=booking, actor=actor),
        Action.REJECT: lambda: services.booking_reject(booking=booking, actor=actor, reason="KTP buram"),
        Action.CANCEL: lambda: services.booking_cancel(booking=booking, actor=booking.account),
        Action.NO_SHOW: lambda: desk_services.booking_mark_no_show(booking=booking, actor=actor),
        Action.SERVED: lambda: desk_services.booking_mark_served(booking=booking, actor=actor),
        Action.MOVE: lambda: desk_services.booking_move(
            booking=booking, actor=actor, schedule_id=umum_today.pk, reason="Salah poli"
        ),
    }
    calls[action]()


REFUSED = [
    (action, status)
    for action, transition in TRANSITIONS.items()
    if action != Action.CHECK_IN
    for status in BookingStatus.values
    if status not in transition.sources
]


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_a_change_the_table_does_not_allow_is_refused_by_the_service_with_its_code(
    patient, gigi_today, umum_today, book_today, desk_clerk, action, status
):
    booking = booking_in(status, patient, gigi_today, book_today)
    events = booking.events.count()
    with pytest.raises(ValidationError) as caught:
        _call(action, booking, desk_clerk, umum_today)
    assert caught.value.code == TRANSITIONS[action].code
    assert (Booking.objects.get(pk=booking.pk).status, booking.events.count()) == (status, events)


def test_a_change_the_table_allows_is_made_by_the_service(
    patient, gigi_today, umum_today, book_today, desk_clerk, monkeypatch
):
    booking = booking_in(BookingStatus.VERIFIED, patient, gigi_today, book_today)
    with pytest.raises(ValidationError) as caught:
        _call(Action.SERVED, booking, desk_clerk, umum_today)
    assert caught.value.code == "not_checked_in"
    monkeypatch.setitem(
        TRANSITIONS,
        Action.SERVED,
        dataclasses.replace(TRANSITIONS[Action.SERVED], sources=(BookingStatus.VERIFIED, BookingStatus.CHECKED_IN)),
    )
    _call(Action.SERVED, booking, desk_clerk, umum_today)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SERVED
