"""Data only: bookings made before the desk existed were registered when they were booked."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Booking = apps.get_model("queueing", "Booking")
    Booking.objects.update(registered_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("queueing", "0003_desk_counter_fields"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
