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
  account out on both (django-axes); the cache-based limits (confirm, e-mails) share Redis.

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
    servers, proxy, folder = [], None, None
    try:
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
        drop()
