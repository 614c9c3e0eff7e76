"""Data only: the nurses' "Perawat Poli" group and the screens' "Layar Antrean" group.

Neither holds a model permission: their members reach the clinic calling pages (/poli/) or the
waiting-room display (/layar/) and nothing else. Frozen here on purpose (visitday.nurse.services
.NURSE_GROUP and visitday.display.access.SCREEN_GROUP name them for the code).
"""

from django.db import migrations

GROUPS = ("Perawat Poli", "Layar Antrean")


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("visitday", "0003_late_gap"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
