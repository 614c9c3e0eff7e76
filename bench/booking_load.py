"""The client side of `bench booking`: browsers over loopback HTTP, the phases, CPU sampling.

Each client process runs BENCH_BOOKING_CLIENTS / BENCH_BOOKING_CLIENT_PROCESSES threads, each
one concurrent person; every phase starts together for all of them (a shared barrier) and stops
after BENCH_BOOKING_SECONDS. See bench/booking.py for what is measured.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

CLIENTS = int(os.environ.get("BENCH_BOOKING_CLIENTS", os.environ.get("BENCH_BOOKING_ACCOUNTS", "16")))
CLIENT_PROCESSES = int(os.environ.get("BENCH_BOOKING_CLIENT_PROCESSES", "2"))
BARE = int(os.environ.get("BENCH_BOOKING_BARE", "150"))  # bare requests per client
SECONDS = float(os.environ.get("BENCH_BOOKING_SECONDS", "60"))
PASSWORD = "bench-booking-2026"
PHASES = ("rush", "wizard", "browser", "browser_login", "browser_nojs", "bare", "bare_auth")
# Phases whose unit is a whole journey walked as a browser does: with JavaScript each answer gets
# the next page in place (boosted forms); browser_nojs, a phone without it, follows every redirect.
JOURNEY_PHASES = ("browser", "browser_login", "browser_nojs")


# --- HTTP clients ------------------------------------------------------------------------------------


class Client:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = dict(cookies or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, data: dict | None = None, boost: bool = False) -> tuple[int, str, str]:
        """(status, where to go next, body): the Location of a redirect, or the X-Boost-Url of a boosted answer."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if boost:
            headers["X-Boost"] = "1"  # what static/js/boost.js sends
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
        self.last_queries = int(response.getheader("X-Bench-Queries") or 0)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or response.getheader("X-Boost-Url") or "", payload

    def close(self) -> None:
        self.conn.close()

    def login(self, email: str) -> None:
        self.request("GET", "/akun/masuk/")
        status, location, _body = self.request("POST", "/akun/masuk/", {"username": email, "password": PASSWORD})
        assert status == 302 and location.endswith("/beranda/"), (status, location)

    def walk(self, plan: dict, patient: str) -> tuple[str, dict]:
        """The wizard up to the confirm page: its URL and the confirm form's fields."""
        day = plan["days"]["wizard"]
        status, url, _ = self.request("GET", "/antrian/ambil/")
        for answer in (
            {"patient": patient},
            {"date": day["date"]},
            {"guarantor_type": plan["guarantor"]},
            {"clinic": plan["clinic"]},
            {"schedule": day["schedule"]},
        ):
            status, url, body = self.request("POST", url, answer)
            assert status == 302, (status, url, body[:300])
        status, _location, page = self.request("GET", url)
        assert status == 200, status
        form = {
            name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
            for name in ("csrfmiddlewaretoken", "token")
        }
        return url, form

    def browse(self, plan: dict, patient: str, pages: list, *, email: str = "", boosted: bool = True) -> bool:
        """One booking exactly as a phone's browser makes it: (sign in,) dashboard, start, each
        step's answer (and, without JavaScript, each step's page after the redirect), confirm, the
        result page, my bookings. Every request is noted in `pages` as (page, seconds, SQL queries)."""

        def hit(page: str, method: str, path: str, data: dict | None = None, boost: bool = False):
            start = time.perf_counter()
            answer = self.request(method, path, data, boost)
            pages.append((page, time.perf_counter() - start, self.last_queries))
            return answer

        if email:
            hit("sign-in page", "GET", "/akun/masuk/")
            status, location, _ = hit("sign-in POST", "POST", "/akun/masuk/", {"username": email, "password": PASSWORD})
            assert status == 302, status
        url, page = walk_to_confirm(hit, plan, patient, boosted=boosted)
        form = {
            name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
            for name in ("csrfmiddlewaretoken", "token")
        }
        status, location, _ = hit("confirm POST", "POST", url, form, boosted)
        if status != (200 if boosted else 302) or "?baru=1" not in location:
            return False
        result_status = 200 if boosted else hit("result", "GET", location)[0]  # boosted: shown in place
        list_status, _l, _b = hit("my bookings", "GET", "/antrian/")
        return result_status == 200 and list_status == 200

    def confirm(self, url: str, form: dict) -> tuple[bool, float, int]:
        start = time.perf_counter()
        status, location, _body = self.request("POST", url, form)
        return status == 302 and "?baru=1" in location, time.perf_counter() - start, status


def walk_to_confirm(hit, plan: dict, patient: str, *, boosted: bool = False) -> tuple[str, str]:
    """A phone's walk from the dashboard to the confirm page, each request through `hit(page, method,
    path, data, boost)` -> (status, next URL, body); returns the confirm page's URL and HTML.

    Boosted (static/js/boost.js, a phone with JavaScript), each answer gets the next page in its
    own response; otherwise each answer redirects and the browser then asks for the next page."""
    day = plan["days"]["browser"]
    hit("dashboard", "GET", "/beranda/")
    _status, url, page = hit("start", "GET", "/antrian/ambil/", None, boosted)

    def answer_step(step: str, url: str, answer: dict) -> tuple[str, str]:
        if not boosted:
            hit(f"{step} page", "GET", url)
        status, url, body = hit(f"{step} POST", "POST", url, answer, boosted)
        assert status == (200 if boosted else 302), (step, status, body[:300])
        return url, body

    if url.endswith("/fasilitas/"):  # asked first only when the deployment has several facilities
        url, page = answer_step("facility", url, {"facility": plan["facility"]})
    for step, answer in (
        ("member", {"patient": patient}),
        ("date", {"date": day["date"]}),
        ("guarantor", {"guarantor_type": plan["guarantor"]}),
        ("clinic", {"clinic": plan["clinic"]}),
        ("doctor", {"schedule": day["schedule"]}),
    ):
        url, page = answer_step(step, url, answer)
    if not boosted:
        page = hit("confirm page", "GET", url)[2]
    return url, page


def _timed(record: list, ok: bool, start: float, status: int) -> None:
    record.append((ok, time.perf_counter() - start, status))


def _cpu_seconds(stat: str) -> tuple[int, float]:
    """(parent pid, user + system CPU seconds) from a /proc/<pid>/stat line."""
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu(server_pid: int | list[int], database: str) -> dict[str, float]:
    """CPU seconds so far of the gunicorn processes (one server's pid, or several), of the bench
    database's PostgreSQL backends and of the whole machine (all cores, from /proc/stat), to tell
    how much other programs took."""
    busy = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    totals = {
        "server": 0.0,
        "database": 0.0,
        "machine": (sum(busy) - busy[3] - busy[4]) / os.sysconf("SC_CLK_TCK"),
    }  # minus idle, iowait
    pids = set(server_pid) if isinstance(server_pid, list) else {server_pid}
    marker = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid, seconds = _cpu_seconds((entry / "stat").read_text())
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if int(entry.name) in pids or ppid in pids:
            totals["server"] += seconds
        elif command.startswith(b"postgres: ") and marker in command:
            totals["database"] += seconds
    return totals


class Phase:
    """Runs the phases of one client thread in step with every other client (a shared barrier).

    The first thread of each client process notes its process's CPU time at every barrier, and
    in the first process also the server's and the database's, so CPU per request can be told
    apart from what other programs on the machine take.
    """

    def __init__(self, barrier, sampler: dict | None) -> None:
        self.barrier, self.sampler = barrier, sampler
        self.record: dict = {phase: [] for phase in PHASES}
        self.record["cpu"] = []

    def mark(self) -> None:
        self.barrier.wait(timeout=SECONDS + 600)
        if self.sampler is not None:
            times = os.times()
            sample = {"clients": times.user + times.system}
            if self.sampler["server_pid"]:
                sample.update(_server_cpu(self.sampler["server_pid"], self.sampler["database"]))
                sample["wall"] = time.monotonic()
            self.record["cpu"].append(sample)

    def run(self, name: str, work) -> None:
        self.mark()
        deadline, t0 = time.monotonic() + SECONDS, time.monotonic()
        work(self.record[name], lambda: time.monotonic() > deadline)
        self.record[f"{name}_span"] = (t0, time.monotonic())


def _rush(port: int, families: list[dict]):
    def work(record: list, late) -> None:
        for family in families:
            client = Client(port, {"sessionid": family["session"], "csrftoken": family["csrf_cookie"]})
            for wid in family["wizards"]:
                if late():
                    return
                url = f"/antrian/ambil/{wid}/konfirmasi/"
                record.append(client.confirm(url, {"csrfmiddlewaretoken": family["csrf_token"], "token": wid}))
            client.close()

    return work


def _journeys(client: Client, plan: dict, patients: list[str]):
    def work(record: list, late) -> None:
        for patient in patients:
            if late():
                return
            start = time.perf_counter()
            url, form = client.walk(plan, patient)
            ok, _latency, status = client.confirm(url, form)
            list_status, _loc, _page = client.request("GET", "/antrian/")  # the result, as a person would look
            _timed(record, ok and list_status == 200, start, status)

    return work


def _browser(
    port: int, client: Client, plan: dict, patients: list[str], pages: list, email: str = "", boosted: bool = True
):
    """Whole journeys; with `email`, each in a fresh browser that signs in first."""

    def work(record: list, late) -> None:
        for patient in patients:
            if late():
                return
            browser = Client(port) if email else client
            start = time.perf_counter()
            ok = browser.browse(plan, patient, pages, email=email, boosted=boosted)
            _timed(record, ok, start, 302)
            if email:
                browser.close()

    return work


def _bare(client: Client, path: str):
    def work(record: list, late) -> None:
        for _n in range(BARE):
            if late():
                return
            start = time.perf_counter()
            status, _loc, _body = client.request("POST", path, {})
            _timed(record, status == 200, start, status)

    return work


def client_process(index: int, plan: dict, port: int, barrier, results) -> None:
    """One client process: CLIENTS / CLIENT_PROCESSES threads, each one concurrent 'person'."""
    mine = [i for i in range(CLIENTS) if i % CLIENT_PROCESSES == index]
    out: list[dict] = []

    def client_thread(i: int) -> None:
        sampler = None
        if i == mine[0]:
            sampler = {"server_pid": plan["server_pid"] if index == 0 else 0, "database": plan["database"]}
        phase = Phase(barrier, sampler)
        try:
            client = Client(port)
            client.login(plan["accounts"][i])
            phase.run("rush", _rush(port, plan["rush"][i::CLIENTS]))
            phase.run("wizard", _journeys(client, plan, plan["patients"][i]))
            # browser_nojs: a phone without JavaScript, signed in as a login account (the wizard account
            # has booked twice JOURNEYS times by then: more would meet the per-account confirm limit).
            nojs = Client(port)
            nojs.login(plan["login_accounts"][i])
            for name, browser, patients, email, boosted in (
                ("browser", client, plan["browser_patients"][i], "", True),
                ("browser_login", client, plan["login_patients"][i], plan["login_accounts"][i], True),
                ("browser_nojs", nojs, plan["nojs_patients"][i], "", False),
            ):
                phase.record[f"{name}_pages"] = pages = []
                phase.run(name, _browser(port, browser, plan, patients, pages, email, boosted))
            phase.run("bare", _bare(Client(port), "/bench/bare/"))
            phase.run("bare_auth", _bare(client, "/bench/bare-auth/"))
            phase.mark()
            phase.record["session"] = client.cookies.get("sessionid")
        except Exception as exc:  # noqa: BLE001 - reported, and the others are released
            barrier.abort()
            phase.record["error"] = f"{exc.__class__.__name__}: {exc}"[:500]
        out.append(phase.record)

    threads = [threading.Thread(target=client_thread, args=(i,)) for i in mine]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)
