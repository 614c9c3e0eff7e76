"""Data: the free-text access-log labels of three copies become the AccessWhat choices."""

from django.db import migrations

# Old label (or prefix) -> (choice, detail taken from the rest of the label).
PREFIXES = (
    ("admin:patient-search", "patient_search"),
    ("admin:patient", "patient_record"),
    ("admin:booking", "booking"),
    ("document:", "identity_document"),
    ("booking letter ", "booking_letter"),
    ("booking-document:", "booking_letter"),
)


def to_choices(apps, schema_editor):
    PatientAccessLog = apps.get_model("families", "PatientAccessLog")
    for prefix, what in PREFIXES:
        for entry in PatientAccessLog.objects.filter(what__startswith=prefix).only("pk", "what"):
            detail = entry.what[len(prefix) :].strip() if prefix.endswith((":", " ")) else ""
            PatientAccessLog.objects.filter(pk=entry.pk).update(what=what, detail=detail[:32])


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0006_patientaccesslog_detail"),
    ]

    operations = [
        migrations.RunPython(to_choices, migrations.RunPython.noop),
    ]
