"""Waiting times per clinic from the visit day's task times (BPJS Antrean task ids).

Task 3 is the patient's arrival at the clinic's waiting area, 4 the call into the room, 5 the end of
the consultation. Per clinic: the median and 90th percentile of arrival to call (3 -> 4) and of
call to done (4 -> 5), in minutes, over the period's visits that have both times.

PostgreSQL answers with its own `percentile_cont`. SQLite has no such function, so there the same
continuous percentile (linear interpolation between the two nearest ranks, as percentile_cont
does) is computed with window functions in portable SQL; the tests check that both agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from queueing.models import Booking, BookingStatus, Clinic, Task, TaskTime

ARRIVAL, CALL, DONE = Task.CLINIC_WAIT.value, Task.CLINIC_SERVICE.value, Task.CLINIC_DONE.value
# Percentiles as fractions num/den, so the portable SQL can find ranks by integer division.
PERCENTILES = ((1, 2), (9, 10))


@dataclass(frozen=True)
class ClinicWaits:
    clinic_id: int
    clinic: str
    visits: int  # visits with an arrival and a call time
    wait_median: float | None  # minutes, arrival to call
    wait_p90: float | None
    service_median: float | None  # minutes, call to done
    service_p90: float | None


def _per_visit_sql(facility_ids: list[int] | None) -> tuple[str, list]:
    """Per visit in the period: its clinic, and minutes arrival->call and call->done (NULL when unknown)."""
    booking, clinic, task = Booking._meta, Clinic._meta, TaskTime._meta
    booking_col = task.get_field("booking").column
    facility_sql = ""
    params: list = []
    if facility_ids is not None:
        facility_sql = f" AND c.{clinic.get_field('facility').column} IN ({', '.join(['%s'] * len(facility_ids))})"
        params = list(facility_ids)
    sql = f"""
        SELECT b.clinic_id AS clinic_id,
               (MAX(CASE WHEN t.task_id = {CALL} THEN t.at_ms END)
                - MAX(CASE WHEN t.task_id = {ARRIVAL} THEN t.at_ms END)) / 60000.0 AS wait,
               (MAX(CASE WHEN t.task_id = {DONE} THEN t.at_ms END)
                - MAX(CASE WHEN t.task_id = {CALL} THEN t.at_ms END)) / 60000.0 AS service
          FROM {task.db_table} t
          JOIN {booking.db_table} b ON b.id = t.{booking_col}
          JOIN {clinic.db_table} c ON c.id = b.clinic_id
         WHERE b.date BETWEEN %s AND %s
           AND b.status IN (%s, %s)
           AND t.task_id IN ({ARRIVAL}, {CALL}, {DONE}){facility_sql}
         GROUP BY b.id, b.clinic_id"""
    return sql, [BookingStatus.CHECKED_IN.value, BookingStatus.SERVED.value, *params]


def _postgresql_sql(per_visit: str) -> str:
    fractions = ", ".join(f"{num}.0 / {den}" for num, den in PERCENTILES)
    return f"""
        WITH v AS ({per_visit})
        SELECT clinic_id,
               COUNT(*) FILTER (WHERE wait >= 0),
               percentile_cont(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY wait) FILTER (WHERE wait >= 0),
               percentile_cont(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY service) FILTER (WHERE service >= 0)
          FROM v GROUP BY clinic_id"""


def _portable_percentiles(column: str) -> str:
    """Percentiles of `column` per clinic from its ranks i (0-based) among n values, interpolated."""
    parts = []
    for index, (num, den) in enumerate(PERCENTILES):
        # Integer division gives the lower rank; the remainder (written without %, a placeholder
        # character to the database drivers) how far the percentile lies towards the next rank.
        low = f"(({column}_n - 1) * {num} / {den})"
        frac = f"((({column}_n - 1) * {num} - {low} * {den}) * 1.0 / {den})"
        parts.append(
            f"SUM(CASE WHEN {column}_i = {low} THEN {column} * (1 - {frac})"
            f" WHEN {column}_i = {low} + 1 THEN {column} * {frac} ELSE 0 END) AS p{index}"
        )
    return ", ".join(parts)


def _portable_sql(per_visit: str) -> str:
    """The same figures with window functions only (SQLite >= 3.25, PostgreSQL): no percentile_cont needed."""
    ranked = []
    for column in ("wait", "service"):
        ranked.append(f"""
        {column}_r AS (
            SELECT clinic_id, {column},
                   ROW_NUMBER() OVER (PARTITION BY clinic_id ORDER BY {column}) - 1 AS {column}_i,
                   COUNT(*) OVER (PARTITION BY clinic_id) AS {column}_n
              FROM v WHERE {column} >= 0),
        {column}_p AS (
            SELECT clinic_id, COUNT(*) AS n, {_portable_percentiles(column)} FROM {column}_r GROUP BY clinic_id)""")
    return f"""
        WITH v AS ({per_visit}), {",".join(ranked)}
        SELECT c.clinic_id, COALESCE(w.n, 0), w.p0, w.p1, s.p0, s.p1
          FROM (SELECT DISTINCT clinic_id FROM v) c
          LEFT JOIN wait_p w ON w.clinic_id = c.clinic_id
          LEFT JOIN service_p s ON s.clinic_id = c.clinic_id"""


def _rows_postgresql(sql: str, params: list) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_postgresql_sql(sql), params)
        return {
            clinic_id: (n, *(wait or (None, None)), *(service or (None, None)))
            for clinic_id, n, wait, service in cursor.fetchall()
        }


def _rows_portable(sql: str, params: list) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_portable_sql(sql), params)
        return {clinic_id: tuple(values) for clinic_id, *values in cursor.fetchall()}


def clinic_waits(
    facility_ids: list[int] | None, start: dt.date, end: dt.date, *, portable: bool | None = None
) -> list[ClinicWaits]:
    """Waiting-time percentiles per clinic that has task times in the period (none: an empty list).

    `portable` forces the window-function SQL (tests compare it with percentile_cont on PostgreSQL).
    """
    if facility_ids == []:
        return []
    sql, params = _per_visit_sql(facility_ids)
    params = [start, end, *params]
    if portable is None:
        portable = connection.vendor != "postgresql"
    rows = (_rows_portable if portable else _rows_postgresql)(sql, params)
    clinics = Clinic.objects.filter(pk__in=rows).order_by("facility__sort_order", "sort_order", "name")
    return [ClinicWaits(clinic.pk, clinic.name, *(_round(value) for value in rows[clinic.pk])) for clinic in clinics]


def _round(value):
    return round(value, 1) if isinstance(value, float) else value
