"""Where the time of a signed-in booking journey goes, page by page, in process.

`python -m bench journey_profile` (or `make bench BENCH_ARGS=journey_profile`). The same data as
`bench booking` in a throwaway database; its accounts sign in through the login form (not
measured), then walk BENCH_PROFILE_JOURNEYS journeys (four per account) exactly as the `browser`
phase of `bench booking` does (dashboard, start, every step's page and answer, the confirm page,
confirm, the result page, my bookings), straight into the WSGI handler: no HTTP, no gunicorn, no
concurrency, one request at a time.

Prints, per page: the median wall time, the mean CPU time of this process and of its PostgreSQL
backend, and the SQL statements; then the whole journey's sums. Then, optionally, on further
journeys:
- BENCH_PROFILE_PYINSTRUMENT=tree (or flat): a pyinstrument profile (templates, forms, middleware,
  the ORM; "flat" lists the functions by their own time);
- BENCH_PROFILE_PAGE="guarantor POST" (a page's name as printed): a cProfile of that page alone,
  sorted by BENCH_PROFILE_SORT (default cumulative).
BENCH_PROFILE_SQL=1 prints each page's statements first. The per-account confirm limit is off
here (QUEUEING_CONFIRM_LIMIT=0): it is a cache round trip, measured by `bench booking`.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import booking as bench
from bench.booking_load import PASSWORD, _cpu_seconds, walk_to_confirm

JOURNEYS = int(os.environ.get("BENCH_PROFILE_JOURNEYS", "40"))
# A phone with JavaScript (boosted steps, the `browser` phase); BENCH_PROFILE_NOJS=1: without (`browser_nojs`).
BOOSTED = os.environ.get("BENCH_PROFILE_NOJS", "") != "1"
PER_ACCOUNT = 4  # journeys per account, as in `bench booking` (families of 12: its three journey phases)


class _Browser:
    """A cookie jar talking to the WSGI app directly; notes each request's statements."""

    def __init__(self, app) -> None:
        self.app, self.cookies = app, {}

    def request(self, method: str, url: str, data: dict | None = None, boost: bool = False) -> tuple[int, str, str]:
        parts = urlsplit(url)
        body = b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.errors": sys.stderr,
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if boost:
            environ["HTTP_X_BOOST"] = "1"  # a phone with JavaScript (static/js/boost.js)
        if data is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}).encode()
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        page = b"".join(self.app(environ, start_response)).decode()
        location = ""
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                key, _sep, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            elif name.lower() == "location" or (name.lower() == "x-boost-url" and not location):
                location = value  # a redirect's Location; else where a boosted answer's page is
            elif name == "X-Bench-Queries":
                self.last_queries = int(value)
        return answer["status"], location, page


def _journey(browser: _Browser, plan: dict, patient: str, hit) -> None:
    url, page = walk_to_confirm(hit, plan, patient, boosted=BOOSTED)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    status, location, _ = hit("confirm POST", "POST", url, {"token": token}, BOOSTED)
    assert status == (200 if BOOSTED else 302) and "?baru=1" in location, (status, location)
    if not BOOSTED:  # boosted, the result page came with the confirm POST
        hit("result", "GET", location)
    hit("my bookings", "GET", "/antrian/")


def main() -> None:
    """Data in a throwaway database, then the walk in a fresh process that loads the bench's settings."""
    from django.db import connections

    connections.close_all()
    env = bench.production_env(
        BENCH_TAG="j",
        BENCH_SERIAL="0",
        BENCH_BOOKING_RUSH="4",
        BENCH_BOOKING_CLIENTS=str(2 * JOURNEYS // PER_ACCOUNT + 2),
        BENCH_BOOKING_JOURNEYS=str(PER_ACCOUNT),
        QUEUEING_CONFIRM_LIMIT="0",
    )
    with bench.planned_database(env, "bench-journey-") as (plan_file, _plan):
        subprocess.run(
            [sys.executable, "-c", "import bench.journey_profile as p; p.run()"],
            cwd=bench.BASE_DIR,
            env=dict(env, BENCH_PLAN=str(plan_file)),
            check=True,
            timeout=900,
        )


def run() -> None:
    from django.conf import settings
    from django.db import connection

    app = bench.make_app()
    plan = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
    walks = [
        (email, patient)
        for email, patients in zip(plan["accounts"], plan["browser_patients"])
        for patient in patients[:PER_ACCOUNT]
    ]
    signed_in: dict[str, _Browser] = {}

    def browser_for(email: str) -> _Browser:
        """One browser per account, signed in through the login form once (not measured)."""
        if email not in signed_in:
            browser = signed_in[email] = _Browser(app)
            browser.request("GET", "/akun/masuk/")
            status, _l, _p = browser.request("POST", "/akun/masuk/", {"username": email, "password": PASSWORD})
            assert status == 302, status
        return signed_in[email]

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 0")
        backend = cursor.fetchone()[0]

    def backend_cpu() -> float:
        return _cpu_seconds(Path(f"/proc/{backend}/stat").read_text())[1] if backend else 0.0

    pages: dict[str, list[tuple[float, float, float, int]]] = {}
    only = os.environ.get("BENCH_PROFILE_PAGE")  # e.g. "guarantor POST": cProfile that page alone
    page_profile = cProfile.Profile() if only else None

    def walk(email: str, patient: str, measure: bool) -> None:
        browser = browser_for(email)

        def hit(page: str, method: str, url: str, data: dict | None = None, boost: bool = False):
            if not measure:
                if page == only:
                    page_profile.enable()
                    try:
                        return browser.request(method, url, data, boost)
                    finally:
                        page_profile.disable()
                return browser.request(method, url, data, boost)
            wall, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
            answer = browser.request(method, url, data, boost)
            pages.setdefault(page, []).append(
                (time.perf_counter() - wall, time.process_time() - cpu, backend_cpu() - db, browser.last_queries)
            )
            return answer

        _journey(browser, plan, patient, hit)

    walk(*walks.pop(), measure=False)  # warm: templates compiled, statements prepared
    if os.environ.get("BENCH_PROFILE_SQL"):  # each page's statements, for one journey
        email, patient = walks.pop()
        browser = browser_for(email)

        def show(page: str, method: str, url: str, data: dict | None = None):
            statements = []

            def note(execute, sql, params, many, context):
                statements.append(" ".join(sql.split())[:240])
                return execute(sql, params, many, context)

            with connection.execute_wrapper(note):
                answer = browser.request(method, url, data)
            print(f"{page}:")
            for sql in statements:
                print(f"    {sql}")
            return answer

        _journey(browser, plan, patient, show)
    for email, patient in walks[:JOURNEYS]:
        browser_for(email)
        walk(email, patient, measure=True)
    print(
        f"{connection.vendor}, {settings.SESSION_ENGINE.rsplit('.', 1)[1]} sessions, {JOURNEYS} signed-in "
        "journeys one request at a time (wall: median; CPU: mean of this process + its database backend):"
    )
    totals = [0.0, 0.0, 0.0, 0.0]
    for page, hits in pages.items():
        cpu, db = (statistics.fmean(h[index] * 1000 for h in hits) for index in (1, 2))
        wall, queries = statistics.median(h[0] * 1000 for h in hits), statistics.median(h[3] for h in hits)
        print(f"  {page:14s} wall {wall:6.2f} ms · CPU {cpu:6.2f} ms + database {db:5.2f} ms · {queries:.0f} queries")
        for index, value in enumerate((wall, cpu, db, queries)):
            totals[index] += value
    print(
        f"  whole journey: {len(pages)} requests, {totals[3]:.0f} queries, wall {totals[0]:.0f} ms, "
        f"CPU {totals[1]:.0f} ms + database {totals[2]:.1f} ms"
    )
    if only:
        for email, patient in walks[JOURNEYS:]:
            walk(email, patient, measure=False)
        stats = pstats.Stats(page_profile)
        stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(60)
    elif os.environ.get("BENCH_PROFILE_PYINSTRUMENT"):
        from pyinstrument import Profiler

        rest = walks[JOURNEYS:]
        for email, _patient in rest:
            browser_for(email)
        profiler = Profiler(interval=0.001)
        profiler.start()
        for email, patient in rest:
            walk(email, patient, measure=False)
        profiler.stop()
        if os.environ["BENCH_PROFILE_PYINSTRUMENT"] == "flat":  # the functions that spend the most time themselves
            from pyinstrument.renderers import ConsoleRenderer

            text = profiler.output(ConsoleRenderer(flat=True, show_all=True, time="percent_of_total"))
            print("\n".join(text.splitlines()[:80]))
        else:
            print(profiler.output_text(unicode=False, color=False, show_all=False))
