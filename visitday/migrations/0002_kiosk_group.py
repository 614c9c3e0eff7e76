"""Data only: the "Anjungan" group of kiosk device accounts (no model permissions: kiosk pages only).

Frozen here on purpose (visitday.kiosk.access.KIOSK_GROUP names it for the code).
"""

from django.db import migrations

GROUP = "Anjungan"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("visitday", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
