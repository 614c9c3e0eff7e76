"""The move into one default facility (queueing 0009-0011), run on a database filled with the old shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = [("queueing", "0008_constraint_codes"), ("facilities", None)]
NEW = [("queueing", "0011_facility_required"), ("facilities", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor = MigrationExecutor(connection)  # reloaded: what is applied now
    return executor.loader.project_state([target for target in targets if target[1]]).apps


def _fill_old_shape(apps) -> dict:
    Clinic = apps.get_model("queueing", "Clinic")
    Doctor = apps.get_model("queueing", "Doctor")
    Schedule = apps.get_model("queueing", "Schedule")
    ScheduleException = apps.get_model("queueing", "ScheduleException")
    BookingSettings = apps.get_model("queueing", "BookingSettings")
    DayQuota = apps.get_model("queueing", "DayQuota")
    gigi = Clinic.objects.create(code="GIGI", name="Poli Gigi", prefix="GIGI")
    umum = Clinic.objects.create(code="UMUM", name="Poli Umum", prefix="UMUM", active=False)
    doctor = Doctor.objects.create(name="drg. Rina")
    schedule = Schedule.objects.create(
        doctor=doctor,
        clinic=gigi,
        weekday=0,
        start_time=dt.time(8),
        end_time=dt.time(12),
        total_quota=20,
        online_quota=10,
    )
    DayQuota.objects.create(schedule=schedule, date=dt.date(2026, 12, 7), quota=10, last_number=4, active_count=3)
    day = dt.date(2026, 12, 25)
    ScheduleException.objects.create(date=day, scope="hospital", reason="Natal")
    ScheduleException.objects.create(date=day, scope="clinic", clinic=umum, reason="Renovasi")
    ScheduleException.objects.create(date=day, scope="doctor", doctor=doctor, reason="Cuti")
    BookingSettings.objects.create(
        pk=1,
        earliest_days_ahead=0,
        latest_days_ahead=30,
        same_day_cutoff=dt.time(9),
        cancel_cutoff_hours=5,
        mode="verification",
    )
    return {"clinics": 2, "exceptions": 3}


@pytest.mark.django_db(transaction=True)
def test_old_data_moves_into_one_default_facility_named_from_the_settings(settings):
    settings.HOSPITAL_NAME, settings.HOSPITAL_ADDRESS = "RSUD Migrasi", "Jl. Lama 1"
    settings.HOSPITAL_PHONE = "(0281) 1"
    try:
        counts = _fill_old_shape(_migrate(OLD))
        apps = _migrate(NEW)
        Facility = apps.get_model("facilities", "Facility")
        Clinic = apps.get_model("queueing", "Clinic")
        ScheduleException = apps.get_model("queueing", "ScheduleException")
        BookingSettings = apps.get_model("queueing", "BookingSettings")
        DayQuota = apps.get_model("queueing", "DayQuota")

        facility = Facility.objects.get()
        assert (facility.name, facility.address, facility.phone) == ("RSUD Migrasi", "Jl. Lama 1", "(0281) 1")
        assert facility.time_zone == "Asia/Jakarta"
        assert Clinic.objects.filter(facility=facility).count() == counts["clinics"]
        assert set(Clinic.objects.values_list("code", "active")) == {("GIGI", True), ("UMUM", False)}
        assert ScheduleException.objects.filter(facility=facility).count() == counts["exceptions"]
        cfg = BookingSettings.objects.get()
        assert cfg.facility_id == facility.pk
        assert (
            cfg.earliest_days_ahead,
            cfg.latest_days_ahead,
            cfg.same_day_cutoff,
            cfg.cancel_cutoff_hours,
            cfg.mode,
        ) == (0, 30, dt.time(9), 5, "verification")
        quota = DayQuota.objects.get()
        assert (quota.last_number, quota.active_count, quota.schedule.clinic.code) == (4, 3, "GIGI")
    finally:
        _migrate(_leaf_targets())


@pytest.mark.django_db(transaction=True)
def test_an_empty_old_database_gets_no_facility_until_one_is_needed():
    try:
        _migrate(OLD)
        apps = _migrate(NEW)
        assert not apps.get_model("facilities", "Facility").objects.exists()
    finally:
        _migrate(_leaf_targets())


def _leaf_targets():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
