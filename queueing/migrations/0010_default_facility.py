"""Data: every clinic, closure and the booking settings move into one default facility.

The facility takes its name, address and phone from today's HOSPITAL_* settings and its time
zone from TIME_ZONE when that is one of Indonesia's three. Nothing is deleted or renamed; a
database that already has a facility (made by hand before migrating) uses its first one.
"""

from django.conf import settings
from django.db import migrations

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def _default_facility(Facility):
    facility = Facility.objects.order_by("pk").first()
    if facility is None:
        zone = settings.TIME_ZONE if settings.TIME_ZONE in ZONES else "Asia/Jakarta"
        facility = Facility.objects.create(
            name=settings.HOSPITAL_NAME, address=settings.HOSPITAL_ADDRESS, phone=settings.HOSPITAL_PHONE,
            kind="rsud", time_zone=zone, mrn_digits=getattr(settings, "MRN_DIGITS", 8))
    return facility


def forwards(apps, schema_editor):
    Facility = apps.get_model("facilities", "Facility")
    Clinic = apps.get_model("queueing", "Clinic")
    ScheduleException = apps.get_model("queueing", "ScheduleException")
    BookingSettings = apps.get_model("queueing", "BookingSettings")
    if not (Clinic.objects.exists() or ScheduleException.objects.exists() or BookingSettings.objects.exists()):
        return  # a fresh database: the first facility is made when it is first needed
    facility = _default_facility(Facility)
    Clinic.objects.filter(facility__isnull=True).update(facility=facility)
    for exception in ScheduleException.objects.filter(facility__isnull=True).select_related("clinic"):
        exception.facility_id = exception.clinic.facility_id if exception.clinic_id else facility.pk
        exception.save(update_fields=["facility"])
    # The singleton (pk=1) becomes the default facility's settings.
    if not BookingSettings.objects.filter(facility=facility).exists():
        first = BookingSettings.objects.filter(facility__isnull=True).order_by("pk").first()
        if first is not None:
            first.facility = facility
            first.save(update_fields=["facility"])


class Migration(migrations.Migration):

    dependencies = [
        ("facilities", "0001_initial"),
        ("queueing", "0009_facility_fields"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
