from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0005_constraint_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="patientaccesslog",
            name="detail",
            field=models.CharField(blank=True, max_length=32, verbose_name="detail"),
        ),
    ]
