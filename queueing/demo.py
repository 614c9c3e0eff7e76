"""Demo clinics, doctors and weekly schedules for `manage.py loaddemo` (idempotent).

Two facilities (facilities.demo): the RSUD with its eleven clinics, and seed 001's puskesmas in
Bali (WITA) with the four poli PCare knows (umum, gigi, KIA, KB); a clerk works at each.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from facilities import demo as facility_demo
from facilities.models import FacilityMembership, FacilityRole
from queueing.jkn.models import AntreanBridge
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


PUSKESMAS_CLINICS = [
    ("UMUM", "Poli Umum", "001", "UMUM"),
    ("GIGI", "Poli Gigi", "002", "GIGI"),
    ("KIA", "Poli KIA", "003", "KIA"),
    ("KB", "Poli KB", "008", "KB"),
]
PUSKESMAS_SCHEDULES = [
    ("UMUM", "dr. I Gusti Ayu Putri", MON_SAT, "07:30", "12:00", 40, 25, 6),
    ("GIGI", "drg. Komang Wirawan", MON_SAT, "08:00", "11:30", 12, 8, 15),
    ("KIA", "Bd. Ni Luh Sukerti, A.Md.Keb.", MON_SAT, "08:00", "11:00", 20, 12, 8),
    ("KB", "Bd. Ni Made Suastini, A.Md.Keb.", (0, 2, 4), "08:00", "11:00", 15, 10, 10),
]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


# Mobile JKN (RSUD only, a hospital): HFIS doctor codes, a third of each online quota kept for
# Mobile JKN, and the WS RS login a local caller uses (README "Mobile JKN bridge"; demo data only).
DEMO_WS_USERNAME = "rsud-demo"
DEMO_WS_PASSWORD = "mobile-jkn-demo-2026"
HFIS_FIRST_CODE = 31001


def _facility_clinics(facility, clinics, schedules, *, jkn: bool = False) -> None:
    by_code = {}
    for order, (code, name, bpjs_code, prefix) in enumerate(clinics):
        by_code[code], _created = Clinic.objects.get_or_create(
            facility=facility,
            code=code,
            defaults={"name": name, "bpjs_code": bpjs_code, "prefix": prefix, "sort_order": order},
        )
    for index, (clinic_code, doctor_name, weekdays, start, end, total, online, minutes) in enumerate(schedules):
        doctor, _created = Doctor.objects.get_or_create(
            facility=facility, name=doctor_name, defaults={"bpjs_code": str(HFIS_FIRST_CODE + index) if jkn else ""}
        )
        for weekday in weekdays:
            Schedule.objects.get_or_create(
                doctor=doctor,
                weekday=weekday,
                start_time=_time(start),
                defaults={
                    "clinic": by_code[clinic_code],
                    "end_time": _time(end),
                    "total_quota": total,
                    "online_quota": online,
                    "jkn_quota": online // 3 if jkn else 0,
                    "minutes_per_patient": minutes,
                },
            )
    BookingSettings.load(facility.pk)


def load() -> dict[str, int]:
    """Running it again changes nothing: rows are found by their natural keys."""
    facilities = facility_demo.load()
    _facility_clinics(facilities["rsud"], CLINICS, SCHEDULES, jkn=True)
    _mobile_jkn_bridge(facilities["rsud"])
    _facility_clinics(facilities["puskesmas"], PUSKESMAS_CLINICS, PUSKESMAS_SCHEDULES)
    _clerks_at_their_counters(facilities)
    _health_office(facilities)
    return {"clinics": Clinic.objects.count(), "schedules": Schedule.objects.count()}


def _clerks_at_their_counters(facilities) -> None:
    """The demo clerks (made by accounts.demo) work the counter as "Petugas Pendaftaran", one per facility."""
    from accounts.demo import DEMO_CLERK_EMAIL, DEMO_PUSKESMAS_CLERK_EMAIL
    from queueing.desk.services import clerk_group_ensure

    group = clerk_group_ensure()
    for email, facility in (
        (DEMO_CLERK_EMAIL, facilities["rsud"]),
        (DEMO_PUSKESMAS_CLERK_EMAIL, facilities["puskesmas"]),
    ):
        clerk = get_user_model().objects.filter(email=email).first()
        if clerk is not None:
            clerk.groups.add(group)
            FacilityMembership.objects.get_or_create(user=clerk, facility=facility, role=FacilityRole.CLERK)


def _mobile_jkn_bridge(facility) -> None:
    """The RSUD takes Mobile JKN bookings; no BPJS address: the local Antrean simulator."""
    bridge, created = AntreanBridge.objects.get_or_create(facility=facility, defaults={"ws_username": DEMO_WS_USERNAME})
    if created:
        bridge.set_ws_password(DEMO_WS_PASSWORD)
        bridge.enabled = True
        bridge.save()


def _health_office(facilities) -> None:
    """The demo Dinas Kesehatan account (accounts.demo) oversees both facilities: figures only (/antrian/dinas/)."""
    from accounts.demo import DEMO_HEALTH_OFFICE_EMAIL

    office = get_user_model().objects.filter(email=DEMO_HEALTH_OFFICE_EMAIL).first()
    if office is not None:
        for facility in facilities.values():
            FacilityMembership.objects.get_or_create(user=office, facility=facility, role=FacilityRole.HEALTH_OFFICE)
