"""The Mobile JKN outbox: what BPJS Antrean must hear, recorded with the change, sent by the worker.

Recording (`add_statement`, `record_add`, `record_task`, `record_cancel`): one INSERT ... SELECT
inside the caller's transaction, so the row exists exactly when the change commits. The SELECT
joins the facility's bridge: nothing is recorded where the bridge is not enabled. A second
record of the same booking + step is ignored (unique per booking and `seq`, ON CONFLICT DO
NOTHING on PostgreSQL and SQLite alike). Nothing is sent inside a request or a transaction: after
the commit the sender task is enqueued (`kick`).

Sending (`deliver_due`, run by queueing.jkn.tasks.outbox_deliver in the db_worker):
- a row is due when pending, its `next_attempt_at` has come, no unexpired claim holds it, and
  every earlier row of its booking (lower `seq`: add, then tasks by number, then batal) is
  delivered: BPJS refuses a task whose predecessor it has not seen;
- claiming takes rows with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite's writer lock
  serialises the claim) and writes a lease (`claimed_by`, `claimed_until`) before any call, so
  several workers never send the same row; a worker killed mid-send leaves its rows to the
  next after the lease, and BPJS then answers 208 to what it already had: delivered, once;
- 200 and 208 deliver; timeouts, 5xx, refused connections, garbage, an open circuit and
  rejected credentials retry with exponential backoff; any other BPJS answer is a refusal,
  kept as failed with BPJS's code and message for the staff (admin), never dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone

from guarantors import bpjs
from queueing.jkn.client import AntreanClient, AntreanRefused
from queueing.jkn.outbox_models import SEQ_ADD, SEQ_CANCEL, SEQ_TASK_99
from queueing.models import (
    AntreanBridge,
    Booking,
    BookingChannel,
    Clinic,
    OutboxEvent,
    OutboxKind,
    OutboxStatus,
)

logger = logging.getLogger(__name__)

# --- recording, inside the change's transaction ------------------------------------------------

_COLUMNS = (
    "facility_id, booking_id, kodebooking, kind, seq, task_id, waktu_ms, payload, status, attempts, "
    "next_attempt_at, claimed_by, last_code, last_message, duplicate, created_at"
)


def _insert_sql(extra_condition: str = "") -> str:
    booking, clinic, bridge = Booking._meta.db_table, Clinic._meta.db_table, AntreanBridge._meta.db_table
    return (
        f"INSERT INTO {OutboxEvent._meta.db_table} ({_COLUMNS}) "
        f"SELECT c.facility_id, b.id, b.code, %s, %s, %s, %s, %s, %s, 0, %s, '', '', '', %s, %s "
        f"FROM {booking} b JOIN {clinic} c ON c.id = b.clinic_id "
        f"JOIN {bridge} g ON g.facility_id = c.facility_id AND g.enabled = %s "
        f"WHERE b.id = %s{extra_condition} "
        "ON CONFLICT DO NOTHING"
    )


def _params(kind: str, seq: int, booking_id, *, task_id=None, waktu_ms=None, payload=None) -> list:
    meta = OutboxEvent._meta
    now = meta.get_field("created_at").get_db_prep_value(timezone.now(), connection)  # SQLite: Django's text form
    json_field, pk = meta.get_field("payload"), Booking._meta.pk
    return [
        kind,
        seq,
        task_id,
        waktu_ms,
        json_field.get_db_prep_save(payload or {}, connection),
        OutboxStatus.PENDING.value,
        now,
        False,
        now,
        True,
        pk.get_db_prep_value(booking_id, connection),
    ]


def add_statement(booking_id) -> tuple[str, list]:
    """The INSERT recording `antrean/add` for a booking, for a caller's own statement batch.

    Not for Mobile JKN bookings: BPJS made those itself (antrean/add is for every other channel).
    """
    sql = _insert_sql(" AND b.channel <> %s")
    return sql, [*_params(OutboxKind.ADD, SEQ_ADD, booking_id), BookingChannel.MOBILE_JKN.value]


def record_add(*booking_ids) -> None:
    """Record `antrean/add` for bookings that just got their number (call inside the transaction)."""
    with connection.cursor() as cursor:
        for booking_id in booking_ids:
            cursor.execute(*add_statement(booking_id))
    _kick_on_commit()


def record_task(booking_id, task_id: int, waktu_ms: int) -> None:
    """Record a task time (1-7, 99): called by queueing.task_times.task_record, the one writer of
    task times, inside its transaction. Only after the booking's add (or for a Mobile JKN booking,
    which BPJS already has)."""
    seq = SEQ_TASK_99 if task_id == 99 else task_id
    sql = _insert_sql(_HAS_ADD)
    params = [*_params(OutboxKind.TASK, seq, booking_id, task_id=task_id, waktu_ms=waktu_ms), *_has_add_params()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    _kick_on_commit()


def record_cancel(booking_id, reason: str) -> None:
    """Record `antrean/batal` (call inside the cancelling transaction); it goes after any task,
    task 99 included, which task_record queues when the cancellation records it."""
    sql = _insert_sql(_HAS_ADD)
    params = [
        *_params(OutboxKind.CANCEL, SEQ_CANCEL, booking_id, payload={"keterangan": reason[:200]}),
        *_has_add_params(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    _kick_on_commit()


_HAS_ADD = (
    f" AND (b.channel = %s OR EXISTS (SELECT 1 FROM {OutboxEvent._meta.db_table} o "
    "WHERE o.booking_id = b.id AND o.seq = %s))"
)


def _has_add_params() -> list:
    return [BookingChannel.MOBILE_JKN.value, SEQ_ADD]


def _kick_on_commit() -> None:
    transaction.on_commit(kick)


def kick() -> None:
    """Ask the worker to send soon (after a commit); at most once a second per process, so a
    midnight rush of bookings costs one look at the task table a second, not one per booking.
    Never fails the caller: the rows are safe, the next run or `tasks_ensure` sends them."""
    global _last_kick
    now = time.monotonic()
    if now - _last_kick < KICK_INTERVAL:
        return
    _last_kick = now
    try:
        from queueing.jkn.tasks import enqueue_all

        enqueue_all()
    except Exception:
        logger.exception("could not enqueue the Mobile JKN outbox sender")


KICK_INTERVAL = 1.0
_last_kick = -KICK_INTERVAL
_BRIDGES_TTL = 5.0
_bridges: tuple[float, frozenset[int]] = (-_BRIDGES_TTL, frozenset())


def bridge_enabled(facility_id: int | None) -> bool:
    """Whether the facility's bridge is on, from a per-process copy at most 5 s old (the rush path
    asks once per booking; the outbox rows themselves are decided by the database)."""
    global _bridges
    read_at, enabled = _bridges
    if time.monotonic() - read_at > _BRIDGES_TTL:
        enabled = frozenset(AntreanBridge.objects.filter(enabled=True).values_list("facility_id", flat=True))
        _bridges = (time.monotonic(), enabled)
    return facility_id in enabled


def forget_bridges() -> None:
    global _bridges
    _bridges = (-_BRIDGES_TTL, frozenset())


# --- the add payload, built at the first send ----------------------------------------------------


def add_payload(booking: Booking) -> dict[str, Any]:
    """`antrean/add` with every field of the reference, from the booking as it is now."""
    from queueing import task_times  # it records task rows through this module

    schedule, day = booking.day_quota.schedule, booking.day_quota
    facility, patient, jkn = booking.clinic.facility, booking.patient, booking.guarantor.is_bpjs_kesehatan
    estimate = facility.make_aware(dt.datetime.combine(booking.date, booking.estimated_time or schedule.start_time))
    non_jkn_quota = max((day.total_quota or schedule.total_quota) - day.jkn_quota, 0)
    non_jkn_taken = day.active_count - day.jkn_count + day.counter_count
    return {
        "kodebooking": booking.code,
        "jenispasien": "JKN" if jkn else "NON JKN",
        "nomorkartu": booking.card_number if jkn else "",
        "nik": patient.nik or "",
        "nohp": patient.phone or "",
        "kodepoli": booking.clinic.bpjs_subspecialty_code or booking.clinic.bpjs_code,
        "namapoli": booking.clinic.name,
        "pasienbaru": 1 if patient.created_at.date() == booking.created_at.date() else 0,
        "norm": patient.mrn or "",
        "tanggalperiksa": booking.date.isoformat(),
        "kodedokter": int(booking.doctor.bpjs_code) if booking.doctor.bpjs_code.isdigit() else booking.doctor.bpjs_code,
        "namadokter": booking.doctor.name,
        "jampraktek": f"{schedule.start_time:%H:%M}-{schedule.end_time:%H:%M}",
        "jeniskunjungan": 1 if booking.referral_number else 2,
        "nomorreferensi": booking.referral_number if jkn else "",
        "nomorantrean": booking.label,
        "angkaantrean": booking.number or 0,
        "estimasidilayani": task_times.epoch_ms(estimate),
        "sisakuotajkn": max(day.jkn_quota - day.jkn_count, 0),
        "kuotajkn": day.jkn_quota,
        "sisakuotanonjkn": max(non_jkn_quota - non_jkn_taken, 0),
        "kuotanonjkn": non_jkn_quota,
        "keterangan": "Peserta harap datang 30 menit lebih awal.",
    }


# --- sending, in the worker ------------------------------------------------------------------------


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{uuid.uuid4().hex[:12]}"


def _due(now: dt.datetime):
    earlier_open = OutboxEvent.objects.filter(booking_id=OuterRef("booking_id"), seq__lt=OuterRef("seq")).exclude(
        status=OutboxStatus.DELIVERED
    )
    return (
        OutboxEvent.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .exclude(Exists(earlier_open))
    )


def claim(worker_id: str, limit: int, now: dt.datetime | None = None) -> list[OutboxEvent]:
    """Take up to `limit` due rows for this worker (a lease), oldest first."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.JKN_OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(_due(now).order_by("id").select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        if ids:
            OutboxEvent.objects.filter(id__in=ids).update(
                claimed_by=worker_id, claimed_until=now + lease, attempts=F("attempts") + 1
            )
    return list(OutboxEvent.objects.filter(id__in=ids, claimed_by=worker_id).order_by("id"))


@dataclass
class Result:
    status: str  # "delivered", "retry", "failed"
    code: str = ""
    message: str = ""
    duplicate: bool = False


def _send(client: AntreanClient, row: OutboxEvent) -> Result:
    try:
        if row.kind == OutboxKind.ADD:
            answer = client.add(row.payload)
        elif row.kind == OutboxKind.TASK:
            answer = client.update_time(kodebooking=row.kodebooking, taskid=row.task_id, waktu=row.waktu_ms)
        else:
            answer = client.cancel(kodebooking=row.kodebooking, keterangan=row.payload.get("keterangan", ""))
    except AntreanRefused as exc:
        return Result("failed", exc.code, exc.bpjs_message)
    except bpjs.BpjsError as exc:  # temporary: down, slow, 5xx, garbage, open circuit, credentials
        return Result("retry", "", f"{exc.__class__.__name__}: {exc}")
    return Result("delivered", answer.code, answer.message, answer.duplicate)


def backoff(attempts: int) -> dt.timedelta:
    seconds = settings.JKN_OUTBOX_BACKOFF_BASE * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.JKN_OUTBOX_BACKOFF_MAX))


def _finish(row: OutboxEvent, worker_id: str, result: Result) -> bool:
    """Write the outcome while still holding the claim; False if the lease was lost meanwhile."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "claimed_by": "",
        "claimed_until": None,
        "last_code": result.code[:8],
        "last_message": result.message[:500],
        "payload": row.payload,
    }
    if result.status == "delivered":
        fields |= {"status": OutboxStatus.DELIVERED, "delivered_at": now, "duplicate": result.duplicate}
    elif result.status == "failed":
        fields |= {"status": OutboxStatus.FAILED}
    else:
        fields |= {"next_attempt_at": now + backoff(row.attempts)}
    updated = OutboxEvent.objects.filter(pk=row.pk, claimed_by=worker_id, status=OutboxStatus.PENDING).update(**fields)
    if not updated:
        logger.warning("outbox row %s: the lease ran out during the send; BPJS will answer 208 to the resend", row.pk)
    return bool(updated)


def deliver_due(*, worker_id: str | None = None, limit: int = 50) -> Counter:
    """Claim due rows and send them, one by one; returns counts by outcome."""
    worker_id = worker_id or new_worker_id()
    counts: Counter = Counter()
    clients: dict[int, AntreanClient | None] = {}
    rows = claim(worker_id, limit)
    # One query for the batch's bookings whose add is built now (not one per row).
    to_build = [row.booking_id for row in rows if row.kind == OutboxKind.ADD and not row.payload]
    bookings = Booking.objects.select_related(*_ADD_RELATED).in_bulk(to_build) if to_build else {}
    for row in rows:
        if not _renew(row, worker_id):
            counts["lost"] += 1  # the lease ran out while earlier rows of the batch were sent
            continue
        if row.facility_id not in clients:
            clients[row.facility_id] = client_for_facility(row.facility_id)
        client = clients[row.facility_id]
        if client is None:
            result = Result("retry", "", "The facility's Mobile JKN bridge is disabled or has no BPJS address.")
        else:
            if row.kind == OutboxKind.ADD and not row.payload:
                row.payload = add_payload(bookings[row.booking_id])
            result = _send(client, row)
        _finish(row, worker_id, result)
        counts[result.status] += 1
        counts["duplicate"] += result.duplicate
    return counts


def _renew(row: OutboxEvent, worker_id: str) -> bool:
    """Just before the send: still ours? Then the lease starts again, long enough for this one call.
    (The batch was claimed at once; a slow BPJS could make its tail outlive the first lease.)"""
    until = timezone.now() + dt.timedelta(seconds=settings.JKN_OUTBOX_LEASE_SECONDS)
    return bool(
        OutboxEvent.objects.filter(pk=row.pk, claimed_by=worker_id, status=OutboxStatus.PENDING).update(
            claimed_until=until
        )
    )


_ADD_RELATED = ("clinic__facility", "doctor", "patient", "guarantor", "day_quota__schedule")


def client_for_facility(facility_id: int) -> AntreanClient | None:
    """The facility's client; a bridge without a base URL uses the simulator (DEBUG only)."""
    bridge = AntreanBridge.objects.filter(facility_id=facility_id, enabled=True).first()
    if bridge is None:
        return None
    url, creds = bridge.base_url, {"cons_id": bridge.cons_id, "secret": bridge.secret_key, "user_key": bridge.user_key}
    if not url:
        url = _simulator_url()
        if not url:
            return None
        from queueing.jkn import antrean_simulator

        creds = antrean_simulator.credentials()
    breaker = bpjs.CircuitBreaker(
        cache,
        failures=settings.BPJS_BREAKER_FAILURES,
        window=settings.BPJS_BREAKER_WINDOW,
        cooloff=settings.BPJS_BREAKER_COOLOFF,
        name=f"bpjs-antrean:{facility_id}",
    )
    try:
        return AntreanClient(base_url=url, timeout=settings.BPJS_TIMEOUT, breaker=breaker, **creds)
    except bpjs.BpjsNotConfigured:
        return None


def _simulator_url() -> str:
    if settings.BPJS_ANTREAN_SIMULATOR_URL:
        return settings.BPJS_ANTREAN_SIMULATOR_URL
    if settings.DEBUG and settings.BPJS_ANTREAN_EMBEDDED_SIMULATOR:
        from queueing.jkn import antrean_simulator

        return antrean_simulator.ensure_embedded()
    return ""


# --- for staff and monitoring --------------------------------------------------------------------


def retry(rows) -> int:
    """Send failed (or waiting) rows again now: staff fixed the cause (codes, credentials). An
    add is rebuilt from the booking at its next send, so a corrected code goes out."""
    rows = rows.exclude(status=OutboxStatus.DELIVERED)
    rows.filter(kind=OutboxKind.ADD).update(payload={})
    return rows.update(status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), claimed_by="", claimed_until=None)


def summary(now: dt.datetime | None = None, queryset=None) -> dict[str, Any]:
    """Counts by status and the oldest pending row's age (seconds), for the admin and `outbox_status`."""
    now = now or timezone.now()
    rows = (queryset if queryset is not None else OutboxEvent.objects.all()).order_by()
    counts = dict.fromkeys(OutboxStatus.values, 0)
    for row in rows.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    oldest = rows.filter(status=OutboxStatus.PENDING).aggregate(at=Min("created_at"))["at"]
    return {**counts, "oldest_pending_seconds": int((now - oldest).total_seconds()) if oldest else 0}


def next_due_at() -> dt.datetime | None:
    """When the next row may be sent (rows held behind an unsent earlier row of their booking aside)."""
    earlier_open = OutboxEvent.objects.filter(booking_id=OuterRef("booking_id"), seq__lt=OuterRef("seq")).exclude(
        status=OutboxStatus.DELIVERED
    )
    sendable = OutboxEvent.objects.filter(status=OutboxStatus.PENDING).exclude(Exists(earlier_open))
    return sendable.aggregate(at=Min("next_attempt_at"))["at"]
