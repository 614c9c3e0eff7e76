"""Data only: the "Petugas Pendaftaran" (registration clerk) group with what the counter needs.

Frozen here on purpose: a later change of the clerk's permissions is a new migration. Nothing
about users, groups, logs or settings: the admin's other models stay hidden from a clerk.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Petugas Pendaftaran"
PERMISSIONS = [
    # The day's bookings: read them, verify/reject/check in/move/no-show/served (all "change").
    ("queueing", "view_booking"), ("queueing", "change_booking"),
    ("queueing", "view_bookingevent"), ("queueing", "view_bookingdocument"),
    # What the day looks like: read only.
    ("queueing", "view_clinic"), ("queueing", "view_doctor"), ("queueing", "view_schedule"),
    ("queueing", "view_scheduleexception"), ("queueing", "view_dayquota"),
    # The patient index: look up, register walk-ins, assign medical record numbers.
    ("families", "view_patient"), ("families", "add_patient"), ("families", "change_patient"),
    ("families", "view_accountpatient"), ("families", "view_identitydocument"),
    # Which documents each guarantor needs.
    ("guarantors", "view_guarantortype"), ("guarantors", "view_clinicdocumentrule"),
]


def forwards(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate): make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("families", "0002_documents_logs_lookups"),
        ("guarantors", "0003_seed_004_guarantor_types"),
        ("queueing", "0004_backfill_registered_at"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
