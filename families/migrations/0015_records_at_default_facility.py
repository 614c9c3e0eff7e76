"""Data: every medical record number becomes a record at the default facility; the counter moves too.

Before issue 11 a patient had one MRN (Patient.mrn) and the hospital one counter row
(families.MrnCounter). Each MRN becomes a PatientRecord at the default facility (the first
facility, made from the HOSPITAL_* settings as queueing 0010 does when there is none yet), and
the counter's last number becomes that facility's counter (facilities.MrnCounter), so the next
number handed out follows the last one. Patient.mrn stays as the mirror of that record.
Nothing is deleted here; 0016 drops the emptied old counter table.
"""

from django.conf import settings
from django.db import migrations

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
BATCH = 5000


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
    FacilityMrnCounter = apps.get_model("facilities", "MrnCounter")
    Patient = apps.get_model("families", "Patient")
    PatientRecord = apps.get_model("families", "PatientRecord")
    OldCounter = apps.get_model("families", "MrnCounter")
    patients = Patient.objects.filter(mrn__isnull=False).exclude(mrn="")
    old_counter = OldCounter.objects.order_by("pk").first()
    if not patients.exists() and old_counter is None:
        return  # a fresh database: the first facility is made when it is first needed
    facility = _default_facility(Facility)
    have = set(PatientRecord.objects.filter(facility=facility).values_list("patient_id", flat=True))
    batch = []
    for patient_id, mrn in patients.order_by("pk").values_list("pk", "mrn").iterator(chunk_size=BATCH):
        if patient_id not in have:
            batch.append(PatientRecord(patient_id=patient_id, facility=facility, mrn=mrn))
        if len(batch) >= BATCH:
            PatientRecord.objects.bulk_create(batch)
            batch = []
    PatientRecord.objects.bulk_create(batch)
    if old_counter is not None:
        counter, _created = FacilityMrnCounter.objects.get_or_create(facility=facility)
        if counter.last_number < old_counter.last_number:
            counter.last_number = old_counter.last_number
            counter.save(update_fields=["last_number"])


class Migration(migrations.Migration):

    dependencies = [
        ("facilities", "0002_mrn_counter"),
        ("families", "0014_patient_records"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
