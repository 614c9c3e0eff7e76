"""The Mobile JKN outbox: rows written with the change, sent in order by the worker, never lost or sent twice."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from queueing import services, task_times
from queueing.jkn import antrean_simulator as simulator
from queueing.jkn import outbox
from queueing.jkn.tests.outbox_helpers import enable_bridge
from queueing.models import AntreanBridge, Booking, OutboxEvent, OutboxKind, OutboxStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim():
    server = simulator.start_simulator(slow_seconds=2.0, hang_seconds=3.0)
    yield server
    server.stop()


@pytest.fixture
def bridge(sim, gigi):
    return enable_bridge(sim)


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.BPJS_TIMEOUT = 1.0
    settings.BPJS_BREAKER_FAILURES = 0  # each row meets the simulator; the breaker has its own tests
    settings.JKN_OUTBOX_BACKOFF_BASE = 10.0
    cache.clear()


def rows(booking: Booking) -> list[tuple[str, int | None, str]]:
    return [(r.kind, r.task_id, r.status) for r in booking.outbox_events.order_by("seq")]


def make_due(**filters) -> None:
    OutboxEvent.objects.filter(**filters).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_an_instant_booking_records_antrean_add_in_its_own_transaction(bridge, book, member, gigi_tomorrow, tomorrow):
    booking = book(member, gigi_tomorrow, tomorrow)
    assert rows(booking) == [("add", None, "pending")]
    row = booking.outbox_events.get()
    assert row.kodebooking == booking.code and row.facility_id == bridge.facility_id


def test_nothing_is_recorded_where_the_bridge_is_off(bridge, book, member, gigi_tomorrow, tomorrow):
    AntreanBridge.objects.update(enabled=False)
    booking = book(member, gigi_tomorrow, tomorrow)
    assert rows(booking) == []


def test_a_refused_booking_leaves_no_outbox_row(bridge, book, member, child, gigi_tomorrow, tomorrow):
    from queueing.models import DayQuota

    book(member, gigi_tomorrow, tomorrow)
    DayQuota.objects.update(quota=1)
    with pytest.raises(ValidationError):
        book(child, gigi_tomorrow, tomorrow)
    assert OutboxEvent.objects.count() == 1


def test_a_verified_request_records_add_when_it_gets_its_number(bridge, book, member, gigi_tomorrow, tomorrow, cfg):
    cfg.mode = "verification"
    cfg.save()
    booking = book(member, gigi_tomorrow, tomorrow)
    assert rows(booking) == []
    services.booking_verify(booking=booking, actor=booking.account)
    assert rows(booking) == [("add", None, "pending")]


def test_a_cancellation_records_task_99_then_batal_and_a_second_record_is_ignored(
    bridge, book, member, gigi_tomorrow, tomorrow
):
    booking = book(member, gigi_tomorrow, tomorrow)
    services.booking_cancel(booking=booking, actor=booking.account)
    assert rows(booking) == [("add", None, "pending"), ("task", 99, "pending"), ("cancel", None, "pending")]
    task_times.task_record(booking=booking, task_id=99)
    assert len(rows(booking)) == 3


def test_a_task_without_an_add_is_not_recorded(bridge, book, member, gigi_tomorrow, tomorrow, cfg):
    cfg.mode = "verification"
    cfg.save()
    booking = book(member, gigi_tomorrow, tomorrow)
    task_times.task_record(booking=booking, task_id=3)
    assert rows(booking) == []


def test_the_worker_sends_add_and_tasks_in_order_with_the_reference_fields(
    sim, bridge, book, member, gigi_tomorrow, tomorrow
):
    booking = book(member, gigi_tomorrow, tomorrow)
    t0 = timezone.now()
    task_times.task_record(booking=booking, task_id=4, at=t0 + dt.timedelta(minutes=5))  # out of order
    task_times.task_record(booking=booking, task_id=3, at=t0)
    counts = outbox.deliver_due(worker_id="w1")  # the add only: the tasks wait for it
    counts += outbox.deliver_due(worker_id="w1")
    counts += outbox.deliver_due(worker_id="w1")
    assert counts["delivered"] == 3
    assert [(k, t) for k, t, _w in sim.state.accepted_for(booking.code)] == [("add", None), ("task", 3), ("task", 4)]
    sent = sim.state.bookings[booking.code].add
    assert set(sent) == set(simulator.ADD_FIELDS)
    assert sent["nomorantrean"] == booking.label and sent["kodedokter"] == 12002 and sent["kodepoli"] == "GIG"
    assert sent["jampraktek"] == "08:00-12:00" and sent["jenispasien"] == "NON JKN" and sent["nomorkartu"] == ""
    assert all(s == "delivered" for _k, _t, s in rows(booking))


def test_a_resent_row_is_answered_208_and_counted_once(sim, bridge, book, member, gigi_tomorrow, tomorrow):
    booking = book(member, gigi_tomorrow, tomorrow)
    outbox.deliver_due(worker_id="w1")
    OutboxEvent.objects.update(status=OutboxStatus.PENDING, delivered_at=None)  # as if the answer was lost
    outbox.deliver_due(worker_id="w2")
    row = booking.outbox_events.get()
    assert row.status == OutboxStatus.DELIVERED and row.duplicate and row.last_code == "208"
    assert sim.state.counts()["accepted"] == 1 and sim.state.counts()["duplicates"] == 1


@pytest.mark.parametrize("fault", ["5xx", "timeout", "garbage", "down"])
def test_temporary_failures_stay_pending_with_backoff_and_are_sent_later(
    sim, bridge, book, member, gigi_tomorrow, tomorrow, fault
):
    booking = book(member, gigi_tomorrow, tomorrow)
    if fault == "down":
        sim.go_down()
    else:
        sim.fail(fault, count=1)
    before = timezone.now()
    assert outbox.deliver_due(worker_id="w1")["retry"] == 1
    row = booking.outbox_events.get()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_message
    assert row.next_attempt_at >= before + dt.timedelta(seconds=10) and not row.claimed_by
    assert outbox.deliver_due(worker_id="w1")["retry"] == 0  # not due yet
    sim.come_up()
    make_due()
    assert outbox.deliver_due(worker_id="w1")["delivered"] == 1


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.JKN_OUTBOX_BACKOFF_BASE, settings.JKN_OUTBOX_BACKOFF_MAX = 15, 100
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [15, 30, 60, 100]


def test_a_refusal_is_kept_with_bpjs_message_holds_later_rows_and_can_be_retried(
    sim, bridge, book, member, gigi_tomorrow, tomorrow
):
    from queueing.models import Doctor

    Doctor.objects.update(bpjs_code="")  # BPJS refuses a text doctor code
    booking = book(member, gigi_tomorrow, tomorrow)
    task_times.task_record(booking=booking, task_id=3)
    assert outbox.deliver_due(worker_id="w1")["failed"] == 1
    add = booking.outbox_events.get(kind=OutboxKind.ADD)
    assert add.status == OutboxStatus.FAILED and add.last_code == "201" and "kodedokter" in add.last_message
    assert outbox.deliver_due(worker_id="w1")["delivered"] == 0  # task 3 waits behind its add
    assert outbox.summary()["failed"] == 1 and outbox.summary()["pending"] == 1
    Doctor.objects.update(bpjs_code="12002")  # staff fix the code, then retry
    assert outbox.retry(OutboxEvent.objects.filter(pk=add.pk)) == 1
    outbox.deliver_due(worker_id="w1")
    outbox.deliver_due(worker_id="w1")
    assert [s for _k, _t, s in rows(booking)] == ["delivered", "delivered"]


def test_a_claimed_row_is_not_taken_by_another_worker_until_its_lease_ends(
    bridge, book, member, gigi_tomorrow, tomorrow
):
    book(member, gigi_tomorrow, tomorrow)
    assert len(outbox.claim("dead-worker", 10)) == 1
    assert outbox.claim("w2", 10) == []
    later = timezone.now() + dt.timedelta(seconds=61)
    [row] = outbox.claim("w2", 10, now=later)
    assert row.claimed_by == "w2" and row.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_workers_in_parallel_never_claim_the_same_row(sim, guarantor_types, gigi, patient):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL; SQLite serialises claims with its writer lock")
    from queueing.tests.conftest import make_member

    enable_bridge(sim)
    members = [make_member(patient, f"Anggota {i}", relationship="other") for i in range(40)]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    schedule = next(s for s in gigi if s.weekday == tomorrow.weekday())
    from queueing.models import DayQuota, Schedule

    Schedule.objects.update(online_quota=50, total_quota=60)
    DayQuota.objects.update(quota=50)
    import uuid

    for m in members:
        services.booking_create(
            account=patient,
            patient_id=m.pk,
            schedule_id=schedule.pk,
            date=tomorrow,
            guarantor_id=guarantor_types["umum"].pk,
            token=uuid.uuid4(),
        )
    claimed: dict[str, list[int]] = {}

    def work(name: str) -> None:
        try:
            claimed[name] = [r.pk for r in outbox.claim(name, 7)]
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = [pk for pks in claimed.values() for pk in pks]
    assert len(taken) == len(set(taken)) == 35


def test_outbox_status_command_prints_counts_and_oldest_pending_age(bridge, book, member, gigi_tomorrow, tomorrow):
    book(member, gigi_tomorrow, tomorrow)
    OutboxEvent.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    from io import StringIO

    out = StringIO()
    call_command("outbox_status", stdout=out)
    text = out.getvalue()
    assert "pending=1" in text and "failed=0" in text and "delivered=0" in text
    assert re.search(r"oldest_pending_seconds=30\d\b", text)
    with pytest.raises(SystemExit):
        call_command("outbox_status", "--max-age", "60", stdout=StringIO())


def test_a_session_closing_with_the_patient_unserved_queues_task_99_without_batal(
    bridge, book, member, gigi_tomorrow, tomorrow
):
    booking = book(member, gigi_tomorrow, tomorrow)
    task_times.tasks_close_session(day_quota_id=booking.day_quota_id)
    assert rows(booking) == [("add", None, "pending"), ("task", 99, "pending")]


def test_staff_see_the_outbox_with_bpjs_message_and_retry_a_refused_row(
    sim, bridge, book, member, gigi_tomorrow, tomorrow, client, admin_user
):
    from queueing.models import Doctor

    Doctor.objects.update(bpjs_code="")
    booking = book(member, gigi_tomorrow, tomorrow)
    outbox.deliver_due(worker_id="w1")
    client.force_login(admin_user)
    page = client.get("/admin/queueing/outboxevent/")
    assert page.status_code == 200
    text = page.content.decode()
    assert booking.code in text and "kodedokter harus angka" in text and 'id="outbox-summary"' in text
    row = booking.outbox_events.get()
    answer = client.post(
        "/admin/queueing/outboxevent/", {"action": "retry_rows", "_selected_action": [row.pk]}, follow=True
    )
    assert answer.status_code == 200
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert client.post(f"/admin/queueing/outboxevent/{row.pk}/delete/").status_code == 403


def test_the_codes_page_lists_bpjs_clinics_and_doctors(sim, bridge, client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/queueing/outboxevent/references/")
    assert page.status_code == 200
    assert "PENYAKIT DALAM" in page.content.decode() and "12003" in page.content.decode()
    schedule = client.get("/admin/queueing/outboxevent/references/", {"kodepoli": "INT", "tanggal": "2026-12-01"})
    assert "08:00-12:00" in schedule.content.decode() and "dr. Sri Wahyuni, Sp.PD" in schedule.content.decode()
    wrong = client.get("/admin/queueing/outboxevent/references/", {"kodepoli": "INT", "tanggal": "01-12-2026"})
    assert wrong.status_code == 200 and "errornote" in wrong.content.decode()


def test_a_clerk_of_another_facility_does_not_see_the_rows(bridge, book, member, gigi_tomorrow, tomorrow, client):
    from django.contrib.auth.models import Permission

    from conftest import make_account
    from facilities.models import Facility, FacilityMembership

    book(member, gigi_tomorrow, tomorrow)
    other = Facility.objects.create(name="RSUD Cilacap")
    clerk = make_account("clerk2@rsud.example", "Clerk Cilacap", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_outboxevent"))
    FacilityMembership.objects.create(user=clerk, facility=other, role="clerk")
    client.force_login(clerk)
    page = client.get("/admin/queueing/outboxevent/")
    assert page.status_code == 200 and OutboxEvent.objects.get().kodebooking not in page.content.decode()
