"""Demo clinics, doctors and weekly schedules for `manage.py loaddemo` (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from queueing.models import BookingSettings, Clinic, Doctor, Schedule

# code, name, BPJS clinic code, label prefix
CLINICS = [
    ("UMUM", "Poli Umum", "UMU", "UMUM"),
    ("GIGI", "Poli Gigi dan Mulut", "GIG", "GIGI"),
    ("KIA", "Poli Kesehatan Ibu dan Anak (KIA)", "", "KIA"),
    ("KB", "Poli Keluarga Berencana (KB)", "", "KB"),
    ("ANAK", "Poli Anak", "ANA", "ANAK"),
    ("DALAM", "Poli Penyakit Dalam", "INT", "DLM"),
    ("BEDAH", "Poli Bedah", "BED", "BDH"),
    ("OBGYN", "Poli Kebidanan dan Kandungan", "OBG", "OBG"),
    ("SARAF", "Poli Saraf", "SAR", "SRF"),
    ("MATA", "Poli Mata", "MAT", "MATA"),
    ("THT", "Poli THT-KL", "THT", "THT"),
]

MON_SAT = range(0, 6)
MON_FRI = range(0, 5)
# clinic, doctor, weekdays, start, end, total quota, online quota, minutes per patient
SCHEDULES = [
    ("UMUM", "dr. Andi Pratama", MON_SAT, "07:30", "12:00", 50, 30, 6),
    ("UMUM", "dr. Maya Anggraini", MON_FRI, "13:00", "16:00", 30, 20, 6),
    ("GIGI", "drg. Rina Kusumawati", MON_SAT, "08:00", "12:00", 16, 10, 15),
    ("KIA", "Bd. Siti Aminah, S.Tr.Keb.", MON_SAT, "08:00", "12:00", 30, 20, 8),
    ("KB", "Bd. Nur Hidayah, S.Tr.Keb.", MON_SAT, "08:00", "11:00", 20, 12, 10),
    ("ANAK", "dr. Dewi Lestari, Sp.A", MON_SAT, "08:00", "12:00", 30, 20, 8),
    ("DALAM", "dr. Bambang Wijaya, Sp.PD", MON_FRI, "08:00", "13:00", 40, 25, 7),
    ("DALAM", "dr. Fitri Rahmawati, Sp.PD", (5,), "08:00", "11:00", 20, 12, 8),
    ("BEDAH", "dr. Hendra Gunawan, Sp.B", (0, 2, 4), "09:00", "12:00", 20, 12, 9),
    ("OBGYN", "dr. Sri Handayani, Sp.OG", MON_SAT, "08:00", "12:00", 30, 20, 8),
    ("SARAF", "dr. Yuliana Putri, Sp.N", (1, 3, 5), "09:00", "12:00", 20, 12, 9),
    ("MATA", "dr. Agus Setiawan, Sp.M", (0, 1, 3, 4), "08:00", "12:00", 25, 15, 9),
    ("THT", "dr. Ratna Sari, Sp.THT-KL", (0, 2, 4, 5), "08:30", "12:00", 20, 12, 10),
]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def load() -> dict[str, int]:
    """Running it again changes nothing: rows are found by their natural keys."""
    clinics = {}
    for order, (code, name, bpjs_code, prefix) in enumerate(CLINICS):
        clinics[code], _created = Clinic.objects.get_or_create(
            code=code, defaults={"name": name, "bpjs_code": bpjs_code, "prefix": prefix, "sort_order": order})
    for clinic_code, doctor_name, weekdays, start, end, total, online, minutes in SCHEDULES:
        doctor, _created = Doctor.objects.get_or_create(name=doctor_name)
        for weekday in weekdays:
            Schedule.objects.get_or_create(
                doctor=doctor, weekday=weekday, start_time=_time(start),
                defaults={"clinic": clinics[clinic_code], "end_time": _time(end), "total_quota": total,
                          "online_quota": online, "minutes_per_patient": minutes})
    BookingSettings.load()
    _clerk_in_group()
    return {"clinics": Clinic.objects.count(), "schedules": Schedule.objects.count()}


def _clerk_in_group() -> None:
    """The demo clerk (made by accounts.demo) works the counter as a "Petugas Pendaftaran"."""
    from accounts.demo import DEMO_CLERK_EMAIL
    from queueing.desk.services import clerk_group_ensure

    group = clerk_group_ensure()
    clerk = get_user_model().objects.filter(email=DEMO_CLERK_EMAIL).first()
    if clerk is not None:
        clerk.groups.add(group)
