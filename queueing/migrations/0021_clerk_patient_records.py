"""Data only: registration clerks see, type and correct medical record numbers per facility (issue 11).

Frozen here like 0005_clerk_group: the clerk group gains the PatientRecord permissions that the
patient admin's records inline needs (its numbers are scoped to the clerk's facilities).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Petugas Pendaftaran"
PERMISSIONS = [("families", "view_patientrecord"), ("families", "add_patientrecord"), ("families", "change_patientrecord")]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return  # renamed or removed by the hospital: leave their choice alone
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):

    dependencies = [
        ("families", "0019_patientrecord_mrn_index"),
        ("queueing", "0020_mobile_jkn_outbox"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
