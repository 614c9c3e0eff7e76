"""Benchmark the counter's patient search by NIK, KK and name on 60,000 patients.

    python -m bench nik_search                    # 60,000 patients (BENCH_PATIENTS to change)

Runs in a throw-away test database (test_<name>). The script only uses what existed before the
identity numbers were encrypted (Patient, the desk's patient_search), so the same file run on an
older checkout gives the "before" figure: the README compares the two.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

DEFAULT_PATIENTS = 60_000
ROUNDS = 5
PROBES = 200
_FIRST = ["Budi", "Siti", "Agus", "Dewi", "Slamet", "Sri", "Bambang", "Wulan", "Eko", "Rina", "Joko", "Ani"]
_LAST = ["Santoso", "Wulandari", "Prasetyo", "Lestari", "Riyadi", "Rahayu", "Setiawan", "Kurniawati", "Hidayat"]


def _search():
    try:
        from queueing.desk.selectors import patient_search  # after the desk moved into its package
    except ModuleNotFoundError:
        from queueing.desk_selectors import patient_search
    return patient_search


def _identity(i: int) -> tuple[str, dt.date, str, str]:
    from families.validators import encode_nik

    birth = dt.date(1940, 1, 1) + dt.timedelta(days=i % 29_000)
    sex = "L" if i % 2 else "P"
    nik = encode_nik(region="330201", birth_date=birth, sex=sex, serial=f"{i // 29_000 + 1:04d}")
    return nik, birth, sex, f"3302011503{i // 4:06d}"  # four people per family card


def populate(count: int) -> None:
    from families.models import Patient

    rng = random.Random(2026)
    batch = []
    for i in range(count):
        nik, birth, sex, kk = _identity(i)
        batch.append(
            Patient(
                mrn=f"{i + 1:08d}",
                full_name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                sex=sex,
                birth_date=birth,
                nik=nik,
                kk_number=kk,
                bpjs_number=f"{rng.randrange(10**12, 10**13):013d}",
                birth_place="Banyumas",
                address_street=f"Jl. Melati No. {i % 200 + 1}",
                address_village="Berkoh",
                phone="+6281234567890",
            )
        )
        if len(batch) == 5000:
            Patient.objects.bulk_create(batch)
            batch = []
    if batch:
        Patient.objects.bulk_create(batch)


def _timed(search, terms: list[str], expect: int | None) -> list[float]:
    times = []
    for term in terms:
        started = time.perf_counter()
        found = search(term)
        times.append((time.perf_counter() - started) * 1000)
        if expect is not None and len(found) != expect:
            raise AssertionError(f"{term!r}: {len(found)} results, expected {expect}")
    return times


def _report(label: str, times: list[float]) -> None:
    times.sort()
    print(
        f"{label:<28} median {statistics.median(times):6.2f} ms   p95 {times[int(len(times) * 0.95)]:6.2f} ms",
        flush=True,
    )


def main(count: int | None = None) -> None:
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    count = count or int(os.environ.get("BENCH_PATIENTS", DEFAULT_PATIENTS))
    search = _search()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        populate(count)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE families_patient" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"{count:,} patients on {connection.vendor} in {time.perf_counter() - started:.1f} s", flush=True)
        rng = random.Random(7)
        picks = [rng.randrange(count) for _ in range(PROBES)]
        niks = [_identity(i)[0] for i in picks]
        misses = [f"3302015{nik[7:12]}9{nik[13:]}" for nik in niks]  # serial 9xxx: never generated
        kks = [_identity(i - i % 4)[3] for i in picks if i - i % 4 + 3 < count]
        names = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(PROBES // 4)]
        results: dict[str, list[float]] = {
            "NIK (found)": [],
            "NIK (not found)": [],
            "KK (family of 4)": [],
            "name (25 rows shown)": [],
        }
        _timed(search, niks[:20], 1)  # warm the connection and the caches
        for _round in range(ROUNDS):
            results["NIK (found)"] += _timed(search, niks, 1)
            results["NIK (not found)"] += _timed(search, misses, 0)
            results["KK (family of 4)"] += _timed(search, kks, 4)
            results["name (25 rows shown)"] += _timed(search, names, None)
        for label, times in results.items():
            _report(label, times)
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
