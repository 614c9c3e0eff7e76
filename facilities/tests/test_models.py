"""Facilities: their clocks, their constraints, and who works where."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from facilities.models import Facility, FacilityMembership, FacilityRole, FacilityTimeZone, default_facility
from facilities.selectors import facilities_for, is_multi_facility

pytestmark = pytest.mark.django_db

# 2026-12-01 16:30 UTC: 23:30 in Jakarta, already 00:30 on the 2nd in Makassar, 01:30 in Jayapura.
UTC_EVENING = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "today", "hour"),
    [
        (FacilityTimeZone.WIB, dt.date(2026, 12, 1), 23),
        (FacilityTimeZone.WITA, dt.date(2026, 12, 2), 0),
        (FacilityTimeZone.WIT, dt.date(2026, 12, 2), 1),
    ],
)
def test_local_today_follows_the_facility_time_zone_across_midnight(zone, today, hour):
    facility = Facility.objects.create(name=f"Puskesmas {zone}", time_zone=zone)
    with time_machine.travel(UTC_EVENING, tick=False):
        assert facility.local_today() == today
        assert facility.local_now().hour == hour


def test_make_aware_reads_a_wall_clock_time_at_the_facility():
    jayapura = Facility.objects.create(name="RSUD Jayapura", time_zone=FacilityTimeZone.WIT)
    start = jayapura.make_aware(dt.datetime(2026, 12, 2, 8, 0))
    assert start == dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)


def test_time_zone_outside_indonesia_is_refused_both_ways():
    facility = Facility(name="Elsewhere", time_zone="Europe/Paris")
    with pytest.raises(ValidationError) as exc:
        facility.full_clean()
    assert "time_zone" in exc.value.error_dict
    with pytest.raises(IntegrityError, match="facilities_facility_time_zone_valid"):
        facility.save()


def test_facility_names_are_unique():
    Facility.objects.create(name="Puskesmas Gondokusuman I")
    with pytest.raises(ValidationError) as exc:
        Facility(name="Puskesmas Gondokusuman I").full_clean()
    assert exc.value.error_dict["__all__"][0].code == "name_taken"
    with pytest.raises(IntegrityError, match="facilities_facility_name_unique"):
        Facility.objects.create(name="Puskesmas Gondokusuman I")


def test_default_facility_is_made_once_from_the_hospital_settings(settings):
    settings.HOSPITAL_NAME, settings.HOSPITAL_ADDRESS = "RSUD Uji", "Jl. Uji 1"
    first = default_facility()
    assert (first.name, first.address) == ("RSUD Uji", "Jl. Uji 1")
    Facility.objects.create(name="Puskesmas Kedua")
    assert default_facility() == first
    assert Facility.objects.count() == 2


def test_facilities_for_lists_only_the_facilities_a_staff_member_belongs_to(clerk, admin_user, patient):
    rsud = Facility.objects.create(name="RSUD A")
    puskesmas = Facility.objects.create(name="Puskesmas B")
    Facility.objects.create(name="Puskesmas C")
    FacilityMembership.objects.create(user=clerk, facility=rsud, role=FacilityRole.CLERK)
    FacilityMembership.objects.create(user=clerk, facility=puskesmas, role=FacilityRole.NURSE)
    assert set(facilities_for(clerk)) == {rsud, puskesmas}
    assert list(facilities_for(clerk, roles=(FacilityRole.CLERK,))) == [rsud]
    assert facilities_for(admin_user).count() == 3
    assert not facilities_for(patient).exists()


def test_one_membership_per_user_facility_and_role(clerk):
    rsud = Facility.objects.create(name="RSUD A")
    FacilityMembership.objects.create(user=clerk, facility=rsud, role=FacilityRole.CLERK)
    with pytest.raises(ValidationError) as exc:
        FacilityMembership(user=clerk, facility=rsud, role=FacilityRole.CLERK).full_clean()
    assert exc.value.error_dict["__all__"][0].code == "membership_exists"
    with pytest.raises(IntegrityError, match="facilities_facilitymembership_unique"):
        FacilityMembership.objects.create(user=clerk, facility=rsud, role=FacilityRole.CLERK)


def test_a_deployment_is_multi_facility_only_with_two_active_facilities():
    Facility.objects.create(name="RSUD A")
    assert not is_multi_facility()
    Facility.objects.create(name="Puskesmas Tutup", active=False)
    assert not is_multi_facility()
    Facility.objects.create(name="Puskesmas B")
    assert is_multi_facility()
