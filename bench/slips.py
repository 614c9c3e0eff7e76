"""Queue slip rendering speed: `make bench BENCH_ARGS=slips` or `python -m bench slips`."""

from __future__ import annotations

import dataclasses
import random
import statistics
import string
import time
from datetime import date
from datetime import time as clock

from reportlab.lib import rl_accel

from queueing.slips import FORMATS, SlipData, render_slip, render_slips

SLIPS = 300
WARM_UP = 20


def sample_slips(count: int) -> list[SlipData]:
    """Realistic slips, each with its own patient, number and booking code (seeded)."""
    rng = random.Random(6)
    base = SlipData(
        hospital_name="RSUD Sehat Sentosa Kabupaten Kubu Raya",
        hospital_address="Jl. Arteri Supadio No. 12, Sungai Raya, Kubu Raya, Kalimantan Barat 78391",
        hospital_phone="(0561) 123456",
        label=None,
        clinic_name="Poliklinik Gigi dan Mulut",
        doctor_name="drg. Siti Rahmawati, Sp.KG",
        exam_date=date(2026, 11, 23),
        estimated_time=clock(9, 30),
        patient_name="",
        mrn=None,
        guarantor_name="BPJS Kesehatan",
        required_documents=("KTP / KIA asli", "Kartu BPJS Kesehatan / KIS", "Surat rujukan dari FKTP"),
        booking_code="",
    )
    alphabet = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1")
    return [
        dataclasses.replace(
            base,
            label=f"GIGI-{n:03d}",
            patient_name=f"{rng.choice(['Budi', 'Sari', 'Joko', 'Dewi'])} Pasien {n}",
            mrn=f"00-{n:02d}-{rng.randrange(100):02d}-{rng.randrange(100):02d}",
            booking_code="".join(rng.choice(alphabet) for _ in range(8)),
        )
        for n in range(1, count + 1)
    ]


def _per_slip(slips: list[SlipData], fmt: str) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per slip; CPU time shows the cost on a busy machine."""
    for data in slips[:WARM_UP]:
        render_slip(data, fmt)
    wall, cpu = [], []
    for data in slips:
        started, started_cpu = time.perf_counter(), time.thread_time()
        render_slip(data, fmt)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return sorted(wall), sorted(cpu)


def main(count: int = SLIPS) -> None:
    slips = sample_slips(count)
    accelerated = getattr(rl_accel.fp_str, "__module__", None) != rl_accel.__name__
    print(f"{count} slips per format; reportlab C accelerator (rl-accel): {'yes' if accelerated else 'NO'}")
    for fmt in FORMATS:
        ms, cpu = _per_slip(slips, fmt)
        p95 = ms[int(len(ms) * 0.95) - 1]
        started = time.perf_counter()
        render_slips(slips, fmt)
        batch = time.perf_counter() - started
        print(
            f"  {fmt:8} one PDF per slip: median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, "
            f"{1000 / statistics.median(ms):.0f} slips/s (CPU median {statistics.median(cpu):.2f} ms)"
            f" | all {count} in one PDF: "
            f"{batch * 1000:.0f} ms, {count / batch:.0f} slips/s"
        )


if __name__ == "__main__":
    main()
