"""The H-1 reminder: at the facility's hour on its own clock, once per booking, never for a cancelled one."""

import datetime as dt
import threading
import uuid

import pytest
from django.core import mail
from django.db import connection

from facilities.models import Facility
from notifications.models import Message
from queueing import reminders, services


@pytest.fixture
def booked(book, member, gigi_tomorrow, tomorrow):
    return book(member, gigi_tomorrow, tomorrow)


def facility_time(day: dt.date, hhmm: str) -> dt.datetime:
    return Facility.objects.get().make_aware(dt.datetime.combine(day, dt.time.fromisoformat(hhmm)))


def test_no_reminder_before_the_facilitys_hour(booked, tomorrow, cfg):
    cfg.reminder_hour = 16
    cfg.save()

    assert reminders.reminders_queue(facility_time(tomorrow - dt.timedelta(days=1), "15:59")) == 0


def test_at_the_hour_the_reminder_names_number_time_documents_and_the_cancel_link(
    booked, tomorrow, cfg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_queue(facility_time(tomorrow - dt.timedelta(days=1), "16:00")) == 1

    reminder = mail.outbox[-1]
    assert booked.label in reminder.subject
    assert booked.estimated_time.strftime("%H:%M") in reminder.body
    assert f"/antrian/{booked.code}/batal/" in reminder.body
    assert Message.objects.get(key=f"reminder:{booked.pk}").status == "sent"


def test_a_second_run_sends_nothing_more(booked, tomorrow):
    evening = facility_time(tomorrow - dt.timedelta(days=1), "19:00")

    assert reminders.reminders_queue(evening) == 1
    assert reminders.reminders_queue(evening) == 0
    assert Message.objects.filter(key=f"reminder:{booked.pk}").count() == 1


def test_a_cancelled_booking_gets_no_reminder(booked, tomorrow, patient):
    services.booking_cancel(booking=booked, actor=patient, now=facility_time(tomorrow - dt.timedelta(days=1), "07:00"))

    assert reminders.reminders_queue(facility_time(tomorrow - dt.timedelta(days=1), "19:00")) == 0


def test_the_hour_is_read_on_the_facilitys_own_clock(booked, tomorrow):
    """16:00 in Denpasar (WITA) is 15:00 in Jakarta: a WITA facility reminds an hour earlier in UTC."""
    facility = Facility.objects.get()
    facility.time_zone = "Asia/Makassar"
    facility.save()
    day_before = tomorrow - dt.timedelta(days=1)
    wib_1530 = dt.datetime.combine(day_before, dt.time(15, 30), tzinfo=dt.timezone(dt.timedelta(hours=7)))

    assert reminders.reminders_queue(wib_1530) == 1  # 16:30 WITA


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)")
def test_two_workers_running_the_job_at_once_queue_one_reminder_per_booking(gigi, umum, patient, tomorrow):
    from queueing.tests.conftest import make_member

    for n in range(5):
        person = make_member(patient, f"Anggota {n}", relationship="child" if n else "self")
        services.booking_create(
            account=patient, patient_id=person.pk, schedule_id=next(s for s in gigi if s.weekday == tomorrow.weekday()).pk,
            date=tomorrow, guarantor_id=umum.pk, token=uuid.uuid4(),
        )  # fmt: skip
    evening = facility_time(tomorrow - dt.timedelta(days=1), "19:00")
    start, counts = threading.Barrier(2), []

    def run():
        start.wait()
        counts.append(reminders.reminders_queue(evening))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]

    assert sum(counts) == 5
    assert Message.objects.filter(key__startswith="reminder:").count() == 5
