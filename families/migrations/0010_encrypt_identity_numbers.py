"""Encrypt the NIK, KK and BPJS numbers already stored in clear, and fill their blind indexes.

Raw SQL, batch by batch in id order: the historical model's fields would try to decrypt the
clear values. A value holding the key separator is already encrypted and left alone, so the
migration can be re-run after an interruption. The reverse decrypts (a no-op reverse would
leave ciphertext that 0009's reverse cannot put back under its 16-digit check).
"""

from django.db import migrations

from families.fields import SEPARATOR, blind_index, decrypt, encrypt

BATCH = 2000
TABLE = "families_patient"
ENCRYPTED = ("nik", "kk_number", "bpjs_number")
INDEXES = {"nik": "nik_index", "kk_number": "kk_index"}


def _context(column: str) -> str:
    return f"families.patient.{column}"


def _batches(connection):
    """Rows (id, nik, kk_number, bpjs_number) in id order, a batch at a time."""
    select = f"SELECT id, {', '.join(ENCRYPTED)} FROM {TABLE}"
    last = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"{select} ORDER BY id LIMIT %s", [BATCH])
            else:
                cursor.execute(f"{select} WHERE id > %s ORDER BY id LIMIT %s", [last, BATCH])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _write(connection, updates: list[tuple]) -> None:
    columns = [*ENCRYPTED, *INDEXES.values()]
    assignments = ", ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {TABLE} SET {assignments} WHERE id = %s", updates)


def encrypt_rows(apps, schema_editor) -> None:
    connection = schema_editor.connection
    for rows in _batches(connection):
        updates = []
        for row_id, *values in rows:
            clear = dict(zip(ENCRYPTED, values))
            if all(not value or SEPARATOR in value for value in clear.values()):
                continue  # nothing in clear (already done, or no numbers)
            clear = {c: decrypt(v, _context(c)) if v and SEPARATOR in v else (v or "") for c, v in clear.items()}
            sealed = [encrypt(clear[c], _context(c)) for c in ENCRYPTED]
            indexes = [blind_index(clear[c], _context(c)) for c in INDEXES]
            updates.append((*sealed, *indexes, row_id))
        _write(connection, updates)


def decrypt_rows(apps, schema_editor) -> None:
    connection = schema_editor.connection
    for rows in _batches(connection):
        updates = []
        for row_id, *values in rows:
            clear = [decrypt(v, _context(c)) if v and SEPARATOR in v else (v or "") for c, v in zip(ENCRYPTED, values)]
            updates.append((*clear, None, None, row_id))
        _write(connection, updates)


class Migration(migrations.Migration):

    dependencies = [
        ("families", "0009_identity_numbers_encrypted"),
    ]

    operations = [
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
