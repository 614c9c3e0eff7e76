"""The one writer of the receipt counter rows (ReceiptCounter): gapless receipt numbers per facility and year.

Why here and not in queueing/counters.py: that module owns the doctor-day rows (DayQuota) and
queueing must not import the cashier (STYLE.md: the cashier sits above queueing and imports it,
never the reverse), as families keeps its medical-record-number counter beside its own model.
The rule is the same as queueing's: a visible number comes from a counter row incremented in
the same transaction as the insert that uses it (never an id or a database sequence, which
leave gaps on rollback), in one statement that takes the row lock itself and holds it only to
the COMMIT. A rolled-back payment rolls its number back with it, so the book has no gaps; two
cashiers at once queue on the row and get consecutive numbers.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from cashier.models import ReceiptCounter
from facilities.models import Facility

# Insert the year's row with 1, or add one to it; both paths return the number now taken.
# PostgreSQL and SQLite (3.35+) both speak INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING.
_TAKE = (
    "INSERT INTO {table} (facility_id, year, last_number) VALUES (%s, %s, 1) "
    "ON CONFLICT (facility_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
    "RETURNING last_number"
)


def receipt_year(facility: Facility, now: dt.datetime | None = None) -> int:
    """The receipt year is the facility's calendar year (a WITA puskesmas starts 2027 an hour before Jakarta)."""
    return facility.local_today(now).year


def take_receipt_number(facility_id: int, year: int) -> int:
    """The next receipt number of the facility's year. Call it inside the transaction that saves the payment."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_receipt_number must run inside the payment's transaction (else numbers leak).")
    with connection.cursor() as cursor:
        cursor.execute(_TAKE.format(table=ReceiptCounter._meta.db_table), [facility_id, year])
        return cursor.fetchone()[0]
