"""Demo data: realistic and idempotent."""

from __future__ import annotations

from queueing import demo
from queueing.models import BookingSettings, Clinic, Schedule


def test_demo_load_twice_gives_the_same_rows(db):
    first = demo.load()
    assert demo.load() == first
    assert set(Clinic.objects.values_list("code", flat=True)) == {
        "UMUM",
        "GIGI",
        "KIA",
        "KB",
        "ANAK",
        "DALAM",
        "BEDAH",
        "OBGYN",
        "SARAF",
        "MATA",
        "THT",
    }
    assert set(Schedule.objects.values_list("weekday", flat=True)) == set(range(6))  # Monday to Saturday
    assert not Schedule.objects.filter(online_quota__gt=0, weekday=6).exists()
    assert BookingSettings.objects.count() == 2  # one per facility


def test_every_demo_clinic_practises_on_weekdays(db):
    demo.load()
    for clinic in Clinic.objects.all():
        assert Schedule.objects.filter(clinic=clinic).exists(), clinic.code


def test_demo_builds_an_rsud_and_a_puskesmas_in_another_time_zone_with_a_clerk_each(db):
    from accounts import demo as account_demo
    from facilities.models import FacilityKind, FacilityMembership
    from facilities.selectors import facilities_for

    accounts = account_demo.load()
    demo.load()
    demo.load()
    rsud = Clinic.objects.get(code="BEDAH").facility
    puskesmas = Clinic.objects.get(code="UMUM", facility__kind=FacilityKind.PUSKESMAS).facility
    assert (rsud.kind, rsud.time_zone) == (FacilityKind.RSUD, "Asia/Jakarta")
    assert puskesmas.time_zone == "Asia/Makassar"
    assert set(puskesmas.clinics.values_list("code", flat=True)) == {"UMUM", "GIGI", "KIA", "KB"}
    assert list(facilities_for(accounts["clerk"])) == [rsud]
    assert list(facilities_for(accounts["puskesmas_clerk"])) == [puskesmas]
    assert FacilityMembership.objects.count() == 2
