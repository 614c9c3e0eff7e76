"""What the waiting-room displays cost the server: BENCH_DISPLAY_SCREENS TVs polling every few seconds.

A gunicorn server on 127.0.0.1 (2 gthread workers x 4 threads, as `make serve`) runs the real
settings with DEBUG off against a throwaway database (`<DATABASE_URL's name>_bench_display` on
PostgreSQL, a temporary SQLite file otherwise) holding a busy morning: three ticket lines and
counters with tickets and calls, four clinics with a doctor's session each, twenty patients
checked in per clinic and calls made. One screen account is signed in (a session row, as the
login form makes it).

Phases (BENCH_DISPLAY_SECONDS each), every screen a thread with its own keep-alive connection,
polling /layar/<id>/data.json every BENCH_DISPLAY_INTERVAL seconds (2.0, as the issue asks; the
page itself polls every 1.5 s: the figure scales linearly) with the ETag it last got
(If-None-Match), starts staggered over one interval:

- floor: the same polls at /healthz (one `SELECT 1`, no session): what any request costs here;
- quiet: nothing changes: every poll is a 304 (the display's normal state between calls);
- busy: a nurse presses "Panggil berikutnya" on the real page every BENCH_DISPLAY_CALL_EVERY
  seconds (3; a busy hospital calls every minute or so): each change is built once per server
  process and sent to every screen once (a 200), the other polls stay 304s.

Reported: polls per second, the server's CPU (gunicorn processes + the bench database's
PostgreSQL backends, from /proc) as a share of one core, and the latency a screen sees (median,
95th percentile) over loopback HTTP. An unchanged poll should answer in under 5 ms and fifty
screens should cost under 10% of one core.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.booking import _free_port, _python, production_env
from bench.booking_load import _server_cpu

BASE_DIR = Path(__file__).resolve().parent.parent
SCREENS = int(os.environ.get("BENCH_DISPLAY_SCREENS", "50"))
INTERVAL = float(os.environ.get("BENCH_DISPLAY_INTERVAL", "2.0"))
SECONDS = float(os.environ.get("BENCH_DISPLAY_SECONDS", "20"))
PATIENTS_PER_CLINIC = 20
CALL_EVERY = float(os.environ.get("BENCH_DISPLAY_CALL_EVERY", "3"))


def setup_data() -> None:
    """The busy morning; prints {"session": key, "facility": id} on stdout (runs in the bench database)."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import User
    from facilities.models import FacilityMembership, FacilityRole, default_facility
    from families.models import Patient
    from guarantors.catalogue import ensure_types
    from guarantors.models import GuarantorType
    from queueing.desk.services import CounterEntry, walkin_register
    from queueing.models import Clinic, Doctor, Schedule
    from visitday.display.access import screen_group_ensure
    from visitday.models import Loket, TicketLine
    from visitday.nurse import services as nurse_services
    from visitday.services import ticket_call_next, ticket_take

    ensure_types(GuarantorType)
    umum = GuarantorType.objects.get(code="umum")
    facility = default_facility()
    today = facility.local_today()
    clerk = User.objects.create_user(email="loket@bench.local", password=None, full_name="Loket", is_staff=True)
    nurse = User.objects.create_user(email="perawat@bench.local", password=None, full_name="Perawat")
    screen = User.objects.create_user(email="layar@bench.local", password=None, full_name="Layar")
    screen.groups.add(screen_group_ensure())
    FacilityMembership.objects.create(user=screen, facility=facility, role=FacilityRole.SCREEN)

    lines = [TicketLine.objects.create(facility=facility, letter=letter, name=f"Line {letter}") for letter in "ABP"]
    lokets = []
    for i in range(3):
        loket = Loket.objects.create(facility=facility, name=f"Loket {i + 1}")
        loket.lines.set(lines)
        lokets.append(loket)
    for i in range(60):
        ticket_take(line=lines[i % 3])
    for i in range(30):
        ticket_call_next(loket=lokets[i % 3], line_ids=[line.pk for line in lines], actor=clerk)

    serial = 0
    for code in ("UMUM", "GIGI", "ANAK", "MATA"):
        clinic = Clinic.objects.create(facility=facility, code=code, name=f"Poli {code.title()}", prefix=code)
        doctor = Doctor.objects.create(name=f"dr. {code.title()}")
        schedule = Schedule.objects.create(
            doctor=doctor,
            clinic=clinic,
            weekday=today.weekday(),
            start_time=dt.time(0, 0),
            end_time=dt.time(23, 59),
            total_quota=100,
            online_quota=10,
        )
        for _i in range(PATIENTS_PER_CLINIC):
            serial += 1
            patient = Patient.objects.create(
                full_name=f"Pasien {serial}",
                sex="L",
                birth_date=dt.date(1980, 1, 1),
                nik=f"3302010101800{serial:03d}",
                mrn=f"{serial:08d}",
            )
            walkin_register(
                actor=clerk,
                schedule_id=schedule.pk,
                entries=[CounterEntry(patient_id=patient.pk, guarantor_id=umum.pk)],
            )
        from queueing.models import DayQuota

        day_quota = DayQuota.objects.get(schedule=schedule, date=today)
        for _i in range(8):
            booking = nurse_services.clinic_call_next(day_quota=day_quota, actor=nurse)
            nurse_services.clinic_done(day_quota=day_quota, booking=booking, actor=nurse)

    nurse.groups.add(nurse_services.nurse_group_ensure())
    FacilityMembership.objects.create(user=nurse, facility=facility, role=FacilityRole.NURSE)

    def signed_in(user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(timezone.timedelta(hours=1))
        session.create()
        return session.session_key

    # The cost of one full build of the state, in this process (CPU, not wall time).
    from django.http import QueryDict

    from visitday.display.selectors import display_state, scope_from_query

    scope = scope_from_query(QueryDict(""))
    display_state(facility, scope)
    began = time.process_time()
    for _i in range(20):
        display_state(facility, scope)
    build_ms = (time.process_time() - began) * 1000 / 20
    print(
        json.dumps(
            {
                "session": signed_in(screen),
                "nurse": signed_in(nurse),
                "facility": facility.pk,
                "day_quota": day_quota.pk,
                "build_ms": build_ms,
            }
        )
    )


def _bench_database() -> tuple[str, callable]:
    """A fresh database URL for the bench and a function that removes it again."""
    from bench import databases

    return databases.throwaway("bench_display")


def _start_server(env: dict, port: int) -> subprocess.Popen:
    """The project's own WSGI app (no bench URLs), 2 workers x 4 threads, access log off."""
    from bench import booking

    return booking._start_server(env, port, app="portal.wsgi", extra=("--access-logfile", "/dev/null"))


def _screen(port: int, path: str, cookie: str, conditional: bool, start_at: float, stop_at: float, out: list) -> None:
    """One TV: poll until stop_at; record (status, seconds) of each poll."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    etag = None
    next_at = start_at
    while True:
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if time.monotonic() >= stop_at:
            break
        headers = {"Cookie": cookie}
        if conditional and etag:
            headers["If-None-Match"] = etag
        began = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            out.append((0, time.perf_counter() - began))
        else:
            out.append((response.status, time.perf_counter() - began))
            etag = response.getheader("ETag") or etag
        next_at += INTERVAL
    conn.close()


def _nurse(port: int, cookie: str, day_quota: int, stop: threading.Event, calls: list) -> None:
    """A nurse calling the next patient every CALL_EVERY seconds through the real page (session + CSRF)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/poli/sesi/{day_quota}/", headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    token = next(
        v.split("=", 1)[1].split(";", 1)[0]
        for k, v in response.getheaders()
        if k.lower() == "set-cookie" and v.startswith("csrftoken=")
    )
    headers = {
        "Cookie": f"{cookie}; csrftoken={token}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/poli/",
    }
    while not stop.wait(CALL_EVERY):
        conn.request("POST", f"/poli/sesi/{day_quota}/panggil/", body=f"csrfmiddlewaretoken={token}", headers=headers)
        response = conn.getresponse()
        response.read()
        calls.append(response.status)
    conn.close()


def _phase(
    port: int, path: str, cookie: str, server_pid: int, database: str, nurse: tuple[str, int] | None = None
) -> dict:
    results: list[list] = [[] for _ in range(SCREENS)]
    now = time.monotonic()
    # One warm-up poll per screen first (each gets its ETag), then the measured polls.
    begin = now + 1.0
    stop = begin + INTERVAL + SECONDS
    threads = [
        threading.Thread(
            target=_screen,
            args=(port, path, cookie, True, begin + INTERVAL * i / SCREENS, stop, results[i]),
        )
        for i in range(SCREENS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(begin + INTERVAL + 0.05 - time.monotonic())  # every screen has polled once
    counts_before = sum(len(r) for r in results)
    cpu_before, wall_before = _server_cpu(server_pid, database), time.monotonic()
    calling, calls = threading.Event(), []
    writer = threading.Thread(target=_nurse, args=(port, nurse[0], nurse[1], calling, calls)) if nurse else None
    if writer:
        writer.start()
    for thread in threads:
        thread.join()
    calling.set()
    if writer:
        writer.join()
    cpu_after, wall_after = _server_cpu(server_pid, database), time.monotonic()
    measured = [p for r in results for p in r[1:]]  # without each screen's first poll
    polls = sum(len(r) for r in results) - counts_before
    elapsed = wall_after - wall_before
    server = (cpu_after["server"] - cpu_before["server"]) + (cpu_after["database"] - cpu_before["database"])
    latencies = sorted(seconds * 1000 for _status, seconds in measured)
    statuses: dict[int, int] = {}
    for status, _s in measured:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "polls_per_s": polls / elapsed,
        "core_share": server / elapsed,
        "cpu_ms_per_poll": server * 1000 / max(polls, 1),
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "statuses": statuses,
        "machine": (cpu_after["machine"] - cpu_before["machine"]) / elapsed,
        "calls": calls,
    }


def main() -> None:
    from django.db import connections

    connections.close_all()
    env = production_env()
    env.pop("CACHE_URL", None)
    env["DATABASE_URL"], drop = _bench_database()
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    port = _free_port()
    server = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=BASE_DIR, check=True, timeout=600
        )
        data = json.loads(_python("from bench.display import setup_data; setup_data()", env))
        server = _start_server(env, port)
        from django.conf import settings

        cookie = f"{settings.SESSION_COOKIE_NAME}={data['session']}"
        path = f"/layar/{data['facility']}/data.json"
        engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(
            f"{engine}; gunicorn 2 workers x 4 threads (gthread); {SCREENS} screens polling every {INTERVAL:g} s"
            f" for {SECONDS:g} s per phase; {os.cpu_count()} cores shared by server, database and clients",
            flush=True,
        )
        print(f"  one full build of the state: {data['build_ms']:.1f} ms CPU (in-process, 4 clinics, 3 counters)")
        nurse = (f"{settings.SESSION_COOKIE_NAME}={data['nurse']}", data["day_quota"])
        phases = (
            ("floor: GET /healthz", "/healthz", None),
            ("quiet (no new call)", path, None),
            (f"busy (a call every {CALL_EVERY:g} s)", path, nurse),
        )
        for name, url, writer in phases:
            r = _phase(port, url, cookie, server.pid, database, writer)
            calls = f"  calls made: {len(r['calls'])} {sorted(set(r['calls']))}" if writer else ""
            print(
                f"  {name:26s} {r['polls_per_s']:5.1f} polls/s  server+database CPU {100 * r['core_share']:5.1f}% of"
                f" one core ({r['cpu_ms_per_poll']:.2f} ms per poll)  latency median {r['median_ms']:.1f} ms,"
                f" p95 {r['p95_ms']:.1f} ms  statuses {r['statuses']}{calls}  (machine busy: {r['machine']:.2f} of"
                f" {os.cpu_count()} cores)",
                flush=True,
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop()


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    main()
