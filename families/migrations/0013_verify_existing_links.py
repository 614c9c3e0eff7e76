"""Data only: links that existed before link verification are verified, except the takeover shape.

Every link made before the rule keeps full access (nobody loses what they had), with one
exception: a link made by MRN + birth date ("Pasien Lama") to a patient that another account
had already linked. That is exactly the takeover the rule closes; such a link keeps booking and
its own bookings, and is verified at the counter or by the earlier holder like any new one.
"""

from django.db import migrations
from django.db.models import F

MRN_NOTE = "existing patient, MRN + birth date"


def forwards(apps, schema_editor):
    AccountPatient = apps.get_model("families", "AccountPatient")
    LinkLog = apps.get_model("families", "LinkLog")
    AccountPatient.objects.filter(verified_at__isnull=True).update(verified_at=F("created_at"))
    for entry in LinkLog.objects.filter(action="created", note=MRN_NOTE).values("account_id", "patient_id", "at"):
        link = AccountPatient.objects.filter(account_id=entry["account_id"], patient_id=entry["patient_id"]).first()
        if link is None:
            continue
        earlier = (AccountPatient.objects.filter(patient_id=link.patient_id, created_at__lt=link.created_at)
                   .exclude(account_id=link.account_id))
        if earlier.exists():
            AccountPatient.objects.filter(pk=link.pk).update(verified_at=None)


class Migration(migrations.Migration):

    dependencies = [
        ("families", "0012_link_verification"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
