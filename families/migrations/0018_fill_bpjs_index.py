"""Fill the BPJS card blind index of the patients already stored (Mobile JKN finds patients by card).

Raw SQL in id order, a batch at a time, as 0010 does: the index is computed from the decrypted
card number. Re-runnable; the reverse has nothing to undo (0014's reverse drops the column).
"""

from django.db import migrations

from families.fields import SEPARATOR, blind_index, decrypt

BATCH = 2000
TABLE = "families_patient"
CONTEXT = "families.patient.bpjs_number"


def fill(apps, schema_editor) -> None:
    connection = schema_editor.connection
    last = None
    while True:
        with connection.cursor() as cursor:
            where, params = ("WHERE id > %s", [last]) if last is not None else ("", [])
            cursor.execute(f"SELECT id, bpjs_number FROM {TABLE} {where} ORDER BY id LIMIT %s", [*params, BATCH])
            rows = cursor.fetchall()
        if not rows:
            return
        updates = [
            (blind_index(decrypt(value, CONTEXT) if SEPARATOR in value else value, CONTEXT), row_id)
            for row_id, value in rows
            if value
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {TABLE} SET bpjs_index = %s WHERE id = %s", updates)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0017_patient_bpjs_index"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
