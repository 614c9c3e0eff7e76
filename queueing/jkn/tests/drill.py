"""The outbox drill: many bookings with check-ins and calls, real db_worker processes, the simulator.

Used by the fault test (test_outbox_faults.py) and the benchmark (`make bench BENCH_ARGS=outbox`).
Everything is real: bookings through services.booking_create (the one-round-trip write that
records antrean/add), task times recorded in their own transactions, `manage.py db_worker`
subprocesses running the outbox sender, the Antrean simulator on loopback.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from facilities.models import default_facility
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType
from portal.lib.tasks import database_url
from queueing import services, task_times
from queueing.jkn import outbox
from queueing.jkn.antrean_simulator import AntreanSimulator
from queueing.jkn.tests.outbox_helpers import enable_bridge
from queueing.models import Booking, BookingSettings, DayQuota, OutboxEvent, OutboxStatus, Schedule
from queueing.tests.conftest import make_member, make_schedule

ROOT = Path(__file__).resolve().parents[3]
TASKS_PER_BOOKING = (3, 4)  # check-in (poli wait) and the call (poli service)


def worker_env(**extra: str) -> dict[str, str]:
    """What a worker subprocess needs: the same database, quick retries and short leases."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DEBUG": "True",
        "JKN_OUTBOX_LEASE_SECONDS": "3",
        "JKN_OUTBOX_BACKOFF_BASE": "0.2",
        "JKN_OUTBOX_BACKOFF_MAX": "1",
        "JKN_OUTBOX_RUN_SECONDS": "5",
        "JKN_OUTBOX_IDLE_SECONDS": "1",
        "BPJS_TIMEOUT": "3",
        "BPJS_BREAKER_COOLOFF": "1",
        "JKN_OUTBOX_SENDERS": "2",
        "EMAIL_URL": "dummymail://",  # the booking e-mails the same workers send go nowhere
    }
    env.update(extra)
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "-v", "0"],
        cwd=ROOT,
        env=env,
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class World:
    account: object
    schedule: Schedule
    date: dt.date
    guarantor_id: int
    members: list = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)


def make_world(sim: AntreanSimulator, account, count: int) -> World:
    """A hospital with its bridge on, one doctor-day with room for `count`, `count` patients."""
    ensure_types(GuarantorType)
    make_schedule(online=count, total=count + 10, minutes=1)
    enable_bridge(sim)
    cfg = BookingSettings.load(default_facility().pk)
    cfg.latest_days_ahead = max(cfg.latest_days_ahead, 2)
    cfg.save()
    date = default_facility().local_today() + dt.timedelta(days=1)
    schedule = Schedule.objects.get(weekday=date.weekday())
    DayQuota.objects.filter(schedule=schedule).update(quota=count)
    members = [make_member(account, f"Pasien {i}", relationship="other") for i in range(count)]
    guarantor = GuarantorType.objects.get(code="umum")
    return World(account=account, schedule=schedule, date=date, guarantor_id=guarantor.pk, members=members)


def book_and_visit(world: World, members) -> list[Booking]:
    """Book each member, then record the check-in (task 3) and the call (task 4) of each."""
    bookings = [
        services.booking_create(
            account=world.account,
            patient_id=member.pk,
            schedule_id=world.schedule.pk,
            date=world.date,
            guarantor_id=world.guarantor_id,
            token=uuid.uuid4(),
        )
        for member in members
    ]
    start = timezone.now()
    for n, booking in enumerate(bookings):
        for task_id in TASKS_PER_BOOKING:
            at = start + dt.timedelta(seconds=n, minutes=task_id)  # increasing per booking
            task_times.task_record(booking=booking, task_id=task_id, at=at)
    world.bookings.extend(bookings)
    return bookings


def wait_delivered(expected: int, timeout: float) -> float:
    """Seconds until `expected` rows are delivered (AssertionError with the state after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        delivered = OutboxEvent.objects.filter(status=OutboxStatus.DELIVERED).count()
        if delivered >= expected:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"after {timeout:g} s: {outbox.summary()}")


def lag_figures(rows=None) -> dict[str, float]:
    """Seconds from recording to delivery, over every delivered row (of `rows`)."""
    rows = OutboxEvent.objects.all() if rows is None else rows
    lags = sorted(
        (row.delivered_at - row.created_at).total_seconds()
        for row in rows.filter(status=OutboxStatus.DELIVERED).only("created_at", "delivered_at")
    )
    if not lags:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    return {
        "p50": statistics.median(lags),
        "p95": lags[int(len(lags) * 0.95) - 1] if len(lags) > 1 else lags[0],
        "max": lags[-1],
    }


def delivery_window() -> float:
    """Seconds from the first to the last delivery."""
    span = OutboxEvent.objects.aggregate(first=Min("delivered_at"), last=Max("delivered_at"))
    return (span["last"] - span["first"]).total_seconds() if span["first"] else 0.0


def check_order_and_once(sim: AntreanSimulator, bookings: list[Booking]) -> None:
    """What BPJS accepted: per booking add, then the tasks in order with increasing times, each once."""
    for booking in bookings:
        accepted = sim.state.accepted_for(booking.code)
        assert [(kind, task) for kind, task, _w in accepted] == [("add", None), ("task", 3), ("task", 4)], accepted
        times = [w for kind, _t, w in accepted if kind == "task"]
        assert times == sorted(times) and len(set(times)) == len(times)
    keys = [(code, kind, task) for code, kind, task, _w in sim.state.accepted]
    assert len(keys) == len(set(keys)), "BPJS accepted something twice"
    assert not sim.state.refusals, sim.state.refusals[:5]
