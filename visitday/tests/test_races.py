"""Kiosks printing and clerks calling at the same moment (real threads, own connections, PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from queueing.tests.test_concurrency import run_at_once
from visitday import services
from visitday.models import Call, Ticket, TicketStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's; set DATABASE_URL to PostgreSQL")


def test_twenty_kiosks_printing_at_once_get_gapless_unique_numbers(lines):
    line = lines["A"]
    results = run_at_once(20, lambda i: services.ticket_take(line=line))
    assert not [r for r in results if isinstance(r, Exception)]
    numbers = sorted(ticket.number for ticket in results)
    assert numbers == list(range(1, 21))
    assert sorted(Ticket.objects.values_list("number", flat=True)) == list(range(1, 21))
    # Each ticket counted the ones committed before it: every "waiting ahead" from 0 to 19 once.
    assert sorted(ticket.waiting_ahead for ticket in results) == list(range(20))


def test_two_clerks_pressing_next_together_never_get_the_same_ticket(lines, facility, clerk, admin_user):
    from visitday.models import Loket

    lokets = [Loket.objects.create(facility=facility, name=f"Loket {n}") for n in (1, 2)]
    people = (clerk, admin_user)

    def press_next(i: int):
        return services.ticket_call_next(loket=lokets[i], line_ids=[lines["A"].pk], actor=people[i])

    for _round in range(5):
        services.ticket_take(line=lines["A"]), services.ticket_take(line=lines["A"])
        results = run_at_once(2, press_next)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert results[0] is not None and results[1] is not None
        assert results[0].pk != results[1].pk
    called = Call.objects.values_list("ticket_id", flat=True)
    assert len(called) == len(set(called)) == 10
    assert not Ticket.objects.filter(status=TicketStatus.WAITING).exists()
