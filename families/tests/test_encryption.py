"""NIK, KK and BPJS numbers at rest: ciphertext in the table, look-ups by blind index, rotation."""

from __future__ import annotations

import base64
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from families.fields import DecryptionError, blind_index, decrypt
from families.models import Patient
from families.rotation import rotate_identity_keys
from families.tests.conftest import KK, make_patient, patient_values
from families.tests.test_import import GOOD, run, write_csv

pytestmark = pytest.mark.django_db
encrypt_migration = importlib.import_module("families.migrations.0010_encrypt_identity_numbers")
BPJS = "0001234567890"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def stored(patient: Patient) -> dict[str, str | None]:
    """The row as a backup would hold it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nik, kk_number, bpjs_number, nik_index, kk_index FROM families_patient WHERE id = %s", [patient.pk]
        )
        return dict(zip(("nik", "kk_number", "bpjs_number", "nik_index", "kk_index"), cursor.fetchone()))


def test_identity_numbers_are_stored_encrypted_and_read_back_clear():
    adi = make_patient(bpjs_number=BPJS)
    row = stored(adi)
    for name in ("nik", "kk_number", "bpjs_number"):
        assert row[name].startswith("dev$") and getattr(adi, name) not in row[name]
    again = Patient.objects.get(pk=adi.pk)
    assert (again.nik, again.kk_number, again.bpjs_number) == (adi.nik, KK, BPJS)
    assert row["nik_index"] == blind_index(adi.nik, "families.patient.nik")
    assert row["nik_index"] != row["kk_index"]


def test_two_encryptions_of_one_number_differ_but_the_index_is_the_same():
    one, two = make_patient(nik="", bpjs_number=BPJS), make_patient(nik="", bpjs_number=BPJS)
    assert stored(one)["bpjs_number"] != stored(two)["bpjs_number"]
    assert stored(one)["kk_index"] == stored(two)["kk_index"]


def test_empty_numbers_stay_empty_with_no_index():
    row = stored(make_patient(nik="", kk_number=""))
    assert (row["nik"], row["kk_number"], row["nik_index"], row["kk_index"]) == ("", "", None, None)


def test_exact_lookups_go_through_the_blind_index():
    adi, budi, none = make_patient(), make_patient(nik="3302021204850001", kk_number=""), make_patient(nik="")
    assert list(Patient.objects.filter(nik=adi.nik)) == [adi]
    assert set(Patient.objects.filter(nik__in=[adi.nik, budi.nik, "3302021204850099"])) == {adi, budi}
    assert set(Patient.objects.filter(kk_number=KK)) == {adi, none}
    assert set(Patient.objects.exclude(nik=adi.nik)) == {budi, none}  # rows without a NIK are not lost
    assert list(Patient.objects.filter(nik="")) == [none]
    assert not Patient.objects.filter(nik__in=[]).exists()


def test_other_lookups_on_encrypted_fields_are_refused():
    from notifications.models import Message

    with pytest.raises(FieldError):
        Patient.objects.filter(nik__startswith="3302").exists()
    with pytest.raises(TypeError):
        # An encrypted field without a blind index: a look-up would silently find nothing.
        Message.objects.filter(recipient="sari@example.com").exists()


def test_the_bpjs_number_is_found_through_its_blind_index():
    patient = make_patient(bpjs_number=BPJS)
    assert list(Patient.objects.filter(bpjs_number=BPJS)) == [patient]


def test_nik_uniqueness_holds_on_the_blind_index_both_ways():
    adi = make_patient()
    twin = Patient(**patient_values(full_name="Adi Kembar"))
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert caught.value.error_dict["nik"][0].code == "unique"
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(**patient_values(full_name="Adi Kembar"))
    assert Patient.objects.filter(nik=adi.nik).count() == 1


def test_saving_only_the_nik_also_writes_its_index():
    adi = make_patient()
    adi.nik = "3302021204850001"
    adi.save(update_fields=["nik"])
    assert Patient.objects.get(nik="3302021204850001") == adi


def test_a_ciphertext_moved_to_another_column_does_not_open():
    adi = make_patient()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE families_patient SET bpjs_number = nik WHERE id = %s", [adi.pk])
    with pytest.raises(DecryptionError):
        Patient.objects.get(pk=adi.pk)


def test_the_import_encrypts_on_its_fast_path(tmp_path):
    run(write_csv(tmp_path, GOOD))
    bambang = Patient.objects.get(mrn="00123456")
    assert bambang.nik == GOOD[0][4] and stored(bambang)["nik"].startswith("dev$")
    assert Patient.objects.get(nik=GOOD[0][4]) == bambang
    out, _err = run(write_csv(tmp_path, GOOD))  # idempotent: found again through the index
    assert "0 created" in out and "3 unchanged" in out


# --- the data migration: rows in the old (clear) shape -------------------------------------


def write_clear(patient: Patient, nik: str, kk: str, bpjs: str) -> None:
    """Put a row back into the shape it had before 0010: clear numbers, no indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE families_patient SET nik = %s, kk_number = %s, bpjs_number = %s, nik_index = NULL, "
            "kk_index = NULL WHERE id = %s",
            [nik, kk, bpjs, patient.pk],
        )


def test_the_data_migration_encrypts_old_rows_with_nothing_lost():
    rows = [make_patient(nik="", kk_number="") for _ in range(3)]
    old = [("3302021204850001", KK, BPJS), ("3302021204850002", "", ""), ("", "", "")]
    for patient, values in zip(rows, old):
        write_clear(patient, *values)
    assert stored(rows[0])["nik"] == "3302021204850001"

    encrypt_migration.encrypt_rows(None, connection.schema_editor())
    encrypt_migration.encrypt_rows(None, connection.schema_editor())  # re-run after an interruption: no change

    for patient, values in zip(rows, old):
        again = Patient.objects.get(pk=patient.pk)
        assert (again.nik, again.kk_number, again.bpjs_number) == values
        assert all(not v or v.startswith("dev$") for v in list(stored(patient).values())[:3])
    assert Patient.objects.get(nik="3302021204850002") == rows[1]
    assert set(Patient.objects.filter(kk_number=KK)) == {rows[0]}


def test_the_data_migration_reverses_to_clear_numbers():
    adi = make_patient(bpjs_number=BPJS)
    encrypt_migration.decrypt_rows(None, connection.schema_editor())
    assert stored(adi) == {"nik": adi.nik, "kk_number": KK, "bpjs_number": BPJS, "nik_index": None, "kk_index": None}


# --- key rotation -------------------------------------------------------------------------


def test_rotation_moves_every_row_to_the_newest_keys_and_lookups_work_throughout(settings):
    patients = [make_patient(nik=f"33020212048500{i:02d}", bpjs_number=BPJS) for i in range(1, 6)]
    old_field_keys, old_index_keys = settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key()}", *old_field_keys]
    settings.BLIND_INDEX_KEYS = [new_key(), *old_index_keys]
    # Mid-rotation: old rows still open and are still found by their old index.
    assert Patient.objects.get(nik=patients[0].nik) == patients[0]

    first = rotate_identity_keys(batch_size=2)
    assert (first.checked, first.rewritten) == (5, 5)
    for patient in patients:
        row = stored(patient)
        assert row["nik"].startswith("k2$") and row["bpjs_number"].startswith("k2$")
        assert row["nik_index"] == blind_index(patient.nik, "families.patient.nik")
    assert rotate_identity_keys().rewritten == 0  # resumable: done rows are skipped

    settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEYS = (
        settings.FIELD_ENCRYPTION_KEYS[:1],
        settings.BLIND_INDEX_KEYS[:1],
    )  # the old keys are retired
    assert Patient.objects.get(nik=patients[3].nik).bpjs_number == BPJS


def test_rotation_resumes_after_the_last_batch_it_finished(settings):
    patients = sorted((make_patient(nik=f"33020212048500{i:02d}") for i in range(1, 5)), key=lambda p: p.pk)
    settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key()}", *settings.FIELD_ENCRYPTION_KEYS]
    out = io.StringIO()
    call_command("rotate_identity_keys", "--batch-size", "2", "--after", str(patients[1].pk), stdout=out)
    assert "2 patients checked, 2 rewritten" in out.getvalue()
    assert [stored(p)["nik"][:3] for p in patients] == ["dev", "dev", "k2$", "k2$"]


def test_a_value_under_a_retired_key_is_refused_not_misread(settings):
    adi = make_patient()
    settings.FIELD_ENCRYPTION_KEYS = [f"k2:{new_key()}"]
    with pytest.raises(DecryptionError):
        decrypt(stored(adi)["nik"], "families.patient.nik")


@pytest.mark.parametrize(
    "variables", [{}, {"FIELD_ENCRYPTION_KEYS": "dev:ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE"}]
)
def test_production_refuses_to_start_without_its_own_keys(variables):
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "False",
        "SECRET_KEY": "x" * 60,
        "BLIND_INDEX_KEYS": new_key(),
        **variables,
    }
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
