"""Data only: the "Kasir" (cashier) and "Supervisor Kasir" groups with what their pages need.

Frozen here on purpose (cashier/services.py keeps the live copy for the demo data): a later change
is a new migration. The cashier group holds cashier permissions only, so a cashier sees the
cashier pages and nothing of the registration counter or the admin's other models.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Kasir": [
        ("cashier", "view_payment"),
        ("cashier", "add_payment"),
        ("cashier", "view_tariff"),
        ("cashier", "view_servicearea"),
    ],
    "Supervisor Kasir": [
        ("cashier", "view_payment"),
        ("cashier", "add_payment"),
        ("cashier", "void_payment"),
        ("cashier", "view_tariff"),
        ("cashier", "add_tariff"),
        ("cashier", "change_tariff"),
        ("cashier", "view_servicearea"),
        ("cashier", "add_servicearea"),
        ("cashier", "change_servicearea"),
        ("cashier", "delete_servicearea"),
        ("cashier", "view_receiptcounter"),
    ],
}


def forwards(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate): make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in permissions:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cashier", "0002_payment_protections"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
