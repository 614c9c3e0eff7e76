"""Benchmark the monthly outpatient report (reports.selectors.outpatient_report) over 1,000,000 bookings.

    make bench BENCH_ARGS=report                 # 1,000,000 bookings over a year (PostgreSQL only)
    BENCH_REPORT_BOOKINGS=2000000 BENCH_REPORT_DAYS=90 python -m bench report
    BENCH_REPORT_RELOAD=1 python -m bench report  # build the data again

The data lives in a database of its own, <DATABASE_URL's name>_bench_report, kept between runs
(built again when its size or span differs from the one asked for). It is written by SQL alone
(INSERT ... SELECT over generate_series): three facilities with eight clinics each, 150,000
patients, the bookings spread over every clinic-day of the span with the statuses, channels and
guarantors of a real month, and task times 3, 4 and 5 for every served visit. Each report is run
once cold after ANALYZE and then timed ROUNDS times; the median and the slowest are printed.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from bench import databases

DEFAULT_BOOKINGS = 1_000_000
DEFAULT_DAYS = 365
FIRST_DAY = dt.date(2026, 1, 1)
PATIENTS = 150_000
FACILITIES = 3
CLINICS_PER_FACILITY = 8
ROUNDS = 5


def _bench_database() -> str | None:
    """Point Django's connection at the bench database (made if missing); None when not on PostgreSQL."""
    import psycopg2
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return None
    base = connection.settings_dict["NAME"]
    name = os.environ.get("BENCH_REPORT_DB", f"{base}_bench_report")
    connection.close()
    params = {k: v for k, v in connection.get_connection_params().items() if k not in ("options", "database")}
    params["dbname"] = "postgres"
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    connections["default"].settings_dict["NAME"] = name
    # Loading a year of bookings takes longer than a request's statement timeout.
    connections["default"].settings_dict.setdefault("OPTIONS", {})["options"] = "-c statement_timeout=0"
    return name


def _loaded(bookings: int, days: int) -> bool:
    from django.db import connection

    if os.environ.get("BENCH_REPORT_RELOAD"):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(date), max(date) FROM queueing_booking")
        count, first, last = cursor.fetchone()
    # The last clinic-days of the span may stay empty (the bookings are spread a whole number per day).
    end = FIRST_DAY + dt.timedelta(days=days - 1)
    return count == bookings and first == FIRST_DAY and last is not None and end - dt.timedelta(days=7) <= last <= end


def _step(label: str, started: float) -> float:
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return time.perf_counter()


def _places() -> tuple[list[int], list[int], int]:
    """Facilities, clinics, doctors and a schedule per clinic and weekday (ORM: a few hundred rows)."""
    from accounts.models import User
    from facilities.models import Facility
    from guarantors.catalogue import ensure_types
    from guarantors.models import GuarantorType
    from queueing.models import Clinic, Doctor, Schedule

    ensure_types(GuarantorType)
    account, _created = User.objects.get_or_create(email="bench@report.example", defaults={"full_name": "Bench"})
    clinic_ids = []
    for f in range(FACILITIES):
        facility, _created = Facility.objects.get_or_create(name=f"Bench facility {f + 1}")
        for c in range(CLINICS_PER_FACILITY):
            clinic = Clinic.objects.create(facility=facility, code=f"C{c}", name=f"Poli {c + 1}", prefix=f"C{c}")
            doctor = Doctor.objects.create(name=f"dr. Bench {f + 1}-{c + 1}", facility=facility)
            Schedule.objects.bulk_create(
                Schedule(
                    doctor=doctor,
                    clinic=clinic,
                    weekday=day,
                    start_time=dt.time(8),
                    end_time=dt.time(14),
                    total_quota=1000,
                    online_quota=1000,
                )
                for day in range(7)
            )
            clinic_ids.append(clinic.pk)
    return clinic_ids, list(GuarantorType.objects.values_list("pk", flat=True)), account.pk


def _empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE queueing_tasktime, queueing_bookingevent, queueing_bookingdocument, queueing_booking,"
            " queueing_dayquota, queueing_schedule, queueing_doctor, queueing_clinic, families_patient CASCADE"
        )


def load(bookings: int, days: int) -> None:
    from django.db import connection

    from families.models import Patient
    from queueing.models import Booking, DayQuota, TaskTime

    started = mark = time.perf_counter()
    _empty()
    clinic_ids, guarantor_ids, account_id = _places()
    mark = _step("facilities, clinics, schedules", mark)
    databases.insert_select(
        Patient,
        {
            "id": "md5('p' || g)::uuid",
            "full_name": "'Pasien ' || g",
            "sex": "CASE WHEN mod(g, 2) = 0 THEN 'L' ELSE 'P' END",
            # Newborns to 95-year-olds: every age band has visits.
            "birth_date": "DATE '2026-06-30' - mod(g * 7919, 34700)::int",
            "mrn": "lpad(g::text, 8, '0')",
            "created_at": "now()",
            "updated_at": "now()",
        },
        "generate_series(0, %s::bigint) g",
        [PATIENTS - 1],
    )
    mark = _step(f"{PATIENTS:,} patients", mark)
    databases.insert_select(
        DayQuota,
        {
            "id": "nextval(pg_get_serial_sequence('queueing_dayquota', 'id'))",
            "schedule_id": "s.id",
            "date": "d::date",
            "quota": "1000",
        },
        "queueing_schedule s CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d"
        " WHERE s.weekday = extract(isodow FROM d) - 1",
        [FIRST_DAY, FIRST_DAY + dt.timedelta(days=days - 1)],
    )
    mark = _step("day quotas", mark)
    per_day_quota = -(-bookings // (len(clinic_ids) * days))  # ceiling
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_dq AS SELECT row_number() OVER (ORDER BY q.date, s.clinic_id) - 1 AS rn,"
            " q.id, q.date, s.clinic_id, s.doctor_id, c.prefix, q.date - %s::date AS day_index,"
            " row_number() OVER (PARTITION BY q.date ORDER BY s.clinic_id) - 1 AS clinic_index"
            " FROM queueing_dayquota q JOIN queueing_schedule s ON s.id = q.schedule_id"
            " JOIN queueing_clinic c ON c.id = s.clinic_id",
            [FIRST_DAY],
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_dq (rn)")
        cursor.execute("UPDATE queueing_dayquota SET last_number = %s", [per_day_quota])
    status = (
        "CASE WHEN h < 72 THEN 'served' WHEN h < 77 THEN 'checked_in' WHEN h < 85 THEN 'cancelled'"
        " WHEN h < 89 THEN 'rejected' WHEN h < 95 THEN 'no_show' WHEN h < 98 THEN 'verified' ELSE 'requested' END"
    )
    channel = (
        "CASE WHEN h2 < 55 THEN 'online' WHEN h2 < 80 THEN 'counter' WHEN h2 < 85 THEN 'paper' ELSE 'mobile_jkn' END"
    )
    source = (
        "(SELECT g, mod(g, %s) + 1 AS n, mod(g * 2654435761, 100) AS h, mod(g * 40503, 100) AS h2"
        " FROM generate_series(0, %s::bigint) g)"
        " x JOIN bench_dq dq ON dq.rn = x.g / %s"
    )
    databases.insert_select(
        Booking,
        {
            "id": "md5('b' || g)::uuid",
            "code": "upper(lpad(to_hex(g), 8, '0'))",
            "confirm_token": "md5('t' || g)::uuid",
            # Distinct patients within a day; the same people come back on other days.
            "patient_id": f"md5('p' || mod(dq.day_index * 7919 + dq.clinic_index * {per_day_quota} + n, {PATIENTS}))::uuid",
            "account_id": str(account_id),
            "day_quota_id": "dq.id",
            "date": "dq.date",
            "clinic_id": "dq.clinic_id",
            "doctor_id": "dq.doctor_id",
            "number": "n",
            "label": "dq.prefix || '-' || lpad(n::text, 3, '0')",
            "status": status,
            "reject_reason": "CASE WHEN h BETWEEN 85 AND 88 THEN 'Kuota penuh' ELSE '' END",
            "guarantor_id": f"(ARRAY{guarantor_ids})[1 + mod(g, {len(guarantor_ids)})]",
            "channel": channel,
            "created_at": "dq.date - interval '1 day'",
            "updated_at": "dq.date + interval '12 hours'",
            "registered_at": "dq.date - interval '1 day'",
        },
        source,
        [per_day_quota, bookings - 1, per_day_quota],
    )
    mark = _step("bookings", mark)
    databases.insert_select(
        TaskTime,
        {
            "id": "nextval(pg_get_serial_sequence('queueing_tasktime', 'id'))",
            "booking_id": "b.id",
            "task_id": "t.task",
            # 08:00 at the facility (WIB) plus the number's place in the day, then the wait and the consultation.
            "at_ms": "(extract(epoch FROM b.date + time '01:00') * 1000)::bigint + b.number * 180000"
            " + CASE t.task WHEN 3 THEN 0 WHEN 4 THEN (5 + mod(b.number * 37, 90)) * 60000"
            " ELSE (8 + mod(b.number * 37, 90) + mod(b.number, 20)) * 60000 END",
            "recorded_at": "now()",
        },
        "queueing_booking b CROSS JOIN (VALUES (3), (4), (5)) t(task) WHERE b.status = 'served'",
    )
    mark = _step("task times", mark)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_dq")
        cursor.execute("ANALYZE")
    _step("analyze", mark)
    print(f"loaded {bookings:,} bookings over {days} days in {time.perf_counter() - started:.0f} s", flush=True)


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (it runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:  # the database is on another machine
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _time(label: str, run) -> None:
    """Wall time (cold, then the median of ROUNDS), and the CPU the report costs: ours plus the database's.

    On a shared machine the wall time mostly measures the queue for a CPU; the CPU time (with
    PostgreSQL's parallel workers off, so that all of its work is in the one backend) is what the
    report costs on a machine of its own.
    """
    from django.db import connection

    started = time.perf_counter()
    report = run()
    cold = time.perf_counter() - started
    walls, cpus = [], []
    for _round in range(ROUNDS):
        started = time.perf_counter()
        run()
        walls.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    for _round in range(ROUNDS):
        ours, theirs = time.process_time(), _backend_cpu()
        run()
        cpus.append(time.process_time() - ours + _backend_cpu() - theirs)
    with connection.cursor() as cursor:
        cursor.execute("RESET max_parallel_workers_per_gather")
    print(
        f"{label:<46} {report.totals.bookings:>7,} bookings  wall: cold {cold * 1000:5.0f} ms,"
        f" median {statistics.median(walls) * 1000:5.0f} ms, max {max(walls) * 1000:5.0f} ms"
        f"  CPU: median {statistics.median(cpus) * 1000:5.0f} ms",
        flush=True,
    )


def main() -> None:
    from django.core.management import call_command
    from django.db import connection

    from facilities.models import Facility
    from reports.selectors import outpatient_report

    bookings = int(os.environ.get("BENCH_REPORT_BOOKINGS", DEFAULT_BOOKINGS))
    days = int(os.environ.get("BENCH_REPORT_DAYS", DEFAULT_DAYS))
    name = _bench_database()
    if name is None:
        print("[report] needs PostgreSQL (DATABASE_URL=postgres://...): skipped")
        return
    call_command("migrate", verbosity=0)
    if not _loaded(bookings, days):
        load(bookings, days)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM queueing_booking")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM queueing_tasktime")
        tasks = cursor.fetchone()[0]
    print(f"database {name}: {total:,} bookings, {tasks:,} task times", flush=True)
    last = FIRST_DAY + dt.timedelta(days=days - 1)
    # The last whole month of the span.
    month_end = last if (last + dt.timedelta(days=1)).day == 1 else last.replace(day=1) - dt.timedelta(days=1)
    month = month_end.replace(day=1)
    facility = Facility.objects.filter(name="Bench facility 1").get()
    _time(
        f"month {month:%Y-%m}, one facility",
        lambda: outpatient_report(facility_ids=[facility.pk], start=month, end=month_end),
    )
    _time(
        f"month {month:%Y-%m}, all facilities (health office)",
        lambda: outpatient_report(facility_ids=None, start=month, end=month_end),
    )
    day = month.replace(day=15)
    _time(f"day {day}, one facility", lambda: outpatient_report(facility_ids=[facility.pk], start=day, end=day))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} CPUs", flush=True)
