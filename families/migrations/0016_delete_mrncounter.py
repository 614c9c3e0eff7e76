# The hospital-wide counter moved to facilities.MrnCounter (one per facility) in 0015.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('families', '0015_records_at_default_facility'),
    ]

    operations = [
        migrations.DeleteModel(
            name='MrnCounter',
        ),
    ]
