import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0001_initial"),
        ("queueing", "0013_mobile_jkn_bridge"),
    ]

    operations = [
        migrations.AddField(
            model_name="doctor",
            name="facility",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="doctors",
                to="facilities.facility",
                verbose_name="facility",
            ),
        ),
    ]
