"""Data: every doctor gets the facility of the clinics they practise at (else the default facility).

A doctor whose schedules reach clinics of several facilities stays at the facility with most of
them and gets a copy of their row at each other one; those schedules, the bookings made there and
the doctor's leave days follow the copy. Nothing is deleted.
"""

from collections import Counter

from django.conf import settings
from django.db import migrations

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def _default_facility(Facility):
    # As queueing 0010: the first facility, made from the HOSPITAL_* settings if there is none.
    facility = Facility.objects.order_by("pk").first()
    if facility is None:
        zone = settings.TIME_ZONE if settings.TIME_ZONE in ZONES else "Asia/Jakarta"
        facility = Facility.objects.create(
            name=settings.HOSPITAL_NAME,
            address=settings.HOSPITAL_ADDRESS,
            phone=settings.HOSPITAL_PHONE,
            kind="rsud",
            time_zone=zone,
            mrn_digits=getattr(settings, "MRN_DIGITS", 8),
        )
    return facility


def forwards(apps, schema_editor):
    Facility = apps.get_model("facilities", "Facility")
    Doctor = apps.get_model("queueing", "Doctor")
    Schedule = apps.get_model("queueing", "Schedule")
    Booking = apps.get_model("queueing", "Booking")
    ScheduleException = apps.get_model("queueing", "ScheduleException")
    for doctor in Doctor.objects.filter(facility__isnull=True).order_by("pk"):
        places = Counter(Schedule.objects.filter(doctor=doctor).values_list("clinic__facility_id", flat=True))
        if not places:
            doctor.facility_id = _default_facility(Facility).pk
            doctor.save(update_fields=["facility"])
            continue
        ranked = sorted(places, key=lambda facility_id: (-places[facility_id], facility_id))
        doctor.facility_id = ranked[0]
        doctor.save(update_fields=["facility"])
        for facility_id in ranked[1:]:
            _copy_to(doctor, facility_id, Doctor, Schedule, Booking, ScheduleException)
    for exception in ScheduleException.objects.filter(scope="doctor").select_related("doctor"):
        if exception.facility_id != exception.doctor.facility_id:
            exception.facility_id = exception.doctor.facility_id
            exception.save(update_fields=["facility"])


def _copy_to(doctor, facility_id, Doctor, Schedule, Booking, ScheduleException):
    values = {f.attname: getattr(doctor, f.attname) for f in Doctor._meta.concrete_fields if not f.primary_key}
    twin = Doctor.objects.create(**{**values, "facility_id": facility_id})
    Schedule.objects.filter(doctor=doctor, clinic__facility_id=facility_id).update(doctor=twin)
    Booking.objects.filter(doctor=doctor, clinic__facility_id=facility_id).update(doctor=twin)
    for exception in ScheduleException.objects.filter(doctor=doctor, scope="doctor"):
        exception.pk = None
        exception.doctor_id, exception.facility_id = twin.pk, facility_id
        exception.save()


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0001_initial"),
        ("queueing", "0014_doctor_facility"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
