"""The clerk's calling page: choose a counter and lines, call, recall, skip, end, move, and on to the desk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from queueing.models import Booking, Task
from queueing.task_times import tasks_for
from queueing.tests.desk_helpers import clerk_client, make_patient  # noqa: F401 - fixtures
from visitday import services
from visitday.models import Call, CallKind, Ticket, TicketStatus

HOME = reverse("visitday:loket_home")


def act(client, ticket, action, **data):
    return client.post(reverse("visitday:loket_ticket_action", args=[ticket.pk, action]), data)


@pytest.fixture
def seated(clerk_client, loket, lines):
    """The clerk sits at Loket 2 serving A and P."""
    response = clerk_client.post(
        reverse("visitday:loket_choose"), {"loket": loket.pk, "lines": [lines["A"].pk, lines["P"].pk]}
    )
    assert response.status_code == 302
    return clerk_client


def test_the_page_asks_for_a_counter_first(clerk_client, loket):
    html = clerk_client.get(HOME).content.decode()
    assert 'id="loket-choice"' in html and 'id="loket-next"' not in html


def test_choosing_no_line_is_refused_with_a_message(clerk_client, loket):
    loket.lines.clear()
    response = clerk_client.post(reverse("visitday:loket_choose"), {"loket": loket.pk}, follow=True)
    assert "id_lines" in response.content.decode() and 'id="loket-next"' not in response.content.decode()
    assert [m.message for m in response.context["messages"]]


def test_call_next_calls_the_oldest_ticket_of_my_lines_and_shows_it(seated, lines, loket):
    services.ticket_take(line=lines["B"]), services.ticket_take(line=lines["A"])
    seated.post(reverse("visitday:loket_next"))
    ticket = Ticket.objects.get(status=TicketStatus.CALLED)
    assert (ticket.label, ticket.loket) == ("A-001", loket)
    html = seated.get(HOME).content.decode()
    assert 'id="loket-current-label">A-001<' in html
    assert Call.objects.get().place_name == "Loket 2"


def test_nobody_waiting_says_so(seated):
    response = seated.post(reverse("visitday:loket_next"), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["info"]


def test_recall_skip_call_again_and_not_present(seated, lines, loket):
    ticket = services.ticket_take(line=lines["A"])
    seated.post(reverse("visitday:loket_next"))
    act(seated, ticket, "recall")
    assert list(Call.objects.order_by("id").values_list("kind", flat=True)) == [CallKind.CALL, CallKind.RECALL]
    act(seated, ticket, "skip")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SKIPPED
    assert "A-001" in seated.get(HOME).content.decode().split('id="loket-skipped"')[1]
    act(seated, ticket, "call")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
    act(seated, ticket, "absent")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ABSENT and ticket.done_at is not None


def test_done_ends_the_ticket_and_a_refused_action_is_a_message(seated, lines):
    ticket = services.ticket_take(line=lines["A"])
    seated.post(reverse("visitday:loket_next"))
    act(seated, ticket, "finish")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    refused = seated.post(reverse("visitday:loket_ticket_action", args=[ticket.pk, "recall"]), follow=True)
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]


def test_moving_a_called_ticket_to_another_line(seated, lines):
    ticket = services.ticket_take(line=lines["A"])
    seated.post(reverse("visitday:loket_next"))
    act(seated, ticket, "move", line=lines["B"].pk)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.line, ticket.moved_from) == (TicketStatus.WAITING, lines["B"], lines["A"])
    refused = act(seated, ticket, "move", line="nope")
    assert refused.status_code == 302


def test_unknown_actions_and_other_facilities_tickets_are_not_found(seated, lines):
    from facilities.models import Facility
    from visitday.models import TicketLine

    ticket = services.ticket_take(line=lines["A"])
    assert act(seated, ticket, "explode").status_code == 404
    elsewhere = TicketLine.objects.create(facility=Facility.objects.create(name="RS Lain"), letter="A", name="x")
    foreign = services.ticket_take(line=elsewhere)
    assert act(seated, foreign, "call").status_code == 404


def test_check_in_from_a_called_ticket_keeps_the_tickets_times(seated, lines, member, gigi_today, book_today):
    booking = book_today(member, gigi_today)
    ticket = services.ticket_take(line=lines["A"])
    seated.post(reverse("visitday:loket_next"))
    page = seated.get(reverse("visitday:loket_check_in", args=[ticket.pk]))
    assert page.status_code == 200
    done = seated.post(reverse("visitday:loket_check_in", args=[ticket.pk]), {"code": booking.code})
    assert done.status_code == 302 and booking.code in done["Location"]
    assert [t.task_id for t in tasks_for(booking)] == [Task.ADMISSION_WAIT, Task.ADMISSION_SERVICE, Task.CLINIC_WAIT]
    refused = seated.post(reverse("visitday:loket_check_in", args=[ticket.pk]), {"code": "ZZZZZZZZ"})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()


def test_a_walk_in_registered_from_a_called_ticket_gets_the_tickets_times(seated, lines, gigi_today, umum):
    walker = make_patient("Slamet Riyadi")
    ticket = services.ticket_take(line=lines["A"])
    seated.post(reverse("visitday:loket_next"))
    to_desk = act(seated, ticket, "walk-in")
    assert to_desk["Location"] == reverse("queueing:desk_walk_in")
    assert "A-001" in seated.get(to_desk["Location"]).content.decode()  # the desk page says which ticket
    url = f"{reverse('queueing:desk_walk_in')}?pasien={walker.pk}"
    data = {"schedule": gigi_today.pk, "row-TOTAL_FORMS": 1, "row-INITIAL_FORMS": 1, "row-0-guarantor": umum.pk}
    assert seated.post(url, data).status_code == 302
    booking = Booking.objects.get(patient=walker)
    assert [t.task_id for t in tasks_for(booking)] == [Task.ADMISSION_WAIT, Task.ADMISSION_SERVICE, Task.CLINIC_WAIT]
    assert ticket.bookings.get().booking == booking
    # The ticket is used once: the next walk-in registered without it gets no ticket times.
    other = make_patient("Bayu")
    seated.post(f"{reverse('queueing:desk_walk_in')}?pasien={other.pk}", data)
    assert [t.task_id for t in tasks_for(Booking.objects.get(patient=other))] == [Task.CLINIC_WAIT]


def test_the_calling_page_is_for_counter_staff(patient, kiosk_client, loket):
    from django.test import Client

    client = Client()
    assert client.get(HOME).status_code == 302  # to the admin's sign-in
    client.force_login(patient)
    assert client.get(HOME).status_code == 302
    assert kiosk_client.get(HOME).status_code == 404
    assert kiosk_client.post(reverse("visitday:loket_next")).status_code == 404


def test_the_booking_page_shows_the_task_times(admin_client, member, gigi_today, book_today, desk_clerk):
    from queueing.desk import services as desk_services

    booking = book_today(member, gigi_today)
    desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    html = admin_client.get(reverse("admin:queueing_booking_change", args=[booking.pk])).content.decode()
    assert 'id="task-times"' in html and str(tasks_for(booking)[0].at_ms) in html


def test_a_counter_chosen_without_lines_serves_its_usual_lines(clerk_client, loket, lines):
    clerk_client.post(reverse("visitday:loket_choose"), {"loket": loket.pk})
    assert sorted(clerk_client.session["loket_lines"]) == sorted(line.pk for line in lines.values())
