"""Scale of data (issue 16): the phone's journey and the clerk's pages on 1,000,000 bookings.

    make bench BENCH_ARGS=scale                        # 1,000,000 bookings, 500,000 patients
    BENCH_SCALE_BOOKINGS=100000 BENCH_SCALE_PATIENTS=50000 make bench BENCH_ARGS=scale   # a quick run

A throwaway PostgreSQL database (`<DATABASE_URL's name>_bench_scale`) is migrated and measured
twice on the production settings' gunicorn server (bench/booking.py's): empty, then after
loading the rows. The rows are written by set-based SQL (INSERT ... SELECT FROM generate_series),
not the ORM row by row: three facilities of five clinics, a doctor's session at each clinic
every day, about two years of exam dates (most past, a month ahead), the statuses a real day
leaves (served, no-show, cancelled, rejected in the past; verified, checked-in, requested
today), so that today has a normal day's load (a few hundred bookings per facility); then
VACUUM (ANALYZE) and a CHECKPOINT. Patients have names, birth dates and medical record numbers (no NIK: the name search
is what is measured; NIK lookups go through the blind index's unique index).

Measured each time:
- the journey: BENCH_SCALE_CLIENTS signed-in phones each walking BENCH_SCALE_JOURNEYS bookings
  exactly as bench/booking.py's browser phase does (the same walker: dashboard, every step's
  page and answer, confirm, result, my bookings), at a new clinic of the default facility:
  every page's median / p95 and the whole journey's p95; the ratio loaded / empty (target 1.3);
- the clerk's pages, one clerk of the default facility, BENCH_SCALE_REPEATS requests each in turn:
  the admin booking list (opens on today), the patient search by name at the counter (a common
  name fragment, a rare surname, a name nobody has) and in the admin's patient list, the
  check-in (the code's lookup, and the POST that checks in), the day's register; median / p95
  against 300 ms.

The database is dropped at the end. Loopback only.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import booking, databases

BOOKINGS = int(os.environ.get("BENCH_SCALE_BOOKINGS", "1000000"))
PATIENTS = int(os.environ.get("BENCH_SCALE_PATIENTS", "500000"))
CLIENTS = int(os.environ.get("BENCH_SCALE_CLIENTS", "4"))
JOURNEYS = int(os.environ.get("BENCH_SCALE_JOURNEYS", "10"))
REPEATS = int(os.environ.get("BENCH_SCALE_REPEATS", "15"))
DAYS, AHEAD = 730, 30  # exam dates: two years, the last month of them still to come
FACILITIES, CLINICS = 3, 5  # clinics per facility, each with one doctor's session every day
TARGET_RATIO, TARGET_MS = 1.3, 300

_FIRST = [
    "Budi", "Siti", "Agus", "Dewi", "Slamet", "Sri", "Bambang", "Wulan", "Eko", "Rina", "Joko", "Ani",
    "Ahmad", "Nur", "Putri", "Rudi", "Yanti", "Hendra", "Fitri", "Dian", "Muhammad", "Ratna", "Teguh", "Lina",
]  # fmt: skip
_MIDDLE = ["", "", "", "", "Adi", "Dwi", "Tri", "Eka", "Kusuma", "Indah", "Puspita", "Nugroho"]
_LAST = [
    "Santoso", "Wulandari", "Prasetyo", "Lestari", "Riyadi", "Rahayu", "Setiawan", "Kurniawati", "Hidayat",
    "Saputra", "Susanti", "Wibowo", "Handayani", "Purnomo", "Fauzi", "Maharani", "Sulistyo", "Anggraini",
]  # fmt: skip
RARE_SURNAME = "Tambunan"  # one patient in 10,000
SEARCHES = {"common": "budi", "rare": RARE_SURNAME.lower(), "none": "zulkarnaen"}


# --- loading, in a subprocess pointed at the bench database ------------------------------------------


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def _pick(words: list[str], salt: str, key: str = "g") -> str:
    """A pseudo-random (hash of the row number) element of `words`, in SQL."""
    return f"({_sql_array(words)})[1 + mod(abs(hashtext('{salt}' || {key})), {len(words)})]"


def _code_sql(key: str) -> str:
    """A unique booking code for row number `key`: a bijection of 0..31**8-1 (a multiplier prime
    to 31) written in CODE_ALPHABET, so that no two rows share one and they do not look sequential."""
    from queueing.models import CODE_ALPHABET, CODE_LENGTH

    base = len(CODE_ALPHABET)
    x = f"mod({key}::bigint * 1000003, {base**CODE_LENGTH}::bigint)"
    return " || ".join(
        f"substr('{CODE_ALPHABET}', 1 + mod({x} / {base**k}::bigint, {base})::int, 1)" for k in range(CODE_LENGTH)
    )


def _coprime(n: int) -> int:
    import math

    return next(p for p in (7919, 7927, 7933, 7937) if math.gcd(p, n) == 1)


def structure() -> tuple[list, list]:
    """Facilities, clinics, doctors and their schedules (the ORM: a few rows), made once: the
    empty database gets them too, so that both journeys ask the same steps (the facility step)."""
    import datetime as dt

    from facilities.models import Facility, default_facility
    from queueing.models import Clinic, Doctor, Schedule

    facilities = [default_facility()] + [
        Facility.objects.get_or_create(name=f"Puskesmas Bench {i}", defaults={"sort_order": i})[0]
        for i in range(1, FACILITIES)
    ]
    if Clinic.objects.filter(code="S00").exists():
        return facilities, list(Schedule.objects.filter(clinic__code__regex=r"^S[0-9]{2}$").order_by("pk"))
    schedules = []
    for f, facility in enumerate(facilities):
        for c in range(CLINICS):
            clinic = Clinic.objects.create(facility=facility, code=f"S{f}{c}", name=f"Poli {f}-{c}", prefix=f"S{f}{c}")
            doctors = [Doctor.objects.create(facility=facility, name=f"dr. Scale {f}-{c}-{d}") for d in range(2)]
            for weekday in range(7):  # two doctors taking turns, a session every day
                schedules.append(
                    Schedule.objects.create(
                        doctor=doctors[weekday % 2],
                        clinic=clinic,
                        weekday=weekday,
                        start_time=dt.time(8, 0),
                        end_time=dt.time(14, 0),
                        total_quota=400,
                        online_quota=400,
                        minutes_per_patient=3,
                    )
                )
    return facilities, schedules


def setup_structure() -> None:
    import django

    django.setup()
    structure()
    print("{}")


def load() -> None:
    """The structure (above), then accounts, patients, records, links, day quotas and bookings
    (set-based SQL), then VACUUM (ANALYZE) and a CHECKPOINT. One JSON line on stdout."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import User
    from families.models import AccountPatient, Patient, PatientRecord
    from guarantors.models import GuarantorType
    from queueing.models import Booking, Clinic, DayQuota

    started = time.perf_counter()
    facilities, schedules = structure()
    umum = GuarantorType.objects.get_or_create(code="umum", defaults={"name": "Umum"})[0]
    today = facilities[0].local_today()
    first_day = today - dt.timedelta(days=DAYS - AHEAD)
    sessions = len(schedules) // 7 * DAYS
    per_session = -(-BOOKINGS // sessions)  # places per session (the most any session holds)
    accounts = max(PATIENTS // 5, 1)
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        now = "now()"
        counts["accounts"] = databases.insert_select(
            User,
            {
                "email": "'scale-' || g || '@example.com'",
                "full_name": f"{_pick(_FIRST, 'uf')} || ' ' || {_pick(_LAST, 'ul')}",
                "password": f"'{make_password(None)}'",  # unusable: these accounts never sign in
                "email_confirmed_at": now,
                "date_joined": now,
            },
            "generate_series(1, %s) AS g",
            (accounts,),
        )
        name = (
            f"{_pick(_FIRST, 'f')} || ' ' || coalesce(nullif({_pick(_MIDDLE, 'm')}, '') || ' ', '') || "
            f"CASE WHEN mod(g, 10000) = 0 THEN '{RARE_SURNAME}' ELSE {_pick(_LAST, 'l')} END"
        )
        counts["patients"] = databases.insert_select(
            Patient,
            {
                "id": "md5('scale-patient-' || g)::uuid",
                "mrn": "CASE WHEN mod(g, 3) = 0 THEN lpad(g::text, 8, '0') END",  # the default facility's mirror
                "full_name": name,
                "sex": "CASE WHEN mod(g, 2) = 0 THEN 'P' ELSE 'L' END",
                "birth_date": "date '1940-01-01' + mod(abs(hashtext('b' || g)), 30000)",
                "birth_place": "'Banyumas'",
                "address_street": "'Jl. Melati No. ' || (1 + mod(g, 200))",
                "address_village": _pick(["Berkoh", "Teluk", "Karangpucung", "Sokaraja Kulon"], "v"),
                "created_at": now,
                "updated_at": now,
            },
            "generate_series(1, %s) AS g",
            (PATIENTS,),
        )
        # Each patient's record where they first came (facility g mod 3), a fifth also at the next one.
        ids = [f.pk for f in facilities]
        facility_of = f"(ARRAY{ids})[1 + mod(g, {len(ids)})]"
        counts["records"] = databases.insert_select(
            PatientRecord,
            {
                "patient_id": "md5('scale-patient-' || g)::uuid",
                "facility_id": facility_of,
                "mrn": "lpad(g::text, 8, '0')",
            },
            "generate_series(1, %s) AS g",
            (PATIENTS,),
        )
        counts["records"] += databases.insert_select(
            PatientRecord,
            {
                "patient_id": "md5('scale-patient-' || g)::uuid",
                "facility_id": f"(ARRAY{ids})[1 + mod(g + 1, {len(ids)})]",
                "mrn": "'1' || lpad(g::text, 7, '0')",
            },
            "generate_series(5, %s, 5) AS g",
            (PATIENTS,),
        )
        cursor.execute(f"SELECT min(id) FROM {User._meta.db_table} WHERE email LIKE 'scale-%%'")
        first_account = cursor.fetchone()[0]
        account_of = f"{first_account} + mod(g, {accounts})"  # five patients per account
        counts["links"] = databases.insert_select(
            AccountPatient,
            {
                "account_id": account_of,
                "patient_id": "md5('scale-patient-' || g)::uuid",
                "relationship": "'other'",
                "created_at": now,
                "verified_at": now,
            },
            "generate_series(1, %s) AS g",
            (PATIENTS,),
        )
        # One day quota per session (schedule x date of its weekday), each with per_session places.
        schedule_rows = ", ".join(f"({s.pk}, {s.weekday}, {s.clinic_id}, {s.doctor_id})" for s in schedules)
        cursor.execute(
            f"CREATE TEMP TABLE scale_session ON COMMIT DROP AS "
            f"SELECT row_number() OVER (ORDER BY d, s.id) AS n, s.id AS schedule_id, s.clinic_id, s.doctor_id, "
            f"d::date AS date FROM (VALUES {schedule_rows}) AS s (id, weekday, clinic_id, doctor_id) "
            f"JOIN generate_series(%s::date, %s::date, interval '1 day') AS d "
            f"ON extract(isodow FROM d) - 1 = s.weekday",
            (first_day, first_day + dt.timedelta(days=DAYS - 1)),
        )
        counts["day_quotas"] = databases.insert_select(
            DayQuota,
            {"schedule_id": "schedule_id", "date": "date", "quota": str(per_session)},
            "scale_session",
        )
        patient_of = f"1 + mod(b.s * {_coprime(PATIENTS)}, {PATIENTS})"  # distinct within a day: no double booking
        # Statuses as the day leaves them: r is a pseudo-random percentile per booking.
        status = (
            "CASE WHEN b.date < %(today)s THEN (CASE WHEN b.r < 82 THEN 'served' WHEN b.r < 90 THEN 'no_show' "
            "WHEN b.r < 96 THEN 'cancelled' ELSE 'rejected' END) "
            "WHEN b.date = %(today)s THEN (CASE WHEN b.r < 20 THEN 'served' WHEN b.r < 40 THEN 'checked_in' "
            "WHEN b.r < 90 THEN 'verified' WHEN b.r < 95 THEN 'cancelled' ELSE 'requested' END) "
            "ELSE (CASE WHEN b.r < 85 THEN 'verified' WHEN b.r < 93 THEN 'requested' ELSE 'cancelled' END) END"
        )
        # Session n (in date order) holds the bookings floor(B(n-1)/S)+1 .. floor(Bn/S): every
        # session about B/S, exactly B in all; s numbers the bookings in date order.
        first = f"((ss.n - 1) * %(bookings)s::bigint / {sessions})"
        source = (
            f"(SELECT q.id AS dq, q.date, ss.clinic_id, ss.doctor_id, n.n AS number, {first} + n.n AS s, "
            f"mod(abs(hashtext('r' || ss.n || '.' || n.n)), 100) AS r "
            f"FROM scale_session ss JOIN {DayQuota._meta.db_table} q ON q.schedule_id = ss.schedule_id "
            f"AND q.date = ss.date CROSS JOIN generate_series(1, {per_session}) AS n (n) "
            f"WHERE n.n <= ss.n * %(bookings)s::bigint / {sessions} - {first}) AS b "
            f"JOIN {Clinic._meta.db_table} c ON c.id = b.clinic_id"
        )
        exprs = {
            "id": "gen_random_uuid()",
            "code": _code_sql("b.s"),
            "confirm_token": "gen_random_uuid()",
            "patient_id": f"md5('scale-patient-' || ({patient_of}))::uuid",
            "account_id": f"{first_account} + mod({patient_of}, {accounts})",
            "day_quota_id": "b.dq",
            "date": "b.date",
            "clinic_id": "b.clinic_id",
            "doctor_id": "b.doctor_id",
            "status": status,
            "number": f"CASE WHEN ({status}) IN ('rejected', 'requested') THEN NULL ELSE b.number END",
            "label": "c.prefix || '-' || lpad(b.number::text, 3, '0')",
            "estimated_time": "time '08:00' + (b.number - 1) * interval '3 minutes'",
            "reject_reason": f"CASE WHEN ({status}) = 'rejected' THEN 'Rujukan tidak berlaku' ELSE '' END",
            "guarantor_id": str(umum.pk),
            "channel": "CASE WHEN mod(b.r, 5) = 0 THEN 'counter' ELSE 'online' END",
            "created_at": "b.date - interval '3 days'",
            "updated_at": "b.date - interval '3 days'",
            "registered_at": "b.date - interval '3 days'",
        }
        # %(name)s parameters for the booking source: the helper passes defaults positionally, so
        # the named ones are written in as literals here (dates and counts, nothing typed by anyone).
        literals = {"today": f"date '{today.isoformat()}'", "bookings": str(BOOKINGS)}
        exprs = {k: v % literals if "%(" in v else v for k, v in exprs.items()}
        counts["bookings"] = databases.insert_select(Booking, exprs, source % literals)
        # The counters the booking services keep: places taken and the last number handed out.
        cursor.execute(
            f"UPDATE {DayQuota._meta.db_table} q SET active_count = b.active, last_number = b.last "
            f"FROM (SELECT day_quota_id, count(*) FILTER (WHERE status IN "
            f"('requested', 'verified', 'checked_in', 'served', 'no_show')) AS active, "
            f"coalesce(max(number), 0) AS last FROM {Booking._meta.db_table} GROUP BY day_quota_id) b "
            f"WHERE q.id = b.day_quota_id"
        )
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        # A database in service has been vacuumed and checkpointed: without this, autovacuum of the
        # fresh gigabyte (PostgreSQL vacuums after many inserts) and the checkpoint writing it out
        # would run during the measurement and be counted as the data's cost.
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")
        cursor.execute(f"SELECT count(*) FROM {Booking._meta.db_table} WHERE date = %s", [today])
        counts["today"] = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT count(*) FROM {Booking._meta.db_table} b JOIN {Clinic._meta.db_table} c ON c.id = b.clinic_id "
            f"WHERE b.date = %s AND c.facility_id = %s",
            [today, facilities[0].pk],
        )
        counts["today_here"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["size"] = cursor.fetchone()[0]
    counts["seconds"] = round(loaded, 1)
    counts["vacuum_seconds"] = round(time.perf_counter() - started - loaded, 1)
    print(json.dumps(counts))


def setup_clerk() -> None:
    """A registration clerk of the default facility, signed in (a session as login() leaves it),
    and today's verified bookings there to check in. One JSON line on stdout."""
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from facilities.models import FacilityMembership, FacilityRole, default_facility
    from queueing.desk.services import clerk_group_ensure
    from queueing.models import Booking, BookingStatus

    facility = default_facility()
    tag = os.environ["BENCH_TAG"]
    clerk = User.objects.create(
        email=f"scale-clerk-{tag}@rsud.example",
        full_name="Dewi Petugas",
        is_staff=True,
        email_confirmed_at=timezone.now(),
    )
    clerk.groups.add(clerk_group_ensure())
    FacilityMembership.objects.create(user=clerk, facility=facility, role=FacilityRole.CLERK)
    session, _wizards = booking._signed_in_session(clerk, [])
    cookie, token = booking._csrf_pair()
    codes = list(
        Booking.objects.filter(date=facility.local_today(), clinic__facility=facility, status=BookingStatus.VERIFIED)
        .order_by("code")
        .values_list("code", flat=True)[:REPEATS]
    )
    print(json.dumps({"session": session, "csrf_cookie": cookie, "csrf_token": token, "codes": codes}))


# --- measuring ------------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.95 + 0.5) - 1, 0)]


def _journeys(env: dict, port: int, serial: int) -> dict:
    """CLIENTS phones, each JOURNEYS bookings through bench/booking.py's browser walker at once."""
    from bench.booking_load import Client

    plan = json.loads(
        booking._python(
            "import bench.booking as b; b.setup_data()",
            dict(
                env,
                BENCH_TAG=f"scale{serial}",
                BENCH_SERIAL=str(serial),
                BENCH_BOOKING_RUSH="0",
                BENCH_BOOKING_CLIENTS=str(CLIENTS),
                BENCH_BOOKING_JOURNEYS=str(JOURNEYS),
            ),
        )
    )
    pages: list[tuple[str, float, int]] = []
    journeys: list[float] = []
    errors: list[str] = []

    def phone(i: int) -> None:
        client = Client(port)
        try:
            client.login(plan["accounts"][i])
            client.request("GET", "/beranda/")  # a warm connection, as a phone that just signed in
            for patient in plan["browser_patients"][i]:
                mine: list = []
                started = time.perf_counter()
                if not client.browse(plan, patient, mine):
                    raise RuntimeError("a journey did not end with a booking")
                journeys.append(time.perf_counter() - started)
                pages.extend(mine)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"{exc.__class__.__name__}: {exc}"[:300])
        finally:
            client.close()

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"journeys failed: {errors[:3]}")
    by_page: dict[str, list[tuple[float, int]]] = {}
    for name, seconds, queries in pages:
        by_page.setdefault(name, []).append((seconds * 1000, queries))
    return {
        "journey_p95": _p95([s * 1000 for s in journeys]),
        "journey_median": statistics.median(journeys) * 1000,
        "journeys": len(journeys),
        "page_p95": _p95([s * 1000 for _n, s, _q in pages]),
        "pages": {
            name: (statistics.median(ms for ms, _q in hits), _p95([ms for ms, _q in hits]), hits[0][1])
            for name, hits in by_page.items()
        },
    }


def _clerk(env: dict, port: int, serial: int) -> dict:
    """Each clerk page REPEATS times in turn (one clerk at the counter): (median, p95, queries, note)."""
    from bench.booking_load import Client

    plan = json.loads(booking._python("import bench.scale as s; s.setup_clerk()", dict(env, BENCH_TAG=str(serial))))
    client = Client(port, {"sessionid": plan["session"], "csrftoken": plan["csrf_cookie"]})
    token = plan["csrf_token"]
    desk = "/antrian/loket/"
    client.request("GET", desk)  # a warm connection and worker
    pages: dict[str, tuple[str, str, dict | None, int]] = {
        "admin bookings today": ("GET", "/admin/queueing/booking/", None, 200),
        "admin bookings, search 'budi'": ("GET", "/admin/queueing/booking/?q=budi", None, 200),
        **{
            f"desk search '{term}' ({kind})": ("POST", f"{desk}daftar/", {"q": term}, 200)
            for kind, term in SEARCHES.items()
        },
        **{
            f"admin patients '{term}' ({kind})": (
                "GET",
                f"/admin/families/patient/?{urlencode({'q': term})}",
                None,
                200,
            )
            for kind, term in SEARCHES.items()
        },
        "register": ("GET", f"{desk}register/", None, 200),
    }
    results = {}
    for name, (method, path, data, expect) in pages.items():
        times, queries, sizes, failed = [], 0, [], []
        for _n in range(REPEATS):
            body = {"csrfmiddlewaretoken": token, **data} if data else None
            started = time.perf_counter()
            status, _location, page = client.request(method, path, body)
            times.append((time.perf_counter() - started) * 1000)
            if status != expect:  # a 503 is the statement timeout (10 s): noted, not fatal
                failed.append(status)
            queries, sizes = client.last_queries, [*sizes, len(page)]
        note = f"{len(failed)} x status {sorted(set(failed))}" if failed else f"{max(sizes) // 1024} KB"
        results[name] = (statistics.median(times), _p95(times), queries, note)
    lookups, posts, failed_posts = [], [], 0
    for code in plan["codes"]:
        started = time.perf_counter()
        status, _l, _p = client.request("GET", f"{desk}check-in/?{urlencode({'kode': code})}")
        lookups.append((time.perf_counter() - started) * 1000)
        lookup_queries = client.last_queries
        started = time.perf_counter()
        status, location, _p = client.request("POST", f"{desk}check-in/", {"csrfmiddlewaretoken": token, "code": code})
        posts.append((time.perf_counter() - started) * 1000)
        failed_posts += status != 302
        post_queries = client.last_queries
    if lookups:
        results["check-in lookup"] = (statistics.median(lookups), _p95(lookups), lookup_queries, "")
        note = f"{failed_posts} failed" if failed_posts else ""
        results["check-in POST"] = (statistics.median(posts), _p95(posts), post_queries, note)
    client.close()
    return results


def _measure(env: dict, label: str, serial: int) -> dict:
    port = booking._free_port()
    server = booking._start_server(env, port, extra=("--access-logfile", "/dev/null"))
    try:
        load_before = os.getloadavg()[0]
        journeys = _journeys(env, port, serial)
        print(
            f"  {label}: load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}; {journeys['journeys']} "
            f"journeys by {CLIENTS} phones at once: journey median {journeys['journey_median']:.0f} ms, p95 "
            f"{journeys['journey_p95']:.0f} ms; any page p95 {journeys['page_p95']:.0f} ms",
            flush=True,
        )
        print(
            "    pages (median/p95 ms, queries): "
            + "; ".join(f"{n} {m:.0f}/{p:.0f} {q}q" for n, (m, p, q) in journeys["pages"].items()),
            flush=True,
        )
        load_before = os.getloadavg()[0]
        clerk = _clerk(env, port, serial)
        print(f"    clerk's pages (load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}):")
        for name, (median, p95, queries, note) in clerk.items():
            verdict = "ok" if p95 < TARGET_MS and "fail" not in note and "status" not in note else "NOT MET"
            print(f"    {name:38s} median {median:6.0f} ms  p95 {p95:6.0f} ms  {queries:3d} queries  {note}  {verdict}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"journeys": journeys, "clerk": clerk}


def main() -> None:
    from django.db import connections

    connections.close_all()
    env = booking.production_env()
    env.pop("CACHE_URL", None)
    env["DATABASE_URL"], drop = databases.throwaway("bench_scale")
    if not env["DATABASE_URL"].startswith("postgres"):
        drop()
        print("[scale] skipped: PostgreSQL only (set DATABASE_URL)")
        return
    base = Path(__file__).resolve().parent.parent
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=base, check=True, timeout=600
        )
        print(
            f"PostgreSQL; gunicorn {booking.WORKERS} workers x {booking.THREADS} threads; {os.cpu_count()} cores "
            f"shared by server, database and clients; {CLIENTS} phones x {JOURNEYS} journeys; clerk pages "
            f"{REPEATS} times each",
            flush=True,
        )
        booking._python("import bench.scale as s; s.setup_structure()", env)
        empty = _measure(env, "empty database (the facilities, clinics and schedules only)", 1)
        load_env = dict(env, DB_STATEMENT_TIMEOUT_MS="0")  # loading a million rows takes longer than a request may
        started = time.perf_counter()
        counts = json.loads(booking._python("import bench.scale as s; s.load()", load_env))
        print(
            f"  loaded in {time.perf_counter() - started:.0f} s (load average {os.getloadavg()[0]:.2f}): "
            + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()),
            flush=True,
        )
        loaded = _measure(env, f"{counts['bookings']:,} bookings, {counts['patients']:,} patients", 2)
    finally:
        drop()
    ratio = loaded["journeys"]["journey_p95"] / empty["journeys"]["journey_p95"]
    page_ratio = loaded["journeys"]["page_p95"] / empty["journeys"]["page_p95"]
    print(
        f"summary: journey p95 {empty['journeys']['journey_p95']:.0f} -> {loaded['journeys']['journey_p95']:.0f} ms "
        f"= {ratio:.2f}x (any page's p95 {page_ratio:.2f}x), target {TARGET_RATIO}x: "
        f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}; clerk pages over {TARGET_MS} ms at p95: "
        + (", ".join(n for n, (_m, p, _q, _s) in loaded["clerk"].items() if p >= TARGET_MS) or "none")
    )
