"""Successful bookings per second at one hot clinic, through the whole stack.

A gunicorn server on 127.0.0.1 (gthread workers, as `make serve`) runs the real settings with
DEBUG off against a throwaway database: `<DATABASE_URL's name>_bench_booking` on PostgreSQL
when DATABASE_URL is set, a temporary SQLite file otherwise. It is measured once per session
configuration (BENCH_BOOKING_SESSIONS, default "db,cache"):

- db: Django's database sessions (the default setting);
- cache: SESSION_ENGINE=django.contrib.sessions.backends.cache with CACHE_URL on Redis
  (BENCH_BOOKING_CACHE_URL, default redis://127.0.0.1:6379/1); skipped when Redis does not answer.

Phases, each with BENCH_BOOKING_CLIENTS concurrent clients (threads in client processes):

- rush: the minute the day opens. Many accounts (families of BENCH_BOOKING_FAMILY members,
  BENCH_BOOKING_RUSH bookings in all, all at one doctor-day of one clinic) sit on the confirm
  page and press "Ya, buat antrian": confirm POSTs that booked, per second. Each POST is the
  real request (session cookie, CSRF cookie and masked form token, the confirm form, the
  per-account confirm limit, booking_create). Only the preparation is shortened: those signed-in
  sessions and their finished wizards are written straight into the session store by the same
  code a login and the wizard steps use (walking 2,000 wizards over HTTP first would take
  minutes). The wizard phase below does sign in and walk for real. Each family opens its own
  connection, as a browser whose keep-alive connection closed while it waited for midnight.
- wizard: the whole journey per booking after a real sign-in through the login form (CSRF,
  django-axes): start, five steps, confirm page, confirm, my bookings.
- browser: the same journey exactly as a phone's browser with JavaScript makes it, already signed
  in (sessions last 30 days): dashboard, start, every step's answer (boosted: static/js/boost.js
  gets the next page in the answer's own response), confirm (with the result page), my bookings.
  Reports journeys per second, CPU per journey (server and database), requests and SQL queries
  per journey (each response of the bench app says its query count) and every page's median and
  p95 latency.
- browser_login: the same, each journey in a fresh browser that signs in first (Argon2, axes).
- browser_nojs: the journey of a phone without JavaScript: every answer redirects and the browser
  then asks for the next step's page, the confirm page and the result page.
- bare: a csrf-exempt view that only increments a counter row and inserts a row, the ceiling
  for any numbered insert through Django on this machine;
- bare+: the same view signed in with a CSRF-checked form POST, i.e. what every booking request
  pays before any booking rule runs (session, user lookup, CSRF).

Bounded: every phase has a fixed amount of work and stops after BENCH_BOOKING_SECONDS; a client
that fails breaks the barrier instead of leaving the others waiting. Afterwards the database is
checked (numbers 1..n per doctor-day, counters equal to rows, no double bookings), the sessions
written to Redis are deleted, and the database is dropped. Loopback only.

Besides requests per second, each phase reports the CPU time it cost per successful request
(gunicorn processes, the bench database's PostgreSQL backends, the client processes), read from
/proc at the barriers. Other programs on the machine change the rate a lot but this much less,
so "cores / CPU per request" is given too: the rate if nothing else ran. The client side is in
bench/booking_load.py; `bench booking_profile` looks inside one confirm POST.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import databases
from bench.booking_load import CLIENT_PROCESSES, CLIENTS, JOURNEY_PHASES, PASSWORD, PHASES, SECONDS, client_process

BASE_DIR = Path(__file__).resolve().parent.parent
RUSH = int(os.environ.get("BENCH_BOOKING_RUSH", "2400"))  # bookings in the rush, all at one doctor-day
FAMILY = int(os.environ.get("BENCH_BOOKING_FAMILY", "4"))  # confirms per rush account (under the limit)
JOURNEYS = int(os.environ.get("BENCH_BOOKING_JOURNEYS", "4"))  # whole wizards per client
ROUNDS = int(os.environ.get("BENCH_BOOKING_ROUNDS", "2"))  # repetitions of the phases per configuration
WORKERS = int(os.environ.get("BENCH_BOOKING_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_BOOKING_THREADS", "4"))
SESSIONS = [s for s in os.environ.get("BENCH_BOOKING_SESSIONS", "db,cache").split(",") if s]
CACHE_URL = os.environ.get("BENCH_BOOKING_CACHE_URL", "redis://127.0.0.1:6379/1")
SESSION_ENGINES = {"db": "django.contrib.sessions.backends.db", "cache": "django.contrib.sessions.backends.cache"}


# --- server side: the app gunicorn loads (`bench.booking:make_app()`) ----------------------------


def bare_view(request):
    """Increment a counter row and insert a row: nothing else."""
    from django.db import connection, transaction
    from django.http import HttpResponse

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bench_counter SET n = n + 1 WHERE id = 1 RETURNING n")
        number = cursor.fetchone()[0]
        cursor.execute("INSERT INTO bench_row (n) VALUES (%s)", [number])
    return HttpResponse(str(number))


def bare_auth_view(request):
    """The bare view behind what every booking request pays: session, login check, CSRF."""
    from django.http import HttpResponseForbidden

    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return bare_view(request)


def make_app():
    """The project's WSGI app with one extra URL for the bare baseline."""
    import types

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    urls = types.ModuleType("bench_booking_urls")
    urls.urlpatterns = [
        path("bench/bare/", csrf_exempt(bare_view)),
        path("bench/bare-auth/", bare_auth_view),
        path("", include("portal.urls")),
    ]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    return _counting_queries(get_wsgi_application())


def _counting_queries(app):
    """Each response says how many SQL statements it cost (X-Bench-Queries), for the journey phases."""
    from django.db import connection

    def counted(environ, start_response):
        count = [0]

        def note(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        def start(status, headers, exc_info=None):  # called once the view has run
            return start_response(status, [*headers, ("X-Bench-Queries", str(count[0]))], exc_info)

        with connection.execute_wrapper(note):
            return app(environ, start)

    return counted


# --- data, in a subprocess pointed at the bench database and session store ---------------------------


def _signed_in_session(user, wizards: list[dict]):
    """A session as `login()` leaves it, plus finished wizards as the steps leave them."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from queueing.wizard import Wizard

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    ids = [Wizard.start(session, **answers).id for answers in wizards]
    session.create()
    return session.session_key, ids


def _csrf_pair() -> tuple[str, str]:
    """The CSRF cookie (the secret) and the masked token a rendered form would carry."""
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    return secret, _mask_cipher_secret(secret)


def setup_data() -> None:
    """One round's data (BENCH_TAG): a hot schedule every day, rush families with signed-in sessions
    on the confirm page, accounts for the wizard phase, the bare tables; JSON on stdout."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from families.models import AccountPatient, Patient
    from guarantors.models import GuarantorType
    from queueing.models import BookingSettings, Clinic, Doctor, Schedule

    tag, serial = os.environ["BENCH_TAG"], int(os.environ["BENCH_SERIAL"])
    BookingSettings.load()
    umum = GuarantorType.objects.get_or_create(code="umum", defaults={"name": "Umum"})[0]
    clinic = Clinic.objects.create(code=f"B{tag}", name=f"Poli Gigi {tag}", prefix="GIGI")
    doctor = Doctor.objects.create(name=f"drg. Bench {tag}")
    rush_accounts = math.ceil(RUSH / FAMILY)
    places = min(rush_accounts * FAMILY + CLIENTS * JOURNEYS * 3, 32000)
    schedules = {
        day: Schedule.objects.create(
            doctor=doctor,
            clinic=clinic,
            weekday=day,
            start_time=dt.time(7, 0),
            end_time=dt.time(23, 0),
            total_quota=places,
            online_quota=places,
            minutes_per_patient=1,
        )
        for day in range(7)
    }
    password = make_password(PASSWORD)  # hashed once: creating accounts is not what we measure
    profile = dict(
        password=password,
        email_confirmed_at=timezone.now(),
        phone="+6281234567890",
        religion="islam",
        sex="P",
        education="sma",
        blood_type="A",
        marital_status="kawin",
        occupation="irt",
    )
    users = User.objects.bulk_create(
        [User(email=f"bench-{tag}-r{i}@example.com", full_name=f"Rush {i}", **profile) for i in range(rush_accounts)]
        + [User(email=f"bench-{tag}-w{i}@example.com", full_name=f"Wizard {i}", **profile) for i in range(CLIENTS)]
        # browser_login's own accounts: a fourth, fifth... confirm of one account within a minute
        # would meet the per-account confirm limit (10 a minute) and measure its 429 page instead.
        + [User(email=f"bench-{tag}-l{i}@example.com", full_name=f"Login {i}", **profile) for i in range(CLIENTS)]
    )
    # Families of JOURNEYS * 3 members for the wizard, browser and login accounts alike (the dashboard
    # lists them all): the login accounts use two thirds of theirs (browser_login, browser_nojs).
    sizes = [FAMILY] * rush_accounts + [JOURNEYS * 3] * (2 * CLIENTS)
    patients = Patient.objects.bulk_create(
        [
            Patient(
                full_name=f"Pasien {i}",
                sex="P",
                birth_place="Banyumas",
                birth_date=dt.date(1990, 1, 1),
                nik=f"33020157{serial:02d}{i:06d}",
                address_street="Jl. Bench",
                address_village="Desa",
                address_district="Kec",
                address_regency="Banyumas",
                address_province="Jawa Tengah",
                phone="+6281234567890",
                religion="islam",
                blood_type="A",
                marital_status="kawin",
                education="sma",
                occupation="irt",
                mother_name="Ibu",
                mrn=f"B{serial:02d}{i:06d}",
            )
            for i in range(sum(sizes))
        ]
    )
    families, start = [], 0
    for size in sizes:
        families.append(patients[start : start + size])
        start += size
    AccountPatient.objects.bulk_create(
        [
            AccountPatient(account=user, patient=p, relationship="other")
            for user, family in zip(users, families)
            for p in family
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_counter (id integer PRIMARY KEY, n integer NOT NULL)")
        cursor.execute("DELETE FROM bench_counter")
        cursor.execute("INSERT INTO bench_counter VALUES (1, 0)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_row (id integer PRIMARY KEY %s, n integer NOT NULL)"
            % ("GENERATED ALWAYS AS IDENTITY" if connection.vendor == "postgresql" else "AUTOINCREMENT")
        )
    today = timezone.localdate()
    rush_day, wizard_day = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    rush_schedule = schedules[rush_day.weekday()]
    rush = []
    for user, family in zip(users[:rush_accounts], families):
        answers = [
            {
                "facility": clinic.facility_id,  # the wizard's first step since facilities came
                "patient": str(p.pk),
                "date": rush_day.isoformat(),
                "guarantor": umum.pk,
                "card_number": "",
                "referral_number": "",
                "switched_from": None,
                "clinic": clinic.pk,
                "schedule": rush_schedule.pk,
            }
            for p in family
        ]
        session_key, wizard_ids = _signed_in_session(user, answers)
        cookie, token = _csrf_pair()
        rush.append({"session": session_key, "csrf_cookie": cookie, "csrf_token": token, "wizards": wizard_ids})
    wizard_families = families[rush_accounts : rush_accounts + CLIENTS]
    print(
        json.dumps(
            {
                "rush": rush,
                "accounts": [u.email for u in users[rush_accounts : rush_accounts + CLIENTS]],
                "login_accounts": [u.email for u in users[rush_accounts + CLIENTS :]],
                "patients": [[str(p.pk) for p in family[:JOURNEYS]] for family in wizard_families],
                "browser_patients": [
                    [str(p.pk) for p in family[JOURNEYS : 2 * JOURNEYS]] for family in wizard_families
                ],
                "nojs_patients": [
                    [str(p.pk) for p in family[JOURNEYS : 2 * JOURNEYS]]
                    for family in families[rush_accounts + CLIENTS :]
                ],
                "login_patients": [
                    [str(p.pk) for p in family[:JOURNEYS]] for family in families[rush_accounts + CLIENTS :]
                ],
                "guarantor": umum.code,
                "facility": clinic.facility_id,
                "clinic": clinic.pk,
                "days": {
                    "rush": {"date": rush_day.isoformat(), "schedule": rush_schedule.pk},
                    "wizard": {"date": wizard_day.isoformat(), "schedule": schedules[wizard_day.weekday()].pk},
                    "browser": {"date": wizard_day.isoformat(), "schedule": schedules[wizard_day.weekday()].pk},
                },
            }
        )
    )


def check_data() -> None:
    """Numbers 1..n per doctor-day, counters equal to rows, no double bookings: one JSON line."""
    import django

    django.setup()
    from django.db.models import Count, Max

    from queueing.models import Booking, DayQuota

    plan = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
    report = {}
    for phase, day in plan["days"].items():
        quota = DayQuota.objects.filter(schedule_id=day["schedule"], date=day["date"]).first()
        if quota is None:
            continue
        numbers = sorted(Booking.objects.filter(day_quota=quota).values_list("number", flat=True))
        report[phase] = {
            "bookings": len(numbers),
            "gapless": numbers == list(range(1, len(numbers) + 1)),
            "counters_match": quota.active_count == quota.last_number == len(numbers),
        }
    doubles = (
        Booking.objects.values("patient", "date").annotate(n=Count("id")).filter(n__gt=1).aggregate(m=Max("n"))["m"]
    )
    report["double_bookings"] = doubles or 0
    print(json.dumps(report))


def forget_sessions() -> None:
    """Delete the sessions this bench wrote (they live in Redis in the cache configuration)."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text()):
        store(session_key=key).delete()


# --- orchestration -------------------------------------------------------------------------------------


def production_env(**extra: str) -> dict:
    """The environment of a production server (DEBUG off), with throwaway keys for the bench."""

    def key() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")

    return dict(
        os.environ,
        DEBUG="False",
        SECRET_KEY="bench-only-" + "x" * 50,
        FIELD_ENCRYPTION_KEYS=f"bench:{key()}",
        BLIND_INDEX_KEYS=key(),
        ALLOWED_HOSTS="127.0.0.1",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="ERROR",
        EMAIL_URL="dummymail://",
        DJANGO_SETTINGS_MODULE="portal.settings",
        CONN_MAX_AGE="600",
        SESSION_COOKIE_AGE="3600",  # a safety net: bench sessions expire within the hour anyway
        **extra,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bench_database() -> tuple[str, callable]:
    """A fresh database URL for the bench and a function that removes it again."""
    return databases.throwaway("bench_booking")


@contextmanager
def planned_database(env: dict, prefix: str) -> Iterator[tuple[Path, dict]]:
    """A throwaway database (env["DATABASE_URL"] set to it), migrated and filled by `setup_data`;
    yields the plan and the file holding it for a fresh process; both are removed afterwards."""
    env["DATABASE_URL"], drop = _bench_database()
    plan_file = Path(tempfile.mkstemp(prefix=prefix, suffix=".json")[1])
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=BASE_DIR, check=True, timeout=600
        )
        plan = json.loads(_python("import bench.booking as b; b.setup_data()", env))
        plan_file.write_text(json.dumps(plan))
        yield plan_file, plan
    finally:
        plan_file.unlink(missing_ok=True)
        drop()


def _python(code: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _start_server(
    env: dict, port: int, *, app: str = "bench.booking:make_app()", extra: tuple[str, ...] = ()
) -> subprocess.Popen:
    """gunicorn as `make serve` runs it (gthread, WORKERS x THREADS), started and waited for."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
            *extra,
        ],
        env=env,
        cwd=BASE_DIR,
    )
    for _attempt in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the bench server did not start")


def _rate(records: list[dict], phase: str) -> tuple[float, str]:
    """Successful requests per second over the phase, and a line with counts, statuses and latency."""
    results = [r for record in records for r in record[phase]]
    spans = [record[f"{phase}_span"] for record in records if f"{phase}_span" in record]
    if not results or not spans:
        return 0.0, "no requests"
    elapsed = max(end for _s, end in spans) - min(start for start, _e in spans)
    ok = sum(1 for good, _latency, _status in results if good)
    statuses = sorted({status for _good, _latency, status in results})
    latencies = sorted(latency * 1000 for _good, latency, _status in results)
    p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)]
    return ok / elapsed, (
        f"{ok} of {len(results)} ok in {elapsed:.1f} s, status {statuses}; "
        f"latency median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms"
    )


def _cpu(records: list[dict], phase: str, ok: int) -> dict[str, float]:
    """CPU milliseconds per successful request in `phase` (server, database, clients, total), and
    the cores other programs used meanwhile ("others")."""
    index = PHASES.index(phase)
    spent = {"server": 0.0, "database": 0.0, "clients": 0.0, "machine": 0.0}
    wall = 0.0
    for record in records:
        marks = record.get("cpu", [])
        if len(marks) > index + 1:
            for part in spent:
                spent[part] += marks[index + 1].get(part, 0.0) - marks[index].get(part, 0.0)
            if "machine" in marks[index]:
                wall = marks[index + 1]["wall"] - marks[index]["wall"]
    machine = spent.pop("machine")
    ours = sum(spent.values())
    per_request = {part: seconds * 1000 / max(ok, 1) for part, seconds in spent.items()}
    per_request["total"] = ours * 1000 / max(ok, 1)
    per_request["others"] = max(machine - ours, 0.0) / wall if wall else 0.0
    return per_request


def _round(env: dict, port: int, server_pid: int | list[int], serial: int, tag: str) -> tuple[dict, dict, list[str]]:
    """One round: fresh data, every phase, the database check. Returns rates, lines and session keys."""
    plan_file = Path(tempfile.mkstemp(prefix="bench-booking-plan-", suffix=".json")[1])
    try:
        plan = json.loads(
            _python("import bench.booking as b; b.setup_data()", dict(env, BENCH_TAG=tag, BENCH_SERIAL=str(serial)))
        )
        plan["server_pid"], plan["database"] = server_pid, env["DATABASE_URL"].rsplit("/", 1)[1]
        sessions = [family["session"] for family in plan["rush"]]
        context = multiprocessing.get_context("fork")
        barrier, results = context.Barrier(CLIENTS), context.Queue()
        clients = [
            context.Process(target=client_process, args=(i, plan, port, barrier, results))
            for i in range(CLIENT_PROCESSES)
        ]
        for process in clients:
            process.start()
        records = [record for _p in clients for record in results.get(timeout=len(PHASES) * SECONDS + 600)]
        for process in clients:
            process.join(timeout=60)
        errors = {record["error"] for record in records if "error" in record}
        if errors:
            raise RuntimeError(f"clients failed: {sorted(errors)[:3]}")
        sessions += [record["session"] for record in records if record.get("session")]
        rates, lines = {}, {}
        for phase in PHASES:
            rates[phase], lines[phase] = _rate(records, phase)
            ok = sum(1 for record in records for good, _latency, _status in record[phase] if good)
            cpu = rates[f"{phase}_cpu"] = _cpu(records, phase, ok)
            lines[phase] += (
                f"\n              CPU per request: server {cpu['server']:.2f} + database "
                f"{cpu['database']:.2f} + clients {cpu['clients']:.2f} = {cpu['total']:.2f} ms; "
                f"{os.cpu_count()} cores / that = {os.cpu_count() * 1000 / cpu['total']:.0f}/s "
                f"if nothing else ran; other programs (and Redis, PostgreSQL's own writers) meanwhile: "
                f"{cpu['others']:.2f} cores"
            )
        for phase in JOURNEY_PHASES:
            lines[phase] += _pages_summary(records, phase)
        plan_file.write_text(json.dumps(plan))
        lines["check"] = _python("import bench.booking as b; b.check_data()", dict(env, BENCH_PLAN=str(plan_file)))
        return rates, lines, sessions
    finally:
        plan_file.unlink(missing_ok=True)


def _pages_summary(records: list[dict], phase: str) -> str:
    """Requests and SQL queries per journey, and each page's median / p95 latency and queries."""
    journeys = sum(len(record[phase]) for record in records)
    pages = [page for record in records for page in record.get(f"{phase}_pages", [])]
    if not journeys or not pages:
        return ""
    by_page: dict[str, list[tuple[float, int]]] = {}
    for name, seconds, queries in pages:
        by_page.setdefault(name, []).append((seconds * 1000, queries))
    parts = []
    for name, hits in by_page.items():
        latencies = sorted(ms for ms, _q in hits)
        p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)]
        parts.append(
            f"{name} {statistics.median(latencies):.0f}/{p95:.0f} ms {statistics.median(q for _m, q in hits):.0f}q"
        )
    return (
        f"\n              per journey: {len(pages) / journeys:.1f} requests, "
        f"{sum(q for _n, _s, q in pages) / journeys:.1f} SQL queries; per page (median/p95, queries):"
        f"\n              " + "; ".join(parts)
    )


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:  # noqa: BLE001 - any failure means: skip this configuration
        return False


def _configuration(base_env: dict, sessions: str, first_serial: int) -> list[dict]:
    env = dict(base_env, SESSION_ENGINE=SESSION_ENGINES[sessions])
    if sessions == "cache":
        env["CACHE_URL"] = CACHE_URL
    port = _free_port()
    server = _start_server(env, port)
    written: list[str] = []
    rounds = []
    try:
        for n in range(ROUNDS):
            load_before = os.getloadavg()[0]
            rates, lines, keys = _round(env, port, server.pid, first_serial + n, f"{sessions}{n}")
            written += keys
            rounds.append({"rates": rates, "lines": lines, "load": (load_before, os.getloadavg()[0])})
            print(f"  round {n + 1}: load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}", flush=True)
            for phase in PHASES:
                print(f"    {phase:9s} {rates[phase]:7.1f}/s  ({lines[phase]})", flush=True)
            print(f"    check: {lines['check']}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if sessions == "cache" and written:
            keys_file = Path(tempfile.mkstemp(prefix="bench-booking-sessions-", suffix=".json")[1])
            keys_file.write_text(json.dumps(written))
            try:
                _python("import bench.booking as b; b.forget_sessions()", dict(env, BENCH_SESSIONS=str(keys_file)))
            finally:
                keys_file.unlink(missing_ok=True)
    return rounds


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:6.1f}" if len(values) == 1 else f"{low:6.1f} - {high:6.1f}"


def main() -> None:
    from django.db import connections

    connections.close_all()
    env = production_env()
    env.pop("CACHE_URL", None)
    env["DATABASE_URL"], drop = _bench_database()
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    summary = {}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=BASE_DIR, check=True, timeout=600
        )
        for index, sessions in enumerate(SESSIONS):
            if sessions == "cache" and not _redis_answers(CACHE_URL):
                print(f"[cache sessions] skipped: no Redis at {CACHE_URL}")
                continue
            print(
                f"{engine}, {sessions} sessions{' on ' + CACHE_URL if sessions == 'cache' else ''}; gunicorn "
                f"{WORKERS} workers x {THREADS} threads (gthread); {CLIENTS} concurrent clients in "
                f"{CLIENT_PROCESSES} processes; rush {RUSH} bookings by families of {FAMILY}; "
                f"{os.cpu_count()} cores shared by server, database and clients",
                flush=True,
            )
            summary[sessions] = _configuration(env, sessions, first_serial=index * ROUNDS)
    finally:
        drop()
    print(
        "summary: successful requests per second (lowest - highest of the rounds) and CPU per request "
        "(server + database + clients)"
    )
    for sessions, rounds in summary.items():
        loads = [load for r in rounds for load in r["load"]]
        print(f"  {sessions} sessions (load average {min(loads):.1f} - {max(loads):.1f}):")
        for phase in PHASES:
            cpu = [r["rates"][f"{phase}_cpu"]["total"] for r in rounds]
            others = [r["rates"][f"{phase}_cpu"]["others"] for r in rounds]
            print(
                f"    {phase:9s} {_span([r['rates'][phase] for r in rounds])}/s   CPU {_span(cpu)} ms"
                f" -> {_span([os.cpu_count() * 1000 / c for c in cpu])}/s if nothing else ran"
                f"   (other programs: {min(others):.2f} - {max(others):.2f} cores)"
            )


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    main()
