"""The medical record number counter of each facility: the one writer of MrnCounter rows.

queueing/counters.py owns every other counter row (places and queue numbers of a doctor's
day). This one lives at the bottom of the house because the patient index (families), which
sits below queueing, takes the numbers: families may import facilities but never queueing.
The rules are the same as there: one `UPDATE ... RETURNING` in the caller's transaction, no
read-modify-write, numbers never go down.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, connection, transaction

from facilities.models import MrnCounter


def mrn_counter_take(facility_id: int, *, start_after: Callable[[], int]) -> int:
    """The next number of `facility_id`'s counter, inside the caller's transaction.

    The row stays locked until that transaction ends: a second clerk waits, then gets the next
    number; a rollback gives the number back (no gaps). On first use the row is made, starting
    after `start_after()` (the highest number already in that facility's index).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("mrn_counter_take() must run inside the transaction that saves the number")
    sql = f"UPDATE {MrnCounter._meta.db_table} SET last_number = last_number + 1 WHERE facility_id = %s RETURNING last_number"
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [facility_id])
            row = cursor.fetchone()
            if row is not None:
                return row[0]
            _create(facility_id, start_after())


def _create(facility_id: int, last_number: int) -> None:
    """First use of a facility's counter; a concurrent first use wins and the UPDATE then finds its row."""
    try:
        with transaction.atomic():
            MrnCounter.objects.create(facility_id=facility_id, last_number=last_number)
    except IntegrityError:
        pass
