"""Benchmark `manage.py import_patients`: generate a CSV of N patients and import it twice.

    python -m bench import_patients                 # 500,000 rows (BENCH_IMPORT_ROWS to change)
    BENCH_IMPORT_ROWS=20000 python -m bench import_patients
    python -m bench.import_patients 20000

Runs in a throw-away test database (test_<name>), never in the configured one. The second run
measures the idempotent re-import (every MRN already present, nothing changed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_ROWS = 500_000
_FIRST = ["Budi", "Siti", "Agus", "Dewi", "Slamet", "Sri", "Bambang", "Wulan", "Eko", "Rina", "Joko", "Ani"]
_LAST = ["Santoso", "Wulandari", "Prasetyo", "Lestari", "Riyadi", "Rahayu", "Setiawan", "Kurniawati", "Hidayat"]
_VILLAGES = ["Sokaraja Kulon", "Karangpucung", "Kedungwuluh", "Berkoh", "Teluk", "Pasir Kidul"]
HEADER = [
    "mrn",
    "full_name",
    "sex",
    "birth_date",
    "nik",
    "kk_number",
    "birth_place",
    "mother_name",
    "address_street",
    "address_rt",
    "address_rw",
    "address_village",
    "address_district",
    "address_regency",
    "address_province",
    "phone",
    "religion",
    "blood_type",
    "marital_status",
    "education",
    "occupation",
    "bpjs_number",
]


def generate(path: Path, rows: int, seed: int = 2026) -> int:
    """Write `rows` patients; every 1,000th has an invalid NIK so the reject path is exercised too."""
    from families.validators import encode_nik

    rng = random.Random(seed)
    first_day = dt.date(1930, 1, 1).toordinal()
    span = dt.date(2025, 12, 31).toordinal() - first_day
    bad = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            birth = dt.date.fromordinal(first_day + rng.randrange(span))
            sex = "L" if i % 2 else "P"
            # (district, serial) is unique per row, so every NIK is unique.
            region = f"3302{i // 9999 % 99 + 1:02d}"
            nik = encode_nik(region=region, birth_date=birth, sex=sex, serial=f"{i % 9999 + 1:04d}")
            if i % 1000 == 999:
                nik, bad = "99" + nik[2:], bad + 1
            writer.writerow(
                [
                    f"{i + 1:08d}",
                    f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                    sex,
                    birth.isoformat(),
                    nik,
                    f"{region}010120{i % 9999 + 1:04d}",
                    "Banyumas",
                    f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                    f"Jl. Melati No. {i % 200 + 1}",
                    f"{i % 20 + 1:03d}",
                    f"{i % 12 + 1:03d}",
                    rng.choice(_VILLAGES),
                    "Purwokerto Selatan",
                    "Kabupaten Banyumas",
                    "Jawa Tengah",
                    f"08{rng.randrange(11, 99)}{rng.randrange(10**7, 10**8)}",
                    "islam",
                    "O",
                    "kawin",
                    "sma",
                    "swasta",
                    f"{rng.randrange(10**12, 10**13):013d}",
                ]
            )
    return bad


def _import(path: Path, *options: str) -> tuple[float, str]:
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    call_command("import_patients", str(path), *options, stdout=out, stderr=err)
    return time.perf_counter() - started, out.getvalue().strip()


def main(rows: int | None = None) -> None:
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    rows = rows or int(os.environ.get("BENCH_IMPORT_ROWS", DEFAULT_ROWS))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "patients.csv"
        started = time.perf_counter()
        bad = generate(path, rows)
        print(
            f"generated {rows:,} rows ({bad:,} with a bad NIK) in {time.perf_counter() - started:.1f} s, "
            f"{path.stat().st_size / 1e6:.0f} MB",
            flush=True,
        )
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
            for label in ("first import", "re-import (idempotent)"):
                elapsed, summary = _import(path, "--report", str(Path(folder) / "report.csv"))
                print(f"{label}: {rows / elapsed:,.0f} rows/s ({elapsed:.1f} s) :: {summary}", flush=True)
        finally:
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
