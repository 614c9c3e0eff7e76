"""Where the time of one booking confirm POST goes, in process, one request at a time.

`python -m bench booking_profile` (or `make bench BENCH_ARGS=booking_profile`). The same data as
`bench booking` (a throwaway database, signed-in sessions on the confirm page), then the requests
go straight into the WSGI handler (no HTTP, no gunicorn, no concurrency):

- wall time per request (median) for bare, bare+ and the confirm POST, so the layers can be read
  by subtraction: framework and middleware (bare, minus its two statements), session + user +
  CSRF (bare+ minus bare), form + view + booking (confirm minus bare+);
- the confirm POST's database statements with their times;
- a cProfile of the confirm POSTs: cumulative time per call of the parts named in LAYERS.

BENCH_PROFILE_REQUESTS confirm POSTs (default 300) and as many bare ones. SESSION_ENGINE and
CACHE_URL are taken from the environment, as by the server.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import booking as bench
from bench.booking_load import _cpu_seconds

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "300"))
LAYERS = [  # (label, function name as cProfile shows it)
    ("whole request (WSGI handler)", "wsgi.py:120(__call__)"),
    ("session load", "(load)"),
    ("user lookup (incl. session load)", "auth/__init__.py:295(get_user)"),
    ("CSRF check", "csrf.py:414(process_view)"),
    ("view: wizard_confirm", "(wizard_confirm)"),
    ("  confirm limit", "(confirm_allowed)"),
    ("  confirm form", "forms.py:204(is_valid)"),
    ("  booking_create", "(booking_create)"),
    ("    read: member and offer", "(booking_inputs)"),
    ("    write", "booking_write.py:46(write)"),
    ("  redirect response", "(_booked)"),
    ("never_cache headers", "(add_never_cache_headers)"),
]


class _Browser:
    """A cookie jar talking to the WSGI app directly."""

    def __init__(self, app, cookies: dict[str, str]) -> None:
        self.app, self.cookies = app, dict(cookies)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urlencode(data).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        b"".join(self.app(environ, start_response))
        location = next((v for k, v in answer["headers"] if k.lower() == "location"), "")
        return answer["status"], location


def _timed(calls, backend_pid: int) -> tuple[float, float, float]:
    """Median wall ms per call, and mean CPU ms per call of this process and of its database backend."""
    times = []
    cpu, backend = time.process_time(), _backend_cpu(backend_pid)
    for call in calls:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    count = len(times)
    return (
        statistics.median(times) * 1000,
        (time.process_time() - cpu) * 1000 / count,
        (_backend_cpu(backend_pid) - backend) * 1000 / count,
    )


def _backend_cpu(pid: int) -> float:
    return _cpu_seconds(Path(f"/proc/{pid}/stat").read_text())[1] if pid else 0.0


def _confirms(app, plan: dict) -> list:
    out = []
    for family in plan["rush"]:
        browser = _Browser(app, {"sessionid": family["session"], "csrftoken": family["csrf_cookie"]})
        for wid in family["wizards"]:
            out.append(
                (
                    browser,
                    f"/antrian/ambil/{wid}/konfirmasi/",
                    {"csrfmiddlewaretoken": family["csrf_token"], "token": wid},
                )
            )
    return out


def _confirm(browser, path, form) -> None:
    status, location = browser.post(path, form)
    assert status == 302 and "?baru=1" in location, (status, location)


def main() -> None:
    """Data in a throwaway database, then the profile in a fresh process that loads the bench's settings."""
    from django.db import connections

    connections.close_all()
    env = bench.production_env(  # its throwaway keys too: without them the settings refuse to start
        BENCH_TAG="p",
        BENCH_SERIAL="0",
        BENCH_BOOKING_RUSH=str(2 * REQUESTS + 4),
        BENCH_BOOKING_CLIENTS="1",
    )
    with bench.planned_database(env, "bench-profile-") as (plan_file, plan):
        subprocess.run(
            [sys.executable, "-c", "import bench.booking_profile as p; p.run()"],
            cwd=bench.BASE_DIR,
            env=dict(env, BENCH_PLAN=str(plan_file)),
            check=True,
            timeout=900,
        )
        if env.get("SESSION_ENGINE", "").endswith(".cache"):
            plan_file.write_text(json.dumps([family["session"] for family in plan["rush"]]))
            bench._python("import bench.booking as b; b.forget_sessions()", dict(env, BENCH_SESSIONS=str(plan_file)))


def run() -> None:
    from django.conf import settings
    from django.db import connection

    app = bench.make_app()
    plan = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
    confirms = _confirms(app, plan)
    _confirm(*confirms.pop())  # the day's first booking makes the counter row
    anonymous = _Browser(app, {})
    signed_in = confirms[0][0]
    half = len(confirms) // 2
    backend = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    bare = _timed([lambda: anonymous.post("/bench/bare/", {})] * half, backend)
    bare_auth = _timed(
        [lambda: signed_in.post("/bench/bare-auth/", {"csrfmiddlewaretoken": plan["rush"][0]["csrf_token"]})] * half,
        backend,
    )
    statements = []

    def record(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, sql))

    with connection.execute_wrapper(record):
        confirm = _timed([lambda c=c: _confirm(*c) for c in confirms[:half]], backend)
    print(
        f"{connection.vendor}, {settings.SESSION_ENGINE.rsplit('.', 1)[1]} sessions, one request at a time, "
        f"{half} of each (wall: median; CPU: mean of this process + its PostgreSQL backend):"
    )
    for label, (wall, python, database) in (("bare", bare), ("bare+", bare_auth), ("confirm POST", confirm)):
        print(f"  {label:13s} wall {wall:5.2f} ms · CPU {python:5.2f} ms Python + {database:5.2f} ms database")
    per_request = len(statements) / half
    print(
        f"  confirm POST: {per_request:.1f} statements, {sum(t for t, _s in statements) / half * 1000:.2f} ms "
        f"in the database driver (plus one health-check round trip per request, not counted here)"
    )
    for seconds, sql in statements[-round(per_request) :]:
        print(f"    {seconds * 1000:5.2f} ms  {' '.join(sql.split())[:110]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for c in confirms[half:]:
        _confirm(*c)
    profiler.disable()
    _layers(profiler, len(confirms) - half)
    if os.environ.get("BENCH_PROFILE_TOP"):  # the functions that spend the most time themselves
        pstats.Stats(profiler).sort_stats("tottime").print_stats(int(os.environ["BENCH_PROFILE_TOP"]))


def _layers(profiler: cProfile.Profile, calls: int) -> None:
    stats = pstats.Stats(profiler).stats
    print(f"  cProfile over {calls} confirm POSTs (profiling slows everything; compare the parts, not the totals):")
    for label, needle in LAYERS:
        found = [
            (cumtime, ncalls)
            for (path, line, name), (_cc, ncalls, _tt, cumtime, _callers) in stats.items()
            if needle in f"{path}:{line}({name})"
        ]
        if found:
            cumtime = max(found)[0]
            print(f"    {label:32s} {cumtime / calls * 1000:6.2f} ms per request")
