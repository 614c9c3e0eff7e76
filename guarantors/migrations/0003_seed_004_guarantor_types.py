"""Data migration: the guarantor types of SOP 004 with their required documents."""

from django.db import migrations

from guarantors.catalogue import SEED_004_V1, ensure_types


def seed(apps, schema_editor):
    ensure_types(apps.get_model("guarantors", "GuarantorType"), SEED_004_V1)


class Migration(migrations.Migration):

    dependencies = [
        ("guarantors", "0002_kind_notes_clinic_rules"),
    ]

    # Reverse is a no-op: by then the hospital may have edited the rows, and deleting them
    # would break bookings that refer to them.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
