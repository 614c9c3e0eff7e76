"""The order in which a clinic's nurse calls checked-in patients (seed 002 step 9 and its closing rule).

"Jika nomor antrian yang dipanggil sudah melebihi nomor antrian pemohon, maka nomor pemohon akan
dipanggil setelah beberapa nomor kemudian": a patient who checks in after their number has been
passed is called a few numbers later. The order is computed from facts already recorded (the
queue numbers, when each patient checked in, which numbers were called and when), never stored
or edited by hand, so it is the same on every nurse's page and on the display.

The rule, as computed here:
- Patients who checked in on time wait in queue-number order.
- A patient is *late* when, at their check-in, a number at least as high as theirs had already
  been called in this session (their own number included: a patient called and marked "not
  present" who checks in again is late too).
- A late patient is called after the next `late_gap` patients (a facility setting, default 3):
  each call of another patient since their check-in uses up one place of that gap, so they are
  placed after the first `late_gap - calls since check-in` on-time patients still waiting, and
  called at once when nobody else is waiting. Their wait is bounded by `late_gap` calls whoever
  arrives after them. Two late patients keep their check-in order.

Pure functions: no database, no clock; the nurse's service feeds them rows and takes the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

DEFAULT_LATE_GAP = 3


@dataclass(frozen=True)
class Waiting:
    """A checked-in patient not yet called since their (latest) check-in."""

    key: Hashable
    number: int
    checked_in_at: dt.datetime


@dataclass(frozen=True)
class Called:
    """A first call (not a recall) of a patient at this clinic session."""

    number: int
    at: dt.datetime


def is_late(patient: Waiting, calls: Iterable[Called]) -> bool:
    """Whether the patient's number had been passed (reached or exceeded) when they checked in."""
    return any(call.at <= patient.checked_in_at and call.number >= patient.number for call in calls)


def places_left(patient: Waiting, calls: Iterable[Called], late_gap: int) -> int:
    """How many on-time patients still go before a late patient: the gap less the calls since check-in."""
    since = sum(1 for call in calls if call.at > patient.checked_in_at)
    return max(late_gap - since, 0)


def call_order(waiting: Sequence[Waiting], calls: Sequence[Called], late_gap: int = DEFAULT_LATE_GAP) -> list[Waiting]:
    """The waiting patients in the order the nurse calls them (the first is "Panggil berikutnya")."""
    if late_gap < 0:
        raise ValueError("late_gap cannot be negative")
    on_time = sorted((p for p in waiting if not is_late(p, calls)), key=lambda p: (p.number, p.checked_in_at))
    late = sorted(
        ((places_left(p, calls, late_gap), p) for p in waiting if is_late(p, calls)),
        key=lambda item: (item[0], item[1].checked_in_at, item[1].number),
    )
    order: list[Waiting] = []
    for index, patient in enumerate(on_time):
        while late and late[0][0] <= index:
            order.append(late.pop(0)[1])
        order.append(patient)
    order.extend(patient for _places, patient in late)
    return order
