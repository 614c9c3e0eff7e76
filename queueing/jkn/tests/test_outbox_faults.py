"""Fault test: bookings with check-ins and calls while BPJS is down, real workers, one killed mid-send.

Sized by JKN_FAULT_BOOKINGS (default 100, so the suite stays quick; the README's figures are
from 1,000). PostgreSQL only: the workers are other processes and need the same database.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import connection

from queueing.jkn import antrean_simulator as simulator
from queueing.jkn.tests import drill
from queueing.models import OutboxEvent, OutboxKind, OutboxStatus

BOOKINGS = int(os.environ.get("JKN_FAULT_BOOKINGS", "100"))

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]


@pytest.fixture
def sim():
    server = simulator.AntreanSimulator(slow_seconds=60.0)  # a "slow" answer outlives the worker we kill
    server.come_up()
    yield server
    server.stop()


def test_bpjs_down_for_the_first_half_and_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    sim, patient, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("the workers are other processes: run with DATABASE_URL on PostgreSQL")
    settings.JKN_OUTBOX_SENDERS = 2  # this process enqueues the senders of both workers
    world = drill.make_world(sim, patient, BOOKINGS)
    half = BOOKINGS // 2
    expected = BOOKINGS * (1 + len(drill.TASKS_PER_BOOKING))
    env = drill.worker_env()
    workers = []
    try:
        # 1. BPJS is down: the first half is booked, checked in and called; the worker retries.
        sim.go_down()
        first = drill.start_worker(env)
        workers.append(first)
        t0 = time.monotonic()
        drill.book_and_visit(world, world.members[:half])
        booked_first_half = time.monotonic() - t0
        retried = _wait_for(lambda: OutboxEvent.objects.filter(attempts__gt=1).count(), timeout=60)
        assert retried > 0, "the worker never tried while BPJS was down"
        assert OutboxEvent.objects.filter(status=OutboxStatus.DELIVERED).count() == 0

        # 2. BPJS comes back, but its first answer is slow: kill the worker while it waits.
        sim.fail("slow", count=1)
        sim.come_up()
        up_at = time.monotonic()
        assert sim.slow_started.wait(30), "the worker never sent after BPJS came back"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        path, body = sim.slow_requests[0]
        in_flight = _row_for(path, body)
        assert in_flight.status == OutboxStatus.PENDING and in_flight.claimed_by  # claimed, answer never read

        # 3. Two fresh workers at once; the second half is booked while they send.
        workers += [drill.start_worker(env), drill.start_worker(env)]
        drill.book_and_visit(world, world.members[half:])
        drained = drill.wait_delivered(expected, timeout=60 + BOOKINGS * 0.2)
        since_up = time.monotonic() - up_at
    finally:
        for worker in workers:
            drill.stop_worker(worker)

    assert OutboxEvent.objects.count() == expected
    assert OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).count() == 0
    drill.check_order_and_once(sim, world.bookings)
    in_flight.refresh_from_db()
    assert in_flight.status == OutboxStatus.DELIVERED and in_flight.duplicate and in_flight.last_code == "208"
    assert sim.state.counts()["accepted"] == expected  # the resent row counted once
    assert OutboxEvent.objects.filter(duplicate=True).count() == len(sim.state.duplicates) >= 1
    lag = drill.lag_figures()
    window = drill.delivery_window()
    print(
        f"\n[outbox fault test] bookings={BOOKINGS} events={expected} "
        f"first half booked while down in {booked_first_half:.1f} s, rows retried while down={retried}; "
        f"all delivered {since_up:.1f} s after BPJS came back (last events {drained:.1f} s after the second half); "
        f"delivery window {window:.1f} s = {expected / max(window, 0.001):.0f} events/s with 2 workers; "
        f"lag p50 {lag['p50']:.1f} s p95 {lag['p95']:.1f} s max {lag['max']:.1f} s; "
        f"duplicates answered 208: {len(sim.state.duplicates)}; simulator {sim.state.counts()}"
    )


def _row_for(path: str, body: dict) -> OutboxEvent:
    rows = OutboxEvent.objects.filter(kodebooking=body["kodebooking"])
    if path.endswith("/antrean/add"):
        return rows.get(kind=OutboxKind.ADD)
    if path.endswith("/antrean/batal"):
        return rows.get(kind=OutboxKind.CANCEL)
    return rows.get(kind=OutboxKind.TASK, task_id=body["taskid"])


def _wait_for(count, timeout: float) -> int:
    """Poll `count()` until it is positive (a worker process needs a few seconds to start)."""
    stop = time.monotonic() + timeout
    while (value := count()) == 0 and time.monotonic() < stop:
        time.sleep(0.2)
    return value
