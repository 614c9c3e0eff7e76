"""A doctor belongs to a facility, and a schedule's doctor and clinic share one (issue 11).

The rule is checked by the model's clean() (the admin forms show it next to the field) and, on
PostgreSQL, by triggers (migration 0016); migrations 0014-0016 give existing doctors the facility
of the clinics they practise at.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from facilities.models import Facility, FacilityTimeZone, default_facility
from queueing.models import Clinic, Doctor, Schedule

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only (SQLite drops them on rebuilds)"
)


def _schedule(doctor: Doctor, clinic: Clinic, weekday: int = 0) -> Schedule:
    return Schedule(
        doctor=doctor,
        clinic=clinic,
        weekday=weekday,
        start_time=dt.time(8),
        end_time=dt.time(12),
        total_quota=20,
        online_quota=10,
    )


@pytest.fixture
def two(db) -> dict:
    rsud = default_facility()
    puskesmas = Facility.objects.create(name="Puskesmas Kuta", time_zone=FacilityTimeZone.WITA)
    return {
        "rsud": rsud,
        "puskesmas": puskesmas,
        "gigi": Clinic.objects.create(facility=rsud, code="GIGI", name="Poli Gigi", prefix="GIGI"),
        "umum": Clinic.objects.create(facility=puskesmas, code="UMUM", name="Poli Umum", prefix="UMUM"),
        "rina": Doctor.objects.create(facility=rsud, name="drg. Rina"),
        "made": Doctor.objects.create(facility=puskesmas, name="dr. Made"),
    }


def test_a_new_doctor_belongs_to_the_default_facility(db):
    assert Doctor.objects.create(name="dr. Andi").facility == default_facility()


def test_a_schedule_with_a_doctor_of_another_facility_is_refused_next_to_the_clinic(two):
    with pytest.raises(ValidationError) as caught:
        _schedule(two["rina"], two["umum"]).full_clean()
    assert [e.code for e in caught.value.error_dict["clinic"]] == ["other_facility"]
    assert "Puskesmas Kuta" in caught.value.message_dict["clinic"][0]


def test_a_schedule_at_the_doctors_own_facility_is_valid(two):
    _schedule(two["made"], two["umum"]).full_clean()


@postgresql_only
def test_the_database_refuses_a_schedule_across_facilities(two):
    with pytest.raises(IntegrityError, match="different facilities"), transaction.atomic():
        _schedule(two["rina"], two["umum"]).save()
    schedule = _schedule(two["rina"], two["gigi"])
    schedule.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Schedule.objects.filter(pk=schedule.pk).update(doctor=two["made"])
    assert Schedule.objects.get(pk=schedule.pk).doctor_id == two["rina"].pk


@postgresql_only
def test_the_database_refuses_moving_a_doctor_or_clinic_away_from_their_schedules(two):
    _schedule(two["rina"], two["gigi"]).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Doctor.objects.filter(pk=two["rina"].pk).update(facility=two["puskesmas"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Clinic.objects.filter(pk=two["gigi"].pk).update(facility=two["puskesmas"])
    # Without schedules elsewhere, a move is fine.
    Doctor.objects.filter(pk=two["made"].pk).update(facility=two["rsud"])


def test_moving_a_doctor_with_schedules_is_an_error_on_the_facility_field(two):
    _schedule(two["rina"], two["gigi"]).save()
    rina = two["rina"]
    rina.facility = two["puskesmas"]
    with pytest.raises(ValidationError) as caught:
        rina.full_clean()
    assert [e.code for e in caught.value.error_dict["facility"]] == ["facility_has_schedules"]
    clinic = two["gigi"]
    clinic.facility = two["puskesmas"]
    with pytest.raises(ValidationError) as caught:
        clinic.full_clean()
    assert [e.code for e in caught.value.error_dict["facility"]] == ["facility_has_schedules"]


def test_a_doctors_leave_belongs_to_the_doctors_facility(two):
    from queueing.models import ScheduleException

    leave = ScheduleException(date=dt.date(2026, 12, 24), scope="doctor", doctor=two["made"], reason="Cuti")
    leave.full_clean()
    assert leave.facility_id == two["puskesmas"].pk


# --- the migration, on a database of the old shape (queueing 0013) -------------------------------

OLD = [("queueing", "0013_mobile_jkn_bridge")]
NEW = [("queueing", "0016_doctor_facility_required")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _leaf_targets():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_doctor_the_facility_of_their_clinics(patient, umum):
    from queueing.tests.conftest import make_member

    try:
        apps = _migrate(OLD)
        Facility_ = apps.get_model("facilities", "Facility")
        Clinic_ = apps.get_model("queueing", "Clinic")
        Doctor_ = apps.get_model("queueing", "Doctor")
        Schedule_ = apps.get_model("queueing", "Schedule")
        DayQuota_ = apps.get_model("queueing", "DayQuota")
        Booking_ = apps.get_model("queueing", "Booking")
        Exception_ = apps.get_model("queueing", "ScheduleException")
        rsud = Facility_.objects.create(name="RSUD Lama")
        pkm = Facility_.objects.create(name="Puskesmas Lama", time_zone="Asia/Makassar")
        gigi = Clinic_.objects.create(facility=rsud, code="GIGI", name="Poli Gigi", prefix="GIGI")
        umum_pkm = Clinic_.objects.create(facility=pkm, code="UMUM", name="Poli Umum", prefix="UMUM")
        only_pkm = Doctor_.objects.create(name="dr. Made")
        both = Doctor_.objects.create(name="dr. Keliling", bpjs_code="123")
        idle = Doctor_.objects.create(name="dr. Cadangan")

        def schedule(doctor, clinic, weekday):
            return Schedule_.objects.create(
                doctor=doctor,
                clinic=clinic,
                weekday=weekday,
                start_time=dt.time(8),
                end_time=dt.time(12),
                total_quota=20,
                online_quota=10,
            )

        schedule(only_pkm, umum_pkm, 0)
        for weekday in (0, 1):
            schedule(both, gigi, weekday)
        away = schedule(both, umum_pkm, 2)
        day = dt.date(2026, 12, 9)
        quota = DayQuota_.objects.create(schedule=away, date=day, quota=10, last_number=1, active_count=1)
        booking = Booking_.objects.create(
            patient_id=make_member(patient).pk,
            account_id=patient.pk,
            day_quota=quota,
            date=day,
            clinic=umum_pkm,
            doctor=both,
            number=1,
            label="UMUM-001",
            guarantor_id=umum.pk,
        )
        Exception_.objects.create(date=day, scope="doctor", doctor=both, facility=rsud, reason="Cuti")

        apps = _migrate(NEW)
        Doctor_ = apps.get_model("queueing", "Doctor")
        Schedule_ = apps.get_model("queueing", "Schedule")
        Booking_ = apps.get_model("queueing", "Booking")
        Exception_ = apps.get_model("queueing", "ScheduleException")
        assert Doctor_.objects.get(pk=only_pkm.pk).facility_id == pkm.pk
        assert Doctor_.objects.get(pk=both.pk).facility_id == rsud.pk  # most of their schedules
        assert Doctor_.objects.get(pk=idle.pk).facility_id == rsud.pk  # the first facility
        twin = Doctor_.objects.get(name="dr. Keliling", facility_id=pkm.pk)
        assert twin.pk != both.pk and twin.bpjs_code == "123"
        assert Schedule_.objects.get(pk=away.pk).doctor_id == twin.pk
        assert set(Schedule_.objects.filter(doctor_id=both.pk).values_list("weekday", flat=True)) == {0, 1}
        assert Booking_.objects.get(pk=booking.pk).doctor_id == twin.pk
        assert set(Exception_.objects.filter(scope="doctor").values_list("doctor_id", "facility_id")) == {
            (both.pk, rsud.pk),
            (twin.pk, pkm.pk),
        }
        assert Schedule_.objects.count() == 4 and Booking_.objects.count() == 1
    finally:
        _migrate(_leaf_targets())
