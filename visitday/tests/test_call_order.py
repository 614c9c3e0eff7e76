"""The clinic's call order: number order, and a late arrival called a few numbers later (seed 002)."""

from __future__ import annotations

import datetime as dt

import pytest

from visitday.call_order import Called, Waiting, call_order, is_late

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def waiting(number: int, minute: int) -> Waiting:
    return Waiting(key=number, number=number, checked_in_at=at(minute))


def numbers(order) -> list[int]:
    return [p.number for p in order]


def test_patients_who_came_on_time_are_called_in_number_order_whatever_their_arrival():
    queue = [waiting(3, 1), waiting(1, 5), waiting(2, 2)]
    assert numbers(call_order(queue, [])) == [1, 2, 3]


def test_an_empty_clinic_has_nobody_to_call():
    assert call_order([], [Called(1, at(0))]) == []


def test_a_number_not_yet_reached_when_the_patient_checks_in_is_on_time():
    calls = [Called(1, at(10)), Called(2, at(20))]
    patient = waiting(5, 25)
    assert not is_late(patient, calls)
    assert numbers(call_order([waiting(4, 3), patient, waiting(3, 1)], calls)) == [3, 4, 5]


def test_a_patient_whose_number_was_passed_goes_after_the_next_three_waiting():
    # 1..5 called; 6..10 waiting; number 3 arrives at 9:00, after its number was passed.
    calls = [Called(n, at(n)) for n in range(1, 6)]
    queue = [waiting(n, 0) for n in range(6, 11)] + [waiting(3, 60)]
    assert numbers(call_order(queue, calls)) == [6, 7, 8, 3, 9, 10]


def test_the_gap_is_a_setting():
    calls = [Called(n, at(n)) for n in range(1, 6)]
    queue = [waiting(n, 0) for n in range(6, 11)] + [waiting(3, 60)]
    assert numbers(call_order(queue, calls, late_gap=1)) == [6, 3, 7, 8, 9, 10]
    assert numbers(call_order(queue, calls, late_gap=0)) == [3, 6, 7, 8, 9, 10]
    assert numbers(call_order(queue, calls, late_gap=10)) == [6, 7, 8, 9, 10, 3]
    with pytest.raises(ValueError):
        call_order(queue, calls, late_gap=-1)


def test_each_call_since_the_late_check_in_brings_the_late_patient_one_place_forward():
    calls = [Called(n, at(n)) for n in range(1, 6)]
    late = waiting(3, 60)
    # 6 has been called after 3 checked in: two places left before 3.
    after_one = [*calls, Called(6, at(61))]
    queue = [waiting(n, 0) for n in range(7, 11)] + [late]
    assert numbers(call_order(queue, after_one)) == [7, 8, 3, 9, 10]
    after_three = [*after_one, Called(7, at(62)), Called(8, at(63))]
    queue = [waiting(n, 0) for n in range(9, 11)] + [late]
    assert numbers(call_order(queue, after_three)) == [3, 9, 10]


def test_a_late_patient_is_called_at_once_when_nobody_else_is_waiting():
    calls = [Called(n, at(n)) for n in range(1, 6)]
    assert numbers(call_order([waiting(2, 60)], calls)) == [2]


def test_with_fewer_than_three_waiting_the_late_patient_goes_after_all_of_them():
    calls = [Called(n, at(n)) for n in range(1, 6)]
    assert numbers(call_order([waiting(7, 0), waiting(2, 60)], calls)) == [7, 2]


def test_patients_arriving_on_time_after_a_late_one_may_fill_the_gap_but_never_push_it_further():
    calls = [Called(n, at(n)) for n in range(1, 6)]
    # Only 6 was waiting when 2 checked in; 7, 8 and 9 checked in on time afterwards.
    queue = [waiting(6, 0), waiting(2, 60), waiting(7, 61), waiting(8, 62), waiting(9, 63)]
    assert numbers(call_order(queue, calls)) == [6, 7, 8, 2, 9]


def test_the_number_called_exactly_at_the_check_in_counts_as_passed():
    calls = [Called(4, at(10))]
    assert is_late(waiting(4, 10), calls)
    assert is_late(waiting(3, 10), calls)
    assert not is_late(waiting(5, 10), calls)
    assert not is_late(waiting(3, 9), calls)


def test_a_patient_called_and_not_present_who_checks_in_again_is_late():
    # 4 was called at 10 and marked not present; comes back at 30 when 5 and 6 were also called.
    calls = [Called(4, at(10)), Called(5, at(12)), Called(6, at(14))]
    queue = [waiting(7, 0), waiting(8, 0), waiting(9, 0), waiting(10, 0), waiting(4, 30)]
    assert numbers(call_order(queue, calls)) == [7, 8, 9, 4, 10]


def test_two_late_patients_keep_their_check_in_order():
    calls = [Called(n, at(n)) for n in range(1, 6)]
    queue = [waiting(n, 0) for n in range(6, 12)] + [waiting(1, 61), waiting(4, 60)]
    # Both have three places left (no call since either checked in): 4 checked in first.
    assert numbers(call_order(queue, calls)) == [6, 7, 8, 4, 1, 9, 10, 11]


def test_two_late_patients_at_different_times_each_count_their_own_gap():
    calls = [*(Called(n, at(n)) for n in range(1, 6)), Called(6, at(61)), Called(7, at(62))]
    # 2 checked in at 60 (two calls since: one place left), 4 at 62 (nothing called since: three).
    queue = [waiting(n, 0) for n in range(8, 13)] + [waiting(2, 60), waiting(4, 62)]
    assert numbers(call_order(queue, calls)) == [8, 2, 9, 10, 4, 11, 12]


def test_the_order_does_not_depend_on_the_order_rows_arrive_in():
    calls = [Called(n, at(n)) for n in range(1, 6)]
    queue = [waiting(n, 0) for n in range(6, 11)] + [waiting(3, 60)]
    assert numbers(call_order(list(reversed(queue)), list(reversed(calls)))) == [6, 7, 8, 3, 9, 10]
