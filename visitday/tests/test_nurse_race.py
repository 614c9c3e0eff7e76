"""Two nurses (and more) pressing "Panggil berikutnya" at once never call the same patient (PostgreSQL, threads)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import make_account
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from queueing.tests.conftest import make_schedule
from queueing.tests.test_concurrency import _real_database_for_threads, run_at_once  # noqa: F401 - autouse fixture
from visitday.models import Call
from visitday.nurse import services
from visitday.tests.clinic_helpers import arrive, day_quota_of, make_nurse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crowd(db):
    ensure_types(GuarantorType)
    clerk = make_account("loket@rsud.example", "Petugas Loket", is_staff=True)
    today = timezone.localdate()
    schedule = next(
        s
        for s in make_schedule("GIGI", "drg. Rina", online=2, total=40, start="07:00", end="23:00")
        if s.weekday == today.weekday()
    )
    bookings = arrive(clerk, schedule, 8)
    return day_quota_of(bookings[0]), bookings


def test_two_nurses_pressing_next_together_call_two_different_patients(crowd):
    day_quota, bookings = crowd
    nurses = [make_nurse(f"perawat{i}@rsud.example", f"Ners {i}") for i in range(2)]
    for _round in range(3):
        results = run_at_once(2, lambda i: services.clinic_call_next(day_quota=day_quota, actor=nurses[i]))
        assert all(not isinstance(r, Exception) for r in results), results
        assert results[0].pk != results[1].pk
    called = Counter(Call.objects.values_list("booking_id", flat=True))
    assert len(called) == 6 and set(called.values()) == {1}
    assert set(called) == {b.pk for b in bookings[:6]}  # and in number order


def test_eight_presses_at_once_on_eight_patients_call_each_once_and_a_ninth_finds_nobody(crowd):
    day_quota, bookings = crowd
    nurses = [make_nurse(f"perawat{i}@rsud.example", f"Ners {i}") for i in range(9)]
    results = run_at_once(9, lambda i: services.clinic_call_next(day_quota=day_quota, actor=nurses[i]))
    called = [r.pk for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert sorted(called, key=str) == sorted((b.pk for b in bookings), key=str)
    assert len(refused) == 1 and isinstance(refused[0], ValidationError) and refused[0].code == "empty"
