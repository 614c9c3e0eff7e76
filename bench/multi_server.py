"""Two app servers behind a real load balancer, one PostgreSQL and one Redis: the shape a hospital
or a health office grows into. `make bench BENCH_ARGS=multi_server`; `.ci/run` runs a short smoke.

Two gunicorn instances (the booking bench's app and settings, DEBUG off) listen on two loopback
ports; HAProxy (Debian package `haproxy`) spreads requests over them round-robin, checking
`/healthz`. Everything that must be shared is: sessions and rate limits in Redis (CACHE_URL,
cache sessions), django-axes' lock-out in the database, the booking counters in PostgreSQL,
background tasks in the database queue. Through the balancer it runs the booking bench's phases
(rush, wizard journeys, bare, bare+auth) and checks:

- the invariants of a rush: queue numbers 1..n per doctor-day, counters equal to rows, no
  patient booked twice a day (bench.booking.check_data);
- both servers really served (HAProxy's own per-server request counts);
- limits hold across both servers: five failed sign-ins spread over both servers lock the
  account out on both (django-axes); the cache-based limits (confirm, e-mails) share Redis;
- uploads are shared: the private storage is one S3 bucket (moto's S3 server on loopback, the
  tests' fake, standing in for MinIO), and an ID card uploaded through one server is served,
  byte for byte, by the other (and the other way round).

PostgreSQL only (a shared SQLite file is not a multi-server deployment); skipped, with the
reason, without PostgreSQL, Redis or HAProxy.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import booking
from bench.booking_load import PHASES, Client

BASE_DIR = Path(__file__).resolve().parent.parent
CACHE_URL = os.environ.get("BENCH_BOOKING_CACHE_URL", "redis://127.0.0.1:6379/1")


def _haproxy_config(front: int, stats: int, backends: list[int]) -> str:
    servers = "\n".join(
        f"    server app{n} 127.0.0.1:{port} check inter 2s fall 2 rise 1" for n, port in enumerate(backends, 1)
    )
    return f"""global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 90s
    timeout server 90s
    option http-keep-alive
frontend portal
    bind 127.0.0.1:{front}
    default_backend apps
backend apps
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
{servers}
listen stats
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /stats
"""


def _start_haproxy(backends: list[int]) -> tuple[subprocess.Popen, int, int, str]:
    front, stats = booking._free_port(), booking._free_port()
    folder = tempfile.mkdtemp(prefix="bench-haproxy-")
    config = Path(folder) / "haproxy.cfg"
    config.write_text(_haproxy_config(front, stats, backends))
    proxy = subprocess.Popen([shutil.which("haproxy"), "-db", "-f", str(config)], stdout=subprocess.DEVNULL)
    for _attempt in range(100):
        if _served(stats) and all(up for _sessions, up in _served(stats).values()):
            return proxy, front, stats, folder
        time.sleep(0.2)
    proxy.terminate()
    raise RuntimeError("HAProxy did not start or sees no healthy server")


def _served(stats_port: int) -> dict[str, tuple[int, bool]]:
    """Per app server: (requests HAProxy sent it so far, is it up)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", stats_port, timeout=2)
        conn.request("GET", "/stats;csv")
        text = conn.getresponse().read().decode()
    except OSError:
        return {}
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {
        row["svname"]: (int(row["stot"] or 0), row["status"].startswith("UP"))
        for row in rows
        if row["pxname"] == "apps" and row["svname"].startswith("app")
    }


def _limits_hold(front: int) -> list[str]:
    """Sign-in lock-out, counted across both servers."""
    lines = []
    client = Client(front)
    statuses = []
    for _attempt in range(6):  # the requests alternate between the servers (round-robin)
        client.request("GET", "/akun/masuk/")
        status, _location, _body = client.request(
            "POST", "/akun/masuk/", {"username": "nobody-multi@bench.example", "password": "wrong-password"}
        )
        statuses.append(status)
    locked = statuses[-1] == 429
    lines.append(f"sign-in lock-out across servers: statuses {statuses} -> {'HOLDS' if locked else 'BROKEN'}")
    if not locked:
        raise RuntimeError(lines[-1])
    return lines


# --- shared uploads ------------------------------------------------------------------------------

UPLOAD_SETUP = """
import datetime as dt, json
import django
django.setup()
from django.utils import timezone
from accounts.models import User
from bench.booking import _csrf_pair, _signed_in_session
from families.models import AccountPatient, Patient
user = User.objects.create_user(email="uploads-multi@bench.example", password="x" * 20, full_name="Bench Uploads",
                                email_confirmed_at=timezone.now())
patient = Patient.objects.create(full_name="Adi Bench", sex="L", birth_date=dt.date(2015, 7, 9), birth_place="Purwokerto")
AccountPatient.objects.create(account=user, patient=patient, relationship="child", verified_at=timezone.now())
session, _wizards = _signed_in_session(user, [])
secret, token = _csrf_pair()
print(json.dumps({"session": session, "csrf": secret, "token": token, "patient": str(patient.pk)}))
"""

DOCUMENT_OF_KIND = """
import json, os
import django
django.setup()
from families.models import IdentityDocument
document = IdentityDocument.objects.get(patient_id=os.environ["BENCH_PATIENT"], kind=os.environ["BENCH_KIND"])
print(json.dumps({"id": str(document.pk), "name": document.file.name}))
"""


def _start_fake_s3():
    """The tests' fake S3 (moto's server mode, a test requirement) and a fresh bucket; None without moto."""
    from portal.tests.s3 import KEYS, Bucket, FakeS3

    try:
        server = FakeS3()
    except ImportError as exc:
        print(f"    shared uploads: skipped ({exc}; pip install -r requirements-test.txt)", flush=True)
        return None, {}
    server.start()
    bucket = Bucket(server, server.new_bucket())
    env = {
        "S3_BUCKET": bucket.name,
        "S3_ENDPOINT_URL": server.endpoint,
        "S3_ACCESS_KEY_ID": KEYS["access_key"],
        "S3_SECRET_ACCESS_KEY": KEYS["secret_key"],
    }
    return bucket, env


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = f"bench{os.urandom(8).hex()}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _http(port: int, method: str, path: str, cookies: dict, body: bytes | None = None, content_type: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (200, 30, 30)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _uploads_shared(env: dict, ports: list[int], bucket) -> list[str]:
    """An ID card uploaded through one server is in the bucket and served by the other, both ways."""
    who = json.loads(booking._python(UPLOAD_SETUP, env))
    cookies = {"sessionid": who["session"], "csrftoken": who["csrf"]}
    lines = []
    for kind, (up, down) in (("ktp", ports), ("kk", ports[::-1])):
        body, content_type = _multipart(
            {"csrfmiddlewaretoken": who["token"], "doc-kind": kind},
            {"doc-file": (f"{kind}.jpg", _photo(), "image/jpeg")},
        )
        start = time.perf_counter()
        status, _payload = _http(up, "POST", f"/keluarga/{who['patient']}/dokumen/", cookies, body, content_type)
        took = time.perf_counter() - start
        if status != 302:
            raise RuntimeError(f"upload through :{up} answered {status}")
        document = json.loads(
            booking._python(DOCUMENT_OF_KIND, {**env, "BENCH_PATIENT": who["patient"], "BENCH_KIND": kind})
        )
        status, served = _http(down, "GET", f"/keluarga/dokumen/{document['id']}/", cookies)
        same = status == 200 and served == bucket.read(document["name"])
        lines.append(
            f"{kind} uploaded through :{up} ({took * 1000:.0f} ms, into the bucket), "
            f"served by :{down}: {status}, {'same bytes' if same else 'DIFFERENT'}"
        )
        if not same:
            raise RuntimeError(f"shared uploads broken: {lines[-1]}")
    return lines


def _run_round(env: dict, front: int, pids: list[int]) -> dict:
    rates, lines, _sessions = booking._round(env, front, pids, serial=900, tag="multi")
    for phase in PHASES:
        print(f"    {phase:9s} {rates[phase]:7.1f}/s  ({lines[phase]})", flush=True)
    print(f"    check: {lines['check']}", flush=True)
    report = json.loads(lines["check"])
    days = [value for value in report.values() if isinstance(value, dict)]
    if (
        report["double_bookings"]
        or len(days) < 2  # the rush's doctor-day and the journeys' both booked
        or not all(day["gapless"] and day["counters_match"] and day["bookings"] for day in days)
        or not rates["rush"]
    ):
        raise RuntimeError(f"invariants broken: {lines['check']}")
    return rates


def main() -> None:
    from django.db import connections

    connections.close_all()
    if not shutil.which("haproxy"):
        print("[multi_server] skipped: no haproxy (apt-get install haproxy)")
        return
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("[multi_server] skipped: needs PostgreSQL (DATABASE_URL)")
        return
    if not booking._redis_answers(CACHE_URL):
        print(f"[multi_server] skipped: no Redis at {CACHE_URL}")
        return
    env = booking.production_env(CACHE_URL=CACHE_URL, SESSION_ENGINE=booking.SESSION_ENGINES["cache"])
    env["DATABASE_URL"], drop = booking._bench_database()
    servers, proxy, folder, bucket = [], None, None, None
    try:
        bucket, s3_env = _start_fake_s3()
        env.update(s3_env)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=BASE_DIR, check=True, timeout=600
        )
        ports = [booking._free_port(), booking._free_port()]
        servers = [booking._start_server(env, port) for port in ports]
        proxy, front, stats, folder = _start_haproxy(ports)
        print(
            f"PostgreSQL + Redis sessions; 2 gunicorn servers ({booking.WORKERS} workers x {booking.THREADS} "
            f"threads each) behind HAProxy round-robin on 127.0.0.1:{front}; {os.cpu_count()} cores for all",
            flush=True,
        )
        _run_round(env, front, [server.pid for server in servers])
        for line in _limits_hold(front):
            print(f"    {line}", flush=True)
        for line in _uploads_shared(env, ports, bucket) if bucket else ():
            print(f"    shared uploads: {line}", flush=True)
        served = _served(stats)
        print(f"    requests per server (HAProxy): {', '.join(f'{n} {c}' for n, (c, _up) in sorted(served.items()))}")
        if len(served) != 2 or min(count for count, _up in served.values()) == 0:
            raise RuntimeError("a server got no requests: the balancer did not spread the load")
        print("multi_server: ok")
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=30)
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        if bucket:
            bucket.server.stop()
        drop()
