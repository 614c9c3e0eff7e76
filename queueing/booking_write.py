"""The write of services.booking_create: insert the booking and its event, take a place, number it.

services.booking_create checks the rules and calls `write`; this module only writes, in the lock
order of services.py (the new booking row first, the counter row last).

On PostgreSQL (psycopg2) three statements go to the server as one query string, which PostgreSQL
runs as one implicit transaction and commits at its end:
  1. INSERT the booking (requested, no number yet): its unique-index entries (confirm token,
     code, one active booking per patient and day);
  2. INSERT its event;
  3. take the place on the counter row and number the booking, in one statement.
So the counter row, the hot spot of a rush, stays locked only from statement 3 to the commit, all
inside the server: no network round trip and no Python (a thread of a threaded worker waiting
for the GIL) while the rest of the rush queues for that row. When the day is full or closed,
statement 3 finds no place and sets day_quota_id to NULL: the NOT NULL constraint refuses that
and the whole string rolls back, nothing half written.

Elsewhere (SQLite) the same steps run through the ORM in one short transaction, the counter row
taken last with one UPDATE ... RETURNING. Labels and estimated times are computed by SQL on the
first path and by `label_for` / `Schedule.estimated_time` on the second; a test keeps them in step.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

from queueing import counters
from queueing.jkn import outbox
from queueing.models import Booking, BookingStatus, Schedule

NOT_NULL_VIOLATION = "23502"


class NoPlace(Exception):
    """The day was full or closed when the counter row was updated; nothing was written."""


def label_for(prefix: str, number: int) -> str:
    return f"{prefix}-{number:03d}"


def write(booking: Booking, event: Model, *, offer, instant: bool) -> Booking:
    """Write `booking` (built, not saved) and `event`; give a number when `instant`.

    A Mobile JKN booking (Booking.holds_jkn_place) takes a place from Mobile JKN's share.
    Raises NoPlace when full or closed, IntegrityError when a unique constraint refuses.
    """
    if connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2":
        if connection.in_atomic_block:  # inside someone else's transaction (tests): a savepoint, as the ORM
            with transaction.atomic():
                return _one_round_trip(booking, event, offer, instant)
        return _one_round_trip(booking, event, offer, instant)
    return _orm(booking, event, offer, instant)


# --- PostgreSQL: one round trip ----------------------------------------------------------------

_TAKE = """
WITH q AS ({take})
UPDATE {booking} AS b SET day_quota_id = q.id{numbering}
FROM (VALUES (1)) AS one (x) LEFT JOIN q ON true
WHERE b.id = %s
RETURNING b.number, b.label, b.estimated_time
"""
# f"{prefix}-{n:03d}" and start + (n - 1) x minutes (a time of day wraps at midnight, as in Python).
# COALESCE: with no place, day_quota_id must be the NOT NULL column that refuses, so we know why.
_NUMBERING = (
    ", number = q.n, status = %s,"
    " label = COALESCE(%s || '-' || lpad(q.n::text, greatest(3, length(q.n::text)), '0'), ''),"
    " estimated_time = %s::time + (q.n - 1) * %s * interval '1 minute'"
)


_INSERTS: dict = {}  # (model, vendor) -> (INSERT statement, its fields), compiled once per process


def _insert(obj: Model) -> tuple[str, list]:
    """The INSERT the ORM would send for `obj` (every concrete field, defaults and auto_now applied).

    The statement is compiled by the ORM once; each call only prepares the values, as the ORM's
    insert compiler does (`pre_save(add=True)`, then `get_db_prep_save`). Compiling it every time
    cost a quarter of a millisecond on the rush's request. Fields with their own placeholders
    (none here) would make the statement depend on the values, so those models are not cached.
    """
    meta = obj._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    key = (type(obj), connection.vendor)
    if key not in _INSERTS:
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        [(sql, params)] = query.get_compiler(connection=connection).as_sql()
        if any(hasattr(f, "get_placeholder") for f in fields):
            return sql, list(params)
        _INSERTS[key] = sql
    return _INSERTS[key], [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def take_sql(
    *,
    booking_id,
    day_quota_id: int,
    status: str | None,
    prefix: str,
    start: dt.time,
    minutes: int,
    jkn: bool = False,
) -> tuple[str, list]:
    """Statement 3; with `status` None (verification mode) the place is held and no number given."""
    take, take_params = counters.online_take_statement(day_quota_id, with_number=status is not None, jkn=jkn)
    numbering, params = "", []
    if status is not None:
        numbering, params = _NUMBERING, [status, prefix, start, minutes]
    sql = _TAKE.format(take=take, booking=Booking._meta.db_table, numbering=numbering)
    return sql, [*take_params, *params, Booking._meta.pk.get_db_prep_value(booking_id, connection)]


def _one_round_trip(booking: Booking, event: Model, offer, instant: bool) -> Booking:
    """The booking's save signals are sent as the ORM would; the event's are not (its id is not
    read back, and nothing listens for it)."""
    status = BookingStatus.VERIFIED if instant else None
    pre_save.send(sender=Booking, instance=booking, raw=False, using=connection.alias, update_fields=None)
    statements = [
        _insert(booking),
        _insert(event),
        # BPJS Antrean hears of a numbered booking (Mobile JKN bridge), before the hot row is locked.
        *([outbox.add_statement(booking.pk)] if status is not None else []),
        take_sql(
            booking_id=booking.pk,
            day_quota_id=booking.day_quota_id,
            status=status,
            prefix=offer.prefix,
            start=offer.schedule.start_time,
            minutes=offer.schedule.minutes_per_patient,
            jkn=booking.holds_jkn_place,
        ),
    ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(sql for sql, _p in statements), [p for _s, ps in statements for p in ps])
            booking.number, booking.label, booking.estimated_time = cursor.fetchone()
    except IntegrityError as exc:
        cause = exc.__cause__
        if getattr(cause, "pgcode", None) == NOT_NULL_VIOLATION and cause.diag.column_name == "day_quota_id":
            raise NoPlace from exc  # statement 3 found the day full or closed
        raise
    if status is not None:
        booking.status = status
        if outbox.bridge_enabled(offer.facility_id):  # at once here (autocommit), else after the caller's commit
            transaction.on_commit(outbox.kick)
    booking._state.adding, booking._state.db = False, connection.alias
    post_save.send(
        sender=Booking, instance=booking, created=True, update_fields=None, raw=False, using=connection.alias
    )
    return booking


# --- other databases: the ORM, one short transaction ---------------------------------------------


def _orm(booking: Booking, event: Model, offer, instant: bool) -> Booking:
    with transaction.atomic():
        booking.save(force_insert=True)
        event.save(force_insert=True)
        if instant:
            outbox.record_add(booking.pk)  # BPJS Antrean hears of it (Mobile JKN bridge)
        # The hot row, last: everything above may wait on others without holding it.
        number = counters.take_online_place(booking.day_quota_id, with_number=instant, jkn=booking.holds_jkn_place)
        if number is None:
            raise NoPlace  # rolls the inserts back
        if instant:
            _set_number(booking, offer.schedule, offer.prefix, number)
    return booking


def _set_number(booking: Booking, schedule: Schedule, prefix: str, number: int) -> None:
    """One plain UPDATE: it runs while the counter row is locked."""
    booking.status = BookingStatus.VERIFIED
    booking.number = number
    booking.label = label_for(prefix, number)
    booking.estimated_time = schedule.estimated_time(number)
    meta = Booking._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} SET status = %s, number = %s, label = %s, estimated_time = %s WHERE id = %s",
            [
                booking.status.value,
                number,
                booking.label,
                meta.get_field("estimated_time").get_db_prep_value(booking.estimated_time, connection),
                meta.pk.get_db_prep_value(booking.pk, connection),
            ],
        )
