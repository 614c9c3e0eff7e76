"""Every write to a doctor-day's counter row (DayQuota): places, numbers, closing, quotas.

One owner for the counting rules, whichever front end books (the patient wizard through
services.py and booking_write.py, the counter desk through desk/services.py).

Two counters, two meanings: `last_number` is the last number handed out and never goes down,
so a number is never reused; `active_count` (online) and `counter_count` (the counter's share)
are places taken, and a cancellation gives one back. The constraints on DayQuota keep
places <= quota and online + counter <= total whatever the order of writes.

A take is one `UPDATE ... RETURNING`: the statement takes the row lock itself and it is held only
to the COMMIT, with no read-modify-write under it. The row is the hot spot of a rush, so callers
run the take last in their transaction (lock order of services.py: new booking rows, then DayQuota
rows ordered by id, then existing booking rows). `lock` is for writers that must hold several
rows, or hold one before touching a booking.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import F
from django.db.models.functions import Greatest

from queueing.models import DayQuota, Schedule

# An online place (and a number when the first parameter is 1); no row when full or closed.
# booking_write.py sends it inside its one-round-trip statement on PostgreSQL, as a CTE named q.
# The portal takes the online places outside Mobile JKN's share (quota - jkn_quota); Mobile JKN
# takes its own share, counted in jkn_count as well. Both count in active_count.
_ONLINE_TAKE = (
    "UPDATE {table} SET active_count = active_count + 1, last_number = last_number + %s "
    "WHERE id = %s AND active_count < quota AND active_count - jkn_count < quota - jkn_quota "
    "AND closed = false RETURNING id, last_number AS n"
)
_JKN_TAKE = (
    "UPDATE {table} SET active_count = active_count + 1, jkn_count = jkn_count + 1, last_number = last_number + %s "
    "WHERE id = %s AND active_count < quota AND jkn_count < jkn_quota "
    "AND closed = false RETURNING id, last_number AS n"
)
# `count` counter places with consecutive numbers. While online booking for the day is open the
# counter keeps to its own share (total - online quota); afterwards it may use every place left.
_COUNTER_TAKE = (
    "UPDATE {table} SET counter_count = counter_count + %s, last_number = last_number + %s "
    "WHERE id = %s AND closed = false AND total_quota IS NOT NULL "
    "AND counter_count + %s <= total_quota - (CASE WHEN %s THEN quota ELSE active_count END) "
    "RETURNING last_number"
)


def _returned(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# --- the row itself --------------------------------------------------------------------------


def day_quota_get(schedule: Schedule, date: dt.date) -> DayQuota:
    """The counter row; made on the first booking. get_or_create re-reads when two race to make it."""
    day_quota, _created = DayQuota.objects.get_or_create(
        schedule=schedule, date=date, defaults={"quota": schedule.online_quota, "jkn_quota": schedule.jkn_quota}
    )
    return day_quota


def day_quota_for_counter(schedule: Schedule, date: dt.date) -> DayQuota:
    """The row with its total quota known (made or filled outside any transaction)."""
    day_quota, _created = DayQuota.objects.get_or_create(
        schedule=schedule,
        date=date,
        defaults={
            "quota": schedule.online_quota,
            "jkn_quota": schedule.jkn_quota,
            "total_quota": schedule.total_quota,
        },
    )
    if day_quota.total_quota is None:
        # Made by an online booking: fill the total once; never below the places already taken.
        DayQuota.objects.filter(pk=day_quota.pk, total_quota__isnull=True).update(
            total_quota=Greatest(F("active_count") + F("counter_count"), schedule.total_quota)
        )
        day_quota.refresh_from_db()
    return day_quota


def lock(**lookups) -> list[int]:
    """Lock the matching rows in id order (FOR NO KEY UPDATE: bookings may still point at them)."""
    return list(
        DayQuota.objects.select_for_update(no_key=True).filter(**lookups).order_by("id").values_list("id", flat=True)
    )


# --- places and numbers ----------------------------------------------------------------------


def online_take_statement(day_quota_id: int, *, with_number: bool, jkn: bool = False) -> tuple[str, list]:
    """The UPDATE taking an online place (Mobile JKN's share when `jkn`), returning (id, n); for embedding."""
    sql = _JKN_TAKE if jkn else _ONLINE_TAKE
    return sql.format(table=DayQuota._meta.db_table), [1 if with_number else 0, day_quota_id]


def take_online_place(day_quota_id: int, *, with_number: bool, jkn: bool = False) -> int | None:
    """Take an online place (and a number); the last number, or None when full or closed."""
    row = _returned(*online_take_statement(day_quota_id, with_number=with_number, jkn=jkn))
    return row[1] if row else None


def take_counter_places(day_quota_id: int, count: int, *, online_open: bool) -> int | None:
    """Take `count` counter places with consecutive numbers; the last one, or None when full or closed."""
    row = _returned(
        _COUNTER_TAKE.format(table=DayQuota._meta.db_table), [count, count, day_quota_id, count, online_open]
    )
    return row[0] if row else None


def give_number(day_quota_id: int) -> int:
    """The next number for a place already held (a request being verified)."""
    row = _returned(
        f"UPDATE {DayQuota._meta.db_table} SET last_number = last_number + 1 WHERE id = %s RETURNING last_number",
        [day_quota_id],
    )
    return row[0]


def release_place(day_quota_id: int, *, counter_place: bool = False, jkn_place: bool = False) -> None:
    """Give a place back (cancelled, rejected, moved away); its number is never given again.

    `jkn_place`: an online place from Mobile JKN's share (Booking.holds_jkn_place) goes back to that share.
    """
    if counter_place:
        DayQuota.objects.filter(pk=day_quota_id).update(counter_count=F("counter_count") - 1)
    elif jkn_place:
        DayQuota.objects.filter(pk=day_quota_id).update(
            active_count=F("active_count") - 1, jkn_count=F("jkn_count") - 1
        )
    else:
        DayQuota.objects.filter(pk=day_quota_id).update(active_count=F("active_count") - 1)


# --- closing days and changing quotas --------------------------------------------------------


def close(day_quota_ids: list[int]) -> None:
    DayQuota.objects.filter(id__in=day_quota_ids).update(closed=True)


def reopen(schedules: list[Schedule], date: dt.date) -> None:
    DayQuota.objects.filter(schedule__in=schedules, date=date).update(closed=False)


def sync_online_quota(schedule: Schedule, today: dt.date) -> int:
    """Carry a changed online (and Mobile JKN) quota to the coming days; never below the places already taken.

    Both stay consistent: jkn_count <= active_count <= quota and schedule.jkn_quota <= online_quota <= quota.
    """
    return DayQuota.objects.filter(schedule=schedule, date__gte=today).update(
        quota=Greatest(F("active_count"), schedule.online_quota),
        jkn_quota=Greatest(F("jkn_count"), schedule.jkn_quota),
    )


def sync_total_quota(schedule: Schedule, today: dt.date) -> int:
    """Carry a changed total quota to the coming days the counter already opened; never below places taken."""
    return DayQuota.objects.filter(schedule=schedule, date__gte=today, total_quota__isnull=False).update(
        total_quota=Greatest(F("active_count") + F("counter_count"), schedule.total_quota)
    )
