"""Demo data: realistic and idempotent."""

from __future__ import annotations

from queueing import demo
from queueing.models import BookingSettings, Clinic, Schedule


def test_demo_load_twice_gives_the_same_rows(db):
    first = demo.load()
    assert demo.load() == first
    assert set(Clinic.objects.values_list("code", flat=True)) == {
        "UMUM", "GIGI", "KIA", "KB", "ANAK", "DALAM", "BEDAH", "OBGYN", "SARAF", "MATA", "THT"}
    assert set(Schedule.objects.values_list("weekday", flat=True)) == set(range(6))  # Monday to Saturday
    assert not Schedule.objects.filter(online_quota__gt=0, weekday=6).exists()
    assert BookingSettings.objects.count() == 1


def test_every_demo_clinic_practises_on_weekdays(db):
    demo.load()
    for clinic in Clinic.objects.all():
        assert Schedule.objects.filter(clinic=clinic).exists(), clinic.code
