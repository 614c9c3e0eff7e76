"""Successful bookings per second at one hot clinic, through the whole stack.

A gunicorn server on 127.0.0.1 (gthread workers, as `make serve`) runs the real settings with
DEBUG off against a throwaway database: `<DATABASE_URL's name>_bench_booking` on PostgreSQL
when DATABASE_URL is set, a temporary SQLite file otherwise. Client processes sign in through
the login form (CSRF, django-axes, sessions) and then measure, with concurrent clients:

- rush: every client has walked the wizard up to the confirm page for its family members
  (distinct patients, all at one doctor-day of one clinic) and then posts "Ya, buat antrian"
  for each as fast as it can: confirm POSTs that booked, per second;
- wizard: the whole journey per booking (start, five steps, confirm page, confirm, result);
- bare: a csrf-exempt view that only increments a counter row and inserts a row, the ceiling
  for any numbered insert through Django on this machine;
- bare+: the same view signed in with a CSRF-checked form POST, i.e. what every booking request
  pays before any booking rule runs (database session, user lookup, CSRF).

Bounded: BENCH_BOOKING_ACCOUNTS clients x BENCH_BOOKING_RUSH / _JOURNEYS / _BARE requests, and
each phase stops after BENCH_BOOKING_SECONDS. Afterwards the database is checked (numbers 1..n, counters
equal to rows) and dropped.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
ACCOUNTS = int(os.environ.get("BENCH_BOOKING_ACCOUNTS", "16"))  # concurrent clients
RUSH = int(os.environ.get("BENCH_BOOKING_RUSH", "20"))  # confirm POSTs per client (<= 20 open wizards)
JOURNEYS = int(os.environ.get("BENCH_BOOKING_JOURNEYS", "4"))  # whole wizards per client
BARE = int(os.environ.get("BENCH_BOOKING_BARE", "100"))  # bare requests per client
PATIENTS = RUSH + JOURNEYS  # family members per account
SECONDS = float(os.environ.get("BENCH_BOOKING_SECONDS", "60"))
WORKERS = int(os.environ.get("BENCH_BOOKING_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_BOOKING_THREADS", "4"))
CLIENT_PROCESSES = int(os.environ.get("BENCH_BOOKING_CLIENT_PROCESSES", "2"))
PASSWORD = "bench-booking-2026"
BARE_TABLES = ("bench_counter", "bench_row")


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
    urls.urlpatterns = [path("bench/bare/", csrf_exempt(bare_view)), path("bench/bare-auth/", bare_auth_view),
                        path("", include("portal.urls"))]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    return get_wsgi_application()


# --- data, in a subprocess pointed at the bench database -----------------------------------------

def setup_data() -> None:
    """Accounts with family members, one hot schedule every day, the bare tables; JSON on stdout."""
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

    BookingSettings.load()
    umum = GuarantorType.objects.get_or_create(code="umum", defaults={"name": "Umum"})[0]
    clinic = Clinic.objects.create(code="GIGI", name="Poli Gigi", prefix="GIGI")
    doctor = Doctor.objects.create(name="drg. Bench")
    places = ACCOUNTS * PATIENTS
    schedules = {day: Schedule.objects.create(
        doctor=doctor, clinic=clinic, weekday=day, start_time=dt.time(7, 0), end_time=dt.time(23, 0),
        total_quota=min(places, 32000), online_quota=min(places, 32000), minutes_per_patient=1) for day in range(7)}
    password = make_password(PASSWORD)  # hashed once: creating accounts is not what we measure
    users = User.objects.bulk_create([User(
        email=f"bench{i}@example.com", full_name=f"Bench {i}", password=password, email_confirmed_at=timezone.now(),
        phone="+6281234567890", religion="islam", sex="P", education="sma", blood_type="A",
        marital_status="kawin", occupation="irt") for i in range(ACCOUNTS)])
    patients = Patient.objects.bulk_create([Patient(
        full_name=f"Pasien {i}", sex="P", birth_place="Banyumas", birth_date=dt.date(1990, 1, 1),
        nik=f"3302015701{i:06d}", address_street="Jl. Bench", address_village="Desa", address_district="Kec",
        address_regency="Banyumas", address_province="Jawa Tengah", phone="+6281234567890", religion="islam",
        blood_type="A", marital_status="kawin", education="sma", occupation="irt", mother_name="Ibu",
        mrn=f"B{i:07d}") for i in range(ACCOUNTS * PATIENTS)])
    AccountPatient.objects.bulk_create([
        AccountPatient(account=users[i // PATIENTS], patient=p, relationship="other") for i, p in enumerate(patients)])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_counter (id integer PRIMARY KEY, n integer NOT NULL)")
        cursor.execute("INSERT INTO bench_counter VALUES (1, 0)")
        cursor.execute("CREATE TABLE bench_row (id integer PRIMARY KEY %s, n integer NOT NULL)"
                       % ("GENERATED ALWAYS AS IDENTITY" if connection.vendor == "postgresql" else "AUTOINCREMENT"))
    today = timezone.localdate()
    rush_day, wizard_day = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    print(json.dumps({
        "accounts": [u.email for u in users],
        "patients": [[str(p.pk) for p in patients[i * PATIENTS:(i + 1) * PATIENTS]] for i in range(ACCOUNTS)],
        "guarantor": umum.code, "clinic": clinic.pk,
        "rush": {"date": rush_day.isoformat(), "schedule": schedules[rush_day.weekday()].pk},
        "wizard": {"date": wizard_day.isoformat(), "schedule": schedules[wizard_day.weekday()].pk},
    }))


def check_data(plan: dict) -> None:
    """Numbers 1..n per schedule-day, counters equal to rows: printed as one JSON line."""
    import django

    django.setup()
    from django.db.models import Count, Max

    from queueing.models import Booking, DayQuota

    report = {}
    for phase in ("rush", "wizard"):
        quota = DayQuota.objects.filter(schedule_id=plan[phase]["schedule"], date=plan[phase]["date"]).first()
        if quota is None:
            continue
        rows = Booking.objects.filter(day_quota=quota)
        numbers = sorted(rows.values_list("number", flat=True))
        report[phase] = {"bookings": len(numbers), "gapless": numbers == list(range(1, len(numbers) + 1)),
                         "counters_match": quota.active_count == quota.last_number == len(numbers)}
    doubles = (Booking.objects.values("patient", "date").annotate(n=Count("id")).filter(n__gt=1)
               .aggregate(m=Max("n"))["m"])
    report["double_bookings"] = doubles or 0
    print(json.dumps(report))


# --- HTTP clients ------------------------------------------------------------------------------------

class Client:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                payload = response.read().decode()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", payload

    def login(self, email: str) -> None:
        self.request("GET", "/akun/masuk/")
        status, location, _body = self.request("POST", "/akun/masuk/", {"username": email, "password": PASSWORD})
        assert status == 302 and location.endswith("/beranda/"), (status, location)

    def walk(self, plan: dict, phase: str, patient: str) -> tuple[str, dict]:
        """The wizard up to the confirm page: its URL and the confirm form's fields."""
        status, url, _ = self.request("GET", "/antrian/ambil/")
        for answer in ({"patient": patient}, {"date": plan[phase]["date"]}, {"guarantor_type": plan["guarantor"]},
                       {"clinic": plan["clinic"]}, {"schedule": plan[phase]["schedule"]}):
            status, url, body = self.request("POST", url, answer)
            assert status == 302, (status, url, body[:300])
        status, _location, page = self.request("GET", url)
        assert status == 200, status
        form = {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
                for name in ("csrfmiddlewaretoken", "token")}
        return url, form

    def confirm(self, url: str, form: dict) -> tuple[bool, float]:
        start = time.perf_counter()
        status, location, _body = self.request("POST", url, form)
        return status == 302 and "?baru=1" in location, time.perf_counter() - start


def client_process(index: int, plan: dict, port: int, barrier, results) -> None:
    """One client process: a thread per account, phases started together across processes."""
    import threading

    mine = [i for i in range(len(plan["accounts"])) if i % CLIENT_PROCESSES == index]
    out: list[dict] = []

    def account(i: int) -> None:
        client = Client(port)
        client.login(plan["accounts"][i])
        rush_patients, wizard_patients = plan["patients"][i][:RUSH], plan["patients"][i][RUSH:]
        prepared = [client.walk(plan, "rush", p) for p in rush_patients]
        record = {"rush": [], "wizard": [], "bare": [], "bare_auth": []}
        barrier.wait()
        deadline, t0 = time.monotonic() + SECONDS, time.monotonic()
        for url, form in prepared:
            if time.monotonic() > deadline:
                break
            record["rush"].append(client.confirm(url, form))
        record["rush_span"] = (t0, time.monotonic())
        barrier.wait()
        deadline, t0 = time.monotonic() + SECONDS, time.monotonic()
        for patient in wizard_patients:
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            url, form = client.walk(plan, "wizard", patient)
            ok, _latency = client.confirm(url, form)
            status, _loc, _page = client.request("GET", "/antrian/")  # the result, as a person would look
            record["wizard"].append((ok and status == 200, time.perf_counter() - start))
        record["wizard_span"] = (t0, time.monotonic())
        barrier.wait()
        bare = Client(port)
        deadline, t0 = time.monotonic() + SECONDS, time.monotonic()
        for _n in range(BARE):
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            status, _loc, _body = bare.request("POST", "/bench/bare/", {})
            record["bare"].append((status == 200, time.perf_counter() - start))
        record["bare_span"] = (t0, time.monotonic())
        barrier.wait()
        deadline, t0 = time.monotonic() + SECONDS, time.monotonic()
        for _n in range(BARE):
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            status, _loc, _body = client.request("POST", "/bench/bare-auth/", {})
            record["bare_auth"].append((status == 200, time.perf_counter() - start))
        record["bare_auth_span"] = (t0, time.monotonic())
        out.append(record)

    threads = [threading.Thread(target=account, args=(i,)) for i in mine]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


# --- orchestration -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bench_database(env: dict) -> tuple[str, callable]:
    """A fresh database URL for the bench and a function that removes it again."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import environ
        import psycopg2

        config = environ.Env.db_url_config(url)
        name = f"{config['NAME']}_bench_booking"
        admin = dict(dbname="postgres", user=config.get("USER") or None, password=config.get("PASSWORD") or None,
                     host=config.get("HOST") or None, port=config.get("PORT") or None)

        def run(sql: str) -> None:
            conn = psycopg2.connect(**admin)
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
            conn.close()

        run(f'DROP DATABASE IF EXISTS "{name}"')  # only ever our own throwaway database
        run(f'CREATE DATABASE "{name}"')
        return url.rsplit("/", 1)[0] + f"/{name}", lambda: run(f'DROP DATABASE IF EXISTS "{name}"')
    folder = tempfile.mkdtemp(prefix="bench-booking-")
    return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)


def _python(code: str, env: dict) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True,
                          timeout=600)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _start_server(env: dict, port: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "bench.booking:make_app()", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--threads", str(THREADS), "--worker-class", "gthread", "--log-level", "warning", "--keep-alive", "30"],
        env=env, cwd=BASE_DIR)
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


def _summary(records: list[dict], phase: str) -> str:
    results = [r for record in records for r in record[phase]]
    spans = [record[f"{phase}_span"] for record in records]
    elapsed = max(end for _s, end in spans) - min(start for start, _e in spans)
    ok = sum(1 for good, _latency in results if good)
    latencies = sorted(latency * 1000 for _good, latency in results)
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0
    return (f"{ok / elapsed:7.1f}/s  ({ok} of {len(results)} ok in {elapsed:.1f} s; "
            f"latency median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms)")


def main() -> None:
    from django.db import connections

    connections.close_all()
    env = dict(os.environ, DEBUG="False", SECRET_KEY="bench-only-" + "x" * 50, ALLOWED_HOSTS="127.0.0.1",
               STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage", LOG_LEVEL="ERROR",
               EMAIL_URL="dummymail://", DJANGO_SETTINGS_MODULE="portal.settings", CONN_MAX_AGE="600")
    env["DATABASE_URL"], drop = _bench_database(env)
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    server = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=BASE_DIR,
                       check=True, timeout=600)
        plan = json.loads(_python("import bench.booking as b; b.setup_data()", env))
        port = _free_port()
        server = _start_server(env, port)
        context = multiprocessing.get_context("fork")
        barrier, results = context.Barrier(ACCOUNTS), context.Queue()
        clients = [context.Process(target=client_process, args=(i, plan, port, barrier, results))
                   for i in range(CLIENT_PROCESSES)]
        for process in clients:
            process.start()
        records = [record for _p in clients for record in results.get(timeout=3 * SECONDS + 600)]
        for process in clients:
            process.join()
        print(f"{engine}, gunicorn {WORKERS} workers x {THREADS} threads, {ACCOUNTS} concurrent clients, "
              f"{os.cpu_count()} cores (clients on the same cores)")
        print(f"rush   (confirm POST that books, one hot doctor-day): {_summary(records, 'rush')}")
        print(f"wizard (whole journey per booking, 9 requests):       {_summary(records, 'wizard')}")
        print(f"bare   (increment a counter + insert a row):          {_summary(records, 'bare')}")
        print(f"bare+  (the same, signed in: session, user, CSRF):    {_summary(records, 'bare_auth')}")
        print("check:", _python("import json, os, bench.booking as b; b.check_data(json.loads(os.environ['BENCH_PLAN']))",
                                dict(env, BENCH_PLAN=json.dumps(plan))))
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
