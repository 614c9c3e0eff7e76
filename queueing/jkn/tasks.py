"""The Mobile JKN outbox sender, a recurring django-tasks task run by `manage.py db_worker`.

JKN_OUTBOX_SENDERS lanes (default 1) each keep a chain of runs, so as many workers can send at
once (the outbox's claims keep them off each other's rows). Each run first enqueues a later run
of its lane as a safety net (a worker killed mid-run must not end the chain), then sends what is
due for up to JKN_OUTBOX_RUN_SECONDS, then enqueues its next run for when the next row is due.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from portal.lib.tasks import enqueue_once, ensure_waiting, recurring
from queueing.jkn import outbox


def _start_lanes() -> int:
    return sum(ensure_waiting(outbox_deliver, lane=lane) for lane in range(max(settings.JKN_OUTBOX_SENDERS, 1)))


@recurring(start=_start_lanes)
@task()
def outbox_deliver(lane: int = 0) -> dict[str, int]:
    """Send what is due, then enqueue the next run of this lane (no cron)."""
    safety = settings.JKN_OUTBOX_RUN_SECONDS + settings.JKN_OUTBOX_IDLE_SECONDS
    enqueue_once(outbox_deliver, run_after=timezone.now() + dt.timedelta(seconds=safety), lane=lane)
    worker_id = outbox.new_worker_id()
    stop_at = time.monotonic() + settings.JKN_OUTBOX_RUN_SECONDS
    totals: Counter = Counter()
    busy = False
    while time.monotonic() < stop_at:
        counts = outbox.deliver_due(worker_id=worker_id)
        totals += counts
        busy = any(counts[k] for k in ("delivered", "retry", "failed", "lost"))
        if not busy and not _due_soon():
            break
        if not busy:  # due rows held by another worker's claim, or behind a row it is sending
            time.sleep(POLL_SECONDS)
    enqueue_once(outbox_deliver, run_after=_next_run(busy), lane=lane)
    return dict(totals)


def enqueue_all() -> None:
    """One waiting run per lane (after a commit that recorded rows, or a retry)."""
    for lane in range(max(settings.JKN_OUTBOX_SENDERS, 1)):
        enqueue_once(outbox_deliver, lane=lane)


POLL_SECONDS = 0.1


def _due_soon() -> bool:
    due = outbox.next_due_at()
    return due is not None and due <= timezone.now() + dt.timedelta(seconds=1)


def _next_run(busy: bool) -> dt.datetime:
    now = timezone.now()
    if busy:  # the time budget ran out with rows still due: continue at once
        return now
    latest = now + dt.timedelta(seconds=settings.JKN_OUTBOX_IDLE_SECONDS)
    due = outbox.next_due_at()
    if due is None:
        return latest
    return min(max(due, now + dt.timedelta(seconds=0.5)), latest)
