"""Channels move onto the account row (accounts 0004): copy what accounts chose, then drop the table."""

from django.db import migrations


def copy_to_accounts(apps, schema_editor):
    ChannelChoice = apps.get_model("notifications", "ChannelChoice")
    User = apps.get_model("accounts", "User")
    for choice in ChannelChoice.objects.all().iterator():
        # The account constraint wants at least one channel; an old row without any keeps e-mail.
        User.objects.filter(pk=choice.account_id).update(
            notify_by_email=choice.email or not choice.whatsapp, notify_by_whatsapp=choice.whatsapp
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_notification_channels"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_to_accounts, migrations.RunPython.noop),
        migrations.DeleteModel(name="ChannelChoice"),
    ]
