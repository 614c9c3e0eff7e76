"""`manage.py import_patients`: good rows in, bad rows reported with the reason, MRN idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from families.importer import ParsedRow, PatientImporter
from families.models import Patient
from families.tests.conftest import make_patient
from families.validators import encode_nik

pytestmark = pytest.mark.django_db
HEADER = ["mrn", "full_name", "sex", "birth_date", "nik", "phone", "religion", "marital_status", "address_rt"]


def nik(birth: dt.date, sex: str, serial: str) -> str:
    return encode_nik(region="330201", birth_date=birth, sex=sex, serial=serial)


GOOD = [
    [
        "12-34-56",
        "Bambang  Sutrisno",
        "L",
        "1970-05-01",
        nik(dt.date(1970, 5, 1), "L", "0001"),
        "0812 3456 7890",
        "Islam",
        "kawin",
        "4",
    ],
    [
        "777",
        "Ratna Dewi",
        "Perempuan",
        "03/02/1990",
        nik(dt.date(1990, 2, 3), "P", "0002"),
        "",
        "katolik",
        "belum kawin",
        "",
    ],
    ["000888", "Slamet", "l", "05-01-1950", "", "", "", "", ""],
]


def write_csv(tmp_path, rows, header=HEADER, delimiter=",", name="index.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_patients", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_rows_are_imported_normalised(tmp_path):
    out, err = run(write_csv(tmp_path, GOOD))
    assert "3 created" in out and "0 rejected" in out and err == ""
    bambang = Patient.objects.get(mrn="00123456")
    assert bambang.full_name == "Bambang Sutrisno" and bambang.phone == "+6281234567890"
    assert (bambang.religion, bambang.marital_status, bambang.address_rt) == ("islam", "kawin", "004")
    ratna = Patient.objects.get(mrn="00000777")
    assert (ratna.sex, ratna.birth_date, ratna.marital_status) == ("P", dt.date(1990, 2, 3), "belum_kawin")
    assert Patient.objects.get(mrn="00000888").nik == ""


BAD = [
    ["", "No MRN", "L", "1970-05-01", "", "", "", "", ""],
    ["RM-9", "Letters", "L", "1970-05-01", "", "", "", "", ""],
    ["1001", "", "L", "1970-05-01", "", "", "", "", ""],
    ["1002", "Bad Sex", "X", "1970-05-01", "", "", "", "", ""],
    ["1003", "Bad Date", "L", "1970-13-01", "", "", "", "", ""],
    ["1004", "Future", "L", "2999-01-01", "", "", "", "", ""],
    ["1005", "Bad NIK", "L", "1970-05-01", "9902010105700001", "", "", "", ""],
    ["1006", "Bad Phone", "L", "1970-05-01", "", "0281-796031", "", "", ""],
    ["1007", "Bad Religion", "L", "1970-05-01", "", "", "jedi", "", ""],
    ["12-34-56", "Duplicate MRN", "L", "1970-05-01", "", "", "", "", ""],
    ["1008", "Duplicate NIK", "L", "1970-05-01", GOOD[0][4], "", "", "", ""],
]


def test_bad_rows_are_reported_line_by_line_with_the_reason(tmp_path):
    report = tmp_path / "report.csv"
    out, err = run(write_csv(tmp_path, GOOD + BAD), "--report", str(report))
    assert "3 created" in out and "11 rejected" in out
    rows = list(csv.DictReader(report.open()))
    assert [(int(r["line"]), r["column"], r["code"]) for r in rows] == [
        (5, "mrn", "required"),
        (6, "mrn", "mrn_format"),
        (7, "full_name", "required"),
        (8, "sex", "sex"),
        (9, "birth_date", "date_format"),
        (10, "birth_date", "birth_date_future"),
        (11, "nik", "nik_province"),
        (12, "phone", "invalid_mobile"),
        (13, "religion", "choice"),
        (14, "mrn", "mrn_duplicate"),
        (15, "nik", "nik_duplicate"),
    ]
    assert "line 12: REJECTED mrn=1006 phone: invalid_mobile" in err
    assert Patient.objects.count() == 3


def test_lenient_mode_drops_bad_optional_values_with_a_warning(tmp_path):
    out, err = run(write_csv(tmp_path, [BAD[6], BAD[7]]), "--lenient")
    assert "2 created" in out and "2 warnings" in out
    assert Patient.objects.get(mrn="00001005").nik == ""
    assert "warning mrn=00001005 nik: nik_province" in err


def test_running_twice_changes_nothing_the_second_time(tmp_path):
    path = write_csv(tmp_path, GOOD)
    run(path)
    before = {p.mrn: p.updated_at for p in Patient.objects.all()}
    out, _err = run(path)
    assert "0 created, 0 updated, 3 unchanged" in out
    assert {p.mrn: p.updated_at for p in Patient.objects.all()} == before


def test_existing_mrn_is_updated_but_empty_cells_erase_nothing(tmp_path):
    make_patient(
        mrn="00000777", full_name="Ratna", nik="", phone="+6285700000001", birth_date=dt.date(1990, 2, 3), sex="P"
    )
    out, _err = run(write_csv(tmp_path, GOOD))
    assert "2 created, 1 updated" in out
    ratna = Patient.objects.get(mrn="00000777")
    assert ratna.full_name == "Ratna Dewi" and ratna.nik == GOOD[1][4] and ratna.phone == "+6285700000001"


def test_skip_mode_leaves_existing_patients_alone(tmp_path):
    make_patient(mrn="00000777", full_name="Ratna", nik="", birth_date=dt.date(1990, 2, 3), sex="P")
    out, _err = run(write_csv(tmp_path, GOOD), "--existing", "skip")
    assert "2 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert Patient.objects.get(mrn="00000777").full_name == "Ratna"


def test_a_patient_registered_online_receives_its_mrn(tmp_path):
    online = make_patient(full_name="Bambang S", nik=GOOD[0][4], birth_date=dt.date(1970, 5, 1), sex="L")
    out, _err = run(write_csv(tmp_path, GOOD[:1]))
    assert "0 created, 1 updated" in out
    online.refresh_from_db()
    assert online.mrn == "00123456" and online.full_name == "Bambang Sutrisno"


def test_a_nik_held_by_another_patient_is_rejected(tmp_path):
    make_patient(mrn="00000001", nik=GOOD[0][4], birth_date=dt.date(1970, 5, 1), sex="L")
    out, err = run(write_csv(tmp_path, GOOD[:1]))
    assert "1 rejected" in out and "nik: nik_taken" in err


def test_semicolon_files_from_spreadsheets_are_read(tmp_path):
    out, _err = run(write_csv(tmp_path, GOOD, delimiter=";"))
    assert "3 created" in out


def test_nik_mismatch_is_flagged_for_the_clerk(tmp_path):
    row = list(GOOD[0])
    row[3] = "1970-05-02"
    run(write_csv(tmp_path, [row]))
    assert Patient.objects.get().nik_mismatch is True


def test_dry_run_writes_nothing(tmp_path):
    out, _err = run(write_csv(tmp_path, GOOD), "--dry-run")
    assert out.startswith("DRY RUN") and "3 created" in out
    assert not Patient.objects.exists()


def test_small_batches_give_the_same_result(tmp_path):
    out, _err = run(write_csv(tmp_path, GOOD + BAD), "--batch-size", "2")
    assert "3 created" in out and "11 rejected" in out


def test_odd_characters_survive_the_fast_path(tmp_path):
    header = ["mrn", "full_name", "sex", "birth_date", "address_street"]
    streets = ['Gg. Mawar\\2\tBlok "C"', "Jl. Baru\nRT 1", "Jl. Ñoño 'é' \\N"]
    rows = [[str(i + 1), f"Pasien {i}", "L", "1980-01-01", street] for i, street in enumerate(streets)]
    run(write_csv(tmp_path, rows, header=header))
    assert [p.address_street for p in Patient.objects.order_by("mrn")] == streets


def test_a_clash_the_planner_cannot_see_rejects_only_the_clashing_row():
    """As when another process inserts the same NIK meanwhile: the batch is redone row by row."""
    nik_value = nik(dt.date(1980, 1, 1), "L", "0009")
    rows = [
        ParsedRow(2, dict(mrn="00000001", full_name="Satu", sex="L", birth_date=dt.date(1980, 1, 1))),
        ParsedRow(3, dict(mrn="00000002", full_name="Dua", sex="L", birth_date=dt.date(1980, 1, 1), nik=nik_value)),
        ParsedRow(4, dict(mrn="00000003", full_name="Tiga", sex="L", birth_date=dt.date(1980, 1, 1), nik=nik_value)),
    ]
    importer = PatientImporter()
    importer._write_batch(rows)
    assert (importer.result.created, [(r.line, r.code) for r in importer.result.rejected]) == (2, [(4, "nik_taken")])
    assert sorted(Patient.objects.values_list("mrn", flat=True)) == ["00000001", "00000002"]


def test_missing_required_column_stops_with_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="missing required column"):
        run(write_csv(tmp_path, [["1", "A"]], header=["mrn", "full_name"]))


def test_missing_file_stops_with_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "card, code", [("0001-2345-67890", None), ("000123456789", "card_format"), ("00012345678901", "card_format")]
)
def test_bpjs_numbers_are_checked_as_guarantors_checks_them(tmp_path, card, code):
    header = ["mrn", "full_name", "sex", "birth_date", "bpjs_number"]
    report = tmp_path / "report.csv"
    run(write_csv(tmp_path, [["4242", "Tuti", "P", "1980-01-01", card]], header=header), "--report", str(report))

    if code is None:
        assert Patient.objects.get(mrn="00004242").bpjs_number == "0001234567890"
    else:
        assert [r["code"] for r in csv.DictReader(report.open())] == [code]
        assert not Patient.objects.exists()
