"""Counter tickets: numbering, the calling order (priority ratio, moved tickets), and the ticket's life."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from queueing.models import Task
from queueing.task_times import tasks_for
from visitday import services
from visitday.models import Call, CallKind, Ticket, TicketStatus


def minutes(n: int) -> dt.datetime:
    """Today at 07:00 plus n minutes (the facility's clock)."""
    from facilities.models import default_facility

    start = default_facility().make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7, 0)))
    return start + dt.timedelta(minutes=n)


def take(line, n: int, **kwargs) -> Ticket:
    return services.ticket_take(line=line, now=minutes(n), **kwargs)


def call_next(loket, clerk, n: int = 60, lines=None):
    ids = [line.pk for line in (lines or loket.lines.all())]
    return services.ticket_call_next(loket=loket, line_ids=ids, actor=clerk, now=minutes(n))


def test_tickets_are_numbered_per_line_per_day_with_the_line_letter(lines):
    a1, a2, b1 = take(lines["A"], 1), take(lines["A"], 2), take(lines["B"], 3)
    assert [a1.label, a2.label, b1.label] == ["A-001", "A-002", "B-001"]
    tomorrow = services.ticket_take(line=lines["A"], now=minutes(24 * 60))
    assert tomorrow.label == "A-001" and tomorrow.date == a1.date + dt.timedelta(days=1)


def test_a_ticket_says_how_many_wait_ahead_on_its_line(lines, loket, desk_clerk):
    take(lines["A"], 1), take(lines["A"], 2), take(lines["B"], 3)
    call_next(loket, desk_clerk, 4, lines=[lines["A"]])
    assert take(lines["A"], 5).waiting_ahead == 1


def test_a_line_that_asks_for_the_clinic_needs_one(lines, gigi):
    lines["A"].asks_clinic = True
    lines["A"].save()
    with pytest.raises(ValidationError) as exc_info:
        take(lines["A"], 1)
    assert exc_info.value.code == "clinic_required"
    assert take(lines["A"], 2, clinic=gigi[0].clinic).clinic == gigi[0].clinic


def test_a_closed_line_prints_nothing(lines):
    lines["B"].active = False
    lines["B"].save()
    with pytest.raises(ValidationError) as exc_info:
        take(lines["B"], 1)
    assert exc_info.value.code == "line_closed"
    assert not Ticket.objects.exists()


def test_the_ticket_number_is_unique_per_line_and_day_in_the_database(lines):
    ticket = take(lines["A"], 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            facility=ticket.facility,
            issued_line=ticket.issued_line,
            line=lines["B"],
            date=ticket.date,
            number=ticket.number,
            label="X",
            taken_at=ticket.taken_at,
        )


def test_next_takes_the_oldest_waiting_ticket(lines, loket, desk_clerk):
    take(lines["B"], 1), take(lines["A"], 2)
    assert call_next(loket, desk_clerk, lines=[lines["A"], lines["B"]]).label == "B-001"
    assert call_next(loket, desk_clerk, lines=[lines["A"], lines["B"]]).label == "A-001"
    assert call_next(loket, desk_clerk, lines=[lines["A"], lines["B"]]) is None


def test_a_waiting_priority_ticket_goes_first_without_a_ratio(lines, loket, desk_clerk):
    take(lines["A"], 1), take(lines["A"], 2), take(lines["P"], 3)
    assert [call_next(loket, desk_clerk, 10 + i).label for i in range(3)] == ["P-001", "A-001", "A-002"]


def test_one_priority_to_three_regular(lines, loket, desk_clerk, ratio):
    ratio(3)
    for n in range(1, 7):
        take(lines["A"], n)
    for n in range(7, 10):
        take(lines["P"], n)
    called = [call_next(loket, desk_clerk, 20 + i).label for i in range(9)]
    assert called == ["P-001", "A-001", "A-002", "A-003", "P-002", "A-004", "A-005", "A-006", "P-003"]


def test_with_a_ratio_the_regular_line_is_not_held_up_when_no_priority_waits(lines, loket, desk_clerk, ratio):
    ratio(1)
    take(lines["A"], 1), take(lines["A"], 2), take(lines["A"], 3)
    assert [call_next(loket, desk_clerk, 10 + i).label for i in range(3)] == ["A-001", "A-002", "A-003"]


def test_a_moved_ticket_keeps_its_place_in_time_on_the_new_line(lines, loket, desk_clerk):
    a1 = take(lines["A"], 1)
    take(lines["B"], 2), take(lines["B"], 3)
    called = call_next(loket, desk_clerk, 4, lines=[lines["A"]])
    assert called.pk == a1.pk
    moved = services.ticket_move(ticket=called, line=lines["B"], actor=desk_clerk, now=minutes(5))
    assert (moved.status, moved.line, moved.moved_from, moved.label) == (
        TicketStatus.WAITING,
        lines["B"],
        lines["A"],
        "A-001",
    )
    assert moved.taken_at == minutes(1)
    assert call_next(loket, desk_clerk, 6, lines=[lines["B"]]).label == "A-001"  # before B-001, printed later
    assert call_next(loket, desk_clerk, 7, lines=[lines["B"]]).label == "B-001"


def test_moving_refuses_the_same_line_and_an_ended_ticket(lines, loket, desk_clerk):
    ticket = take(lines["A"], 1)
    with pytest.raises(ValidationError) as exc_info:
        services.ticket_move(ticket=ticket, line=lines["A"])
    assert exc_info.value.code == "same_line"
    services.ticket_finish(ticket=call_next(loket, desk_clerk))
    with pytest.raises(ValidationError) as exc_info:
        services.ticket_move(ticket=ticket, line=lines["B"])
    assert exc_info.value.code == "not_movable"


def test_every_call_and_recall_is_a_timed_call_row(lines, loket, desk_clerk):
    take(lines["A"], 1)
    ticket = call_next(loket, desk_clerk, 2)
    services.ticket_recall(ticket=ticket, loket=loket, actor=desk_clerk, now=minutes(3))
    calls = list(Call.objects.order_by("id").values_list("label", "place_name", "kind", "at", "place_kind"))
    assert calls == [
        ("A-001", "Loket 2", CallKind.CALL, minutes(2), "counter"),
        ("A-001", "Loket 2", CallKind.RECALL, minutes(3), "counter"),
    ]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.called_at, ticket.loket) == (TicketStatus.CALLED, minutes(2), loket)


def test_a_skipped_ticket_can_be_called_again_and_keeps_its_first_call_time(lines, loket, desk_clerk):
    take(lines["A"], 1), take(lines["A"], 2)
    first = call_next(loket, desk_clerk, 3)
    services.ticket_skip(ticket=first, now=minutes(4))
    assert call_next(loket, desk_clerk, 5).label == "A-002"  # skipped tickets are not "next"
    again = services.ticket_call(ticket=first, loket=loket, actor=desk_clerk, now=minutes(6))
    assert (again.status, again.called_at) == (TicketStatus.CALLED, minutes(3))
    services.ticket_absent(ticket=again, now=minutes(7))
    again.refresh_from_db()
    assert (again.status, again.done_at) == (TicketStatus.ABSENT, minutes(7))


def test_next_ends_the_ticket_the_counter_was_serving(lines, loket, desk_clerk):
    take(lines["A"], 1), take(lines["A"], 2)
    first = call_next(loket, desk_clerk, 3)
    call_next(loket, desk_clerk, 9)
    first.refresh_from_db()
    assert (first.status, first.done_at) == (TicketStatus.DONE, minutes(9))


def test_a_particular_ticket_can_be_called_out_of_order(lines, loket, desk_clerk):
    take(lines["A"], 1)
    late = take(lines["A"], 2)
    assert services.ticket_call(ticket=late, loket=loket, actor=desk_clerk, now=minutes(3)).label == "A-002"
    with pytest.raises(ValidationError) as exc_info:
        services.ticket_call(ticket=late, loket=loket, actor=desk_clerk, now=minutes(4))
    assert exc_info.value.code == "not_callable"


def test_finished_and_absent_tickets_cannot_be_recalled(lines, loket, desk_clerk):
    take(lines["A"], 1)
    ticket = services.ticket_finish(ticket=call_next(loket, desk_clerk))
    with pytest.raises(ValidationError):
        services.ticket_recall(ticket=ticket, loket=loket, actor=desk_clerk)


def test_a_ticket_attached_to_a_booking_gives_tasks_1_and_2_then_check_in_3(
    lines, loket, desk_clerk, member, gigi_today, book_today
):
    booking = book_today(member, gigi_today)
    take(lines["A"], 1)
    ticket = call_next(loket, desk_clerk, 4)
    booking = services.ticket_check_in(ticket=ticket, booking=booking, actor=desk_clerk, now=minutes(6))
    times = [(t.task_id, t.at) for t in tasks_for(booking)]
    assert times == [
        (Task.ADMISSION_WAIT, minutes(1)),
        (Task.ADMISSION_SERVICE, minutes(4)),
        (Task.CLINIC_WAIT, minutes(6)),
    ]
    assert ticket.bookings.get().booking == booking


def test_call_record_writes_a_clinic_call_for_the_display(facility, member, gigi_today, book_today, desk_clerk):
    booking = book_today(member, gigi_today)
    call = services.call_record(
        facility=facility,
        place_kind="clinic",
        place_name="Poli Gigi",
        label=booking.label,
        booking=booking,
        clinic=booking.clinic,
        detail="drg. Rina",
        actor=desk_clerk,
    )
    assert (call.kind, call.booking, call.by) == (CallKind.CALL, booking, desk_clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.create(facility=facility, place_kind="clinic", place_name="x", label="x", at=timezone.now())
