"""queueing.counters: every write to a doctor-day's counter row, and nobody else writing it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from queueing import counters
from queueing.models import DayQuota
from queueing.tests.conftest import make_schedule

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def day_quota() -> DayQuota:
    """2 online places of a total of 4."""
    [schedule] = make_schedule("UMUM", "dr. Andi", weekdays=[DAY.weekday()], online=2, total=4)
    return counters.day_quota_for_counter(schedule, DAY)


def row(day_quota: DayQuota) -> tuple[int, int, int]:
    day_quota.refresh_from_db()
    return day_quota.active_count, day_quota.counter_count, day_quota.last_number


def test_online_places_stop_at_the_quota_and_numbers_follow_each_other(day_quota):
    assert counters.take_online_place(day_quota.pk, with_number=True) == 1
    assert counters.take_online_place(day_quota.pk, with_number=False) == 1  # held, numbered when verified
    assert counters.take_online_place(day_quota.pk, with_number=True) is None  # full
    assert counters.give_number(day_quota.pk) == 2
    assert row(day_quota) == (2, 0, 2)


def test_a_released_place_is_taken_again_but_its_number_never_is(day_quota):
    counters.take_online_place(day_quota.pk, with_number=True)
    counters.take_online_place(day_quota.pk, with_number=True)
    counters.release_place(day_quota.pk)
    assert counters.take_online_place(day_quota.pk, with_number=True) == 3
    assert row(day_quota) == (2, 0, 3)


def test_the_counter_keeps_to_its_share_while_online_booking_is_open(day_quota):
    assert counters.take_counter_places(day_quota.pk, 3, online_open=True) is None  # share is 4 - 2
    assert counters.take_counter_places(day_quota.pk, 2, online_open=True) == 2  # numbers 1 and 2
    assert counters.take_counter_places(day_quota.pk, 2, online_open=False) == 4  # the unbooked online places
    counters.release_place(day_quota.pk, counter_place=True)
    assert row(day_quota) == (0, 3, 4)


def test_a_closed_day_gives_no_place(day_quota):
    counters.close(counters.lock(pk=day_quota.pk))
    assert counters.take_online_place(day_quota.pk, with_number=True) is None
    assert counters.take_counter_places(day_quota.pk, 1, online_open=False) is None
    counters.reopen([day_quota.schedule], DAY)
    assert counters.take_online_place(day_quota.pk, with_number=True) == 1


def test_a_quota_change_never_goes_below_the_places_taken(day_quota):
    counters.take_online_place(day_quota.pk, with_number=True)
    counters.take_counter_places(day_quota.pk, 2, online_open=True)
    schedule = day_quota.schedule
    schedule.online_quota, schedule.total_quota = 0, 1
    assert counters.sync_online_quota(schedule, DAY) == counters.sync_total_quota(schedule, DAY) == 1
    day_quota.refresh_from_db()
    assert (day_quota.quota, day_quota.total_quota) == (1, 3)


# A write to the counter row: SQL adding to a counter, or an ORM update() setting one of its columns.
_COUNTER_WRITE = re.compile(
    r"\b(active_count|counter_count|last_number)\s*=\s*\1\s*[+-]"
    r"|\bupdate\([^)]*\b(active_count|counter_count|last_number|total_quota|quota|closed)\s*="
)


def test_no_module_but_counters_writes_the_counter_row():
    app = Path(counters.__file__).parent
    writers = {
        str(path.relative_to(app))
        for path in app.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and _COUNTER_WRITE.search(path.read_text(encoding="utf-8"))
    }
    assert writers == {"counters.py"}
