"""Mobile JKN outbox: delivery rate (events/s) and lag, through real db_worker processes.

A throwaway database (`<DATABASE_URL's name>_bench_outbox` on PostgreSQL, a temporary SQLite
file otherwise), the Antrean simulator on loopback, BENCH_OUTBOX_WORKERS `manage.py db_worker`
processes (default 2). Two phases:

- backlog: BENCH_OUTBOX_BOOKINGS bookings (default 300), each with its check-in and call
  (antrean/add + two updatewaktu = 3 events), recorded before any worker runs (BPJS was down);
  then the workers start: events delivered per second from the first delivery to the last;
- live: the workers keep running while as many bookings again are made and visited at full
  speed: lag from recording to delivery (p50, p95, max).
Every run checks what the simulator accepted: each booking's add, then its tasks in order,
each once. Loopback only; the database is dropped afterwards.
"""

from __future__ import annotations

import os
import time

from bench import databases

BOOKINGS = int(os.environ.get("BENCH_OUTBOX_BOOKINGS", "300"))
WORKERS = int(os.environ.get("BENCH_OUTBOX_WORKERS", "2"))


def main() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from conftest import make_account
    from queueing.jkn import antrean_simulator
    from queueing.jkn.tests import drill
    from queueing.models import OutboxEvent

    drop = databases.throwaway_here("bench_outbox")
    sim = antrean_simulator.start_simulator()
    workers = []
    try:
        call_command("migrate", "--noinput", verbosity=0)
        engine = connection.vendor
        account = make_account("bench-outbox@example.com", "Bench Outbox")
        with override_settings(
            JKN_OUTBOX_SENDERS=WORKERS, DEBUG=True, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ):
            world = drill.make_world(sim, account, BOOKINGS * 2)
            per_booking = 1 + len(drill.TASKS_PER_BOOKING)
            drill.book_and_visit(world, world.members[:BOOKINGS])
            backlog = BOOKINGS * per_booking
            env = drill.worker_env(JKN_OUTBOX_SENDERS=str(WORKERS), JKN_OUTBOX_RUN_SECONDS="30")
            workers = [drill.start_worker(env) for _ in range(WORKERS)]
            drill.wait_delivered(backlog, timeout=600)
            window = drill.delivery_window()
            print(
                f"{engine}; {WORKERS} db_worker processes; {os.cpu_count()} cores shared with the database and "
                f"the simulator\n  backlog: {backlog} events ({BOOKINGS} bookings x add + tasks 3, 4) delivered in "
                f"{window:.1f} s from the first delivery to the last = {backlog / max(window, 0.001):.0f} events/s",
                flush=True,
            )
            first_live = OutboxEvent.objects.count()
            started = time.monotonic()
            drill.book_and_visit(world, world.members[BOOKINGS:])
            recorded = time.monotonic() - started
            drill.wait_delivered(backlog * 2, timeout=600)
            drained = time.monotonic() - started
            live = OutboxEvent.objects.filter(id__gt=_id_at(first_live))
            lag = drill.lag_figures(live)
            print(
                f"  live: {backlog} events recorded in {recorded:.1f} s while the workers sent, all delivered "
                f"{drained:.1f} s after the first; lag from recording to delivery p50 {lag['p50']:.2f} s, "
                f"p95 {lag['p95']:.2f} s, max {lag['max']:.2f} s"
            )
            drill.check_order_and_once(sim, world.bookings)
            print(
                f"  checked: each booking's add, then tasks 3 and 4 in order, each accepted once ({sim.state.counts()})"
            )
    finally:
        for worker in workers:
            drill.stop_worker(worker)
        sim.stop()
        drop()


def _id_at(position: int) -> int:
    from queueing.models import OutboxEvent

    row = OutboxEvent.objects.order_by("id").values_list("id", flat=True)[position - 1 : position]
    return row[0] if row else 0
