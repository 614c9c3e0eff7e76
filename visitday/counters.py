"""Every write to a ticket line's day counter (TicketDay): the same technique as queueing/counters.py.

It lives here, beside the model it writes, rather than in queueing/counters.py: queueing sits below
visitday and must not import it (GUIDE: queueing -> families -> accounts; visitday -> queueing).

A ticket number is taken by one statement, an upsert that makes the day's row on the first ticket
and otherwise increments it, returning the new number: the statement takes the row lock itself and
holds it to the COMMIT, in the same transaction as the ticket's INSERT. A rollback gives the number
back with the ticket, so numbers stay gapless; two kiosks printing at once queue on the row lock
and never get the same number. PostgreSQL and SQLite (3.35+) both speak ON CONFLICT ... RETURNING.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from visitday.models import TicketDay

_TAKE = (
    "INSERT INTO {table} (line_id, date, last_number) VALUES (%s, %s, 1) "
    "ON CONFLICT (line_id, date) DO UPDATE SET last_number = {table}.last_number + 1 "
    "RETURNING last_number"
)


def take_ticket_number(line_id: int, date: dt.date) -> int:
    """The next number of the line on that day (1 for the first); call inside the ticket's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE.format(table=TicketDay._meta.db_table), [line_id, date])
        return cursor.fetchone()[0]
