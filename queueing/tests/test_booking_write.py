"""booking_create's hot path: the one read (member and offer) and the write (one round trip on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from queueing import booking_write, selectors
from queueing.models import Booking, BookingEvent, BookingStatus, DayQuota
from queueing.tests.conftest import make_member, make_schedule


def test_labels_and_times_written_match_label_for_and_estimated_time(patient, umum, tomorrow, book):
    # Late start and odd minutes: numbers past 999 and estimated times past midnight.
    schedule = next(
        s
        for s in make_schedule("THT", "dr. Malam", start="22:10", end="23:59", online=30, total=30, minutes=7)
        if s.weekday == tomorrow.weekday()
    )
    quota = DayQuota.objects.create(schedule=schedule, date=tomorrow, quota=30)
    for last, name in ((0, "Satu"), (41, "Empat Dua"), (998, "Sembilan"), (999, "Seribu"), (12344, "Besar")):
        DayQuota.objects.filter(pk=quota.pk).update(last_number=last)
        booking = book(make_member(patient, name, relationship="other"), schedule, tomorrow)
        stored = Booking.objects.get(pk=booking.pk)
        number = last + 1
        assert (stored.number, stored.label, stored.estimated_time) == (
            number,
            booking_write.label_for("THT", number),
            schedule.estimated_time(number),
        )
        assert (booking.number, booking.label, booking.estimated_time) == (
            stored.number,
            stored.label,
            stored.estimated_time,
        )
    assert booking_write.label_for("THT", 1000) == "THT-1000"


def test_postgresql_writes_the_booking_its_event_and_the_counter_in_one_statement(
    patient, member, umum, gigi_tomorrow, tomorrow, book
):
    if not (connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"):
        pytest.skip("the one-round-trip write is used on PostgreSQL with psycopg2 only")
    book(make_member(patient, "Pertama", relationship="child"), gigi_tomorrow, tomorrow)  # the counter row exists
    with CaptureQueriesContext(connection) as queries:
        booking = book(member, gigi_tomorrow, tomorrow)
    writes = [q["sql"] for q in queries if "INSERT" in q["sql"] or "UPDATE" in q["sql"]]
    # The booking's own writes are one statement; the confirmation message (its row and the
    # worker's task row, written after the booking) is the notifications app's.
    writes = [sql for sql in writes if "notifications_message" not in sql and "django_tasks" not in sql]
    assert len(writes) == 1
    assert 'INSERT INTO "queueing_booking"' in writes[0] and 'INSERT INTO "queueing_bookingevent"' in writes[0]
    assert "UPDATE queueing_dayquota" in writes[0]
    assert booking.status == BookingStatus.VERIFIED and booking.label == "GIGI-002"
    assert BookingEvent.objects.get(booking=booking).to_status == BookingStatus.VERIFIED


def _stale_offer_write(patient, member, schedule, date, umum, *, instant: bool = True):
    """Read the offer, then let the day fill or close, then write with what was read."""
    member_row, offer = selectors.booking_inputs(patient, member.pk, schedule.pk, date)
    assert member_row == member and offer is not None and not offer.full
    return member_row, offer


@pytest.mark.parametrize("closed", [False, True])
def test_a_day_that_fills_or_closes_after_the_read_writes_nothing(patient, member, umum, tomorrow, book, closed):
    schedule = next(s for s in make_schedule("MATA", "dr. Agus", online=2) if s.weekday == tomorrow.weekday())
    book(make_member(patient, "Pertama", relationship="child"), schedule, tomorrow)
    member_row, offer = _stale_offer_write(patient, member, schedule, tomorrow, umum)
    if closed:
        DayQuota.objects.filter(pk=offer.day_quota_id).update(closed=True)
    else:
        book(make_member(patient, "Kedua", relationship="child"), schedule, tomorrow)
    booking = Booking(
        confirm_token=uuid.uuid4(),
        patient=member_row,
        account=patient,
        date=tomorrow,
        day_quota_id=offer.day_quota_id,
        clinic_id=schedule.clinic_id,
        doctor_id=schedule.doctor_id,
        guarantor=umum,
        status=BookingStatus.REQUESTED,
    )
    event = BookingEvent(booking=booking, to_status=BookingStatus.VERIFIED, actor=patient)
    with pytest.raises(booking_write.NoPlace):
        booking_write.write(booking, event, offer=offer, instant=True)
    assert not Booking.objects.filter(patient=member).exists()
    assert not BookingEvent.objects.filter(booking_id=booking.pk).exists()
    quota = DayQuota.objects.get(pk=offer.day_quota_id)
    assert (quota.active_count, quota.last_number) == ((1, 1) if closed else (2, 2))


def test_verification_mode_holds_the_place_without_a_number(patient, member, umum, gigi_tomorrow, tomorrow, book, cfg):
    book(make_member(patient, "Pertama", relationship="child"), gigi_tomorrow, tomorrow)
    cfg.mode = "verification"
    cfg.save()
    booking = book(member, gigi_tomorrow, tomorrow)
    stored = Booking.objects.get(pk=booking.pk)
    assert (stored.status, stored.number, stored.label, stored.estimated_time) == (
        BookingStatus.REQUESTED,
        None,
        "",
        None,
    )
    quota = DayQuota.objects.get(schedule=gigi_tomorrow, date=tomorrow)
    assert (quota.active_count, quota.last_number) == (2, 1)


def test_booking_inputs_give_typed_member_and_offer_and_nothing_for_another_family(
    patient, other_patient, member, gigi_tomorrow, tomorrow, book
):
    book(make_member(patient, "Pertama", relationship="child"), gigi_tomorrow, tomorrow)
    found, offer = selectors.booking_inputs(patient, str(member.pk), gigi_tomorrow.pk, tomorrow)
    assert found.pk == member.pk and found.birth_date == dt.date(1990, 5, 17) and found.full_name == member.full_name
    assert offer.schedule.start_time == dt.time(8, 0) and offer.schedule.weekday == tomorrow.weekday()
    assert (offer.places_left, offer.prefix, offer.full) == (9, "GIGI", False)
    assert selectors.booking_inputs(other_patient, member.pk, gigi_tomorrow.pk, tomorrow) == (None, None)
    assert selectors.booking_inputs(patient, "not-a-uuid", gigi_tomorrow.pk, tomorrow) == (None, None)


def test_booking_inputs_see_a_closed_day_and_a_missing_id_card(patient, umum, gigi_tomorrow, tomorrow, book):
    newcomer = make_member(patient, "Baru", relationship="child", mrn=None)
    regular = make_member(patient, "Lama", relationship="other")
    book(regular, gigi_tomorrow, tomorrow)
    found, _offer = selectors.booking_inputs(patient, newcomer.pk, gigi_tomorrow.pk, tomorrow)
    assert selectors.member_missing_fields(found)  # no medical record number and no KTP/KK photo
    DayQuota.objects.filter(schedule=gigi_tomorrow, date=tomorrow).update(closed=True)
    assert selectors.booking_inputs(patient, regular.pk, gigi_tomorrow.pk, tomorrow)[1] is None


@pytest.mark.django_db(transaction=True)
def test_postgresql_plans_the_read_once_per_connection(patient, member, gigi_tomorrow, tomorrow, book):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are used on PostgreSQL only")
    book(make_member(patient, "Pertama", relationship="child"), gigi_tomorrow, tomorrow)
    connection.close()  # a new connection, as after CONN_MAX_AGE or a database restart
    reads = []
    for _n in range(2):
        with CaptureQueriesContext(connection) as queries:
            found, offer = selectors.booking_inputs(patient, member.pk, gigi_tomorrow.pk, tomorrow)
        assert found.pk == member.pk and offer.places_left == 9
        reads.append([q["sql"].split()[0] for q in queries])
    assert reads == [["PREPARE", "EXECUTE"], ["EXECUTE"]]


def test_without_prepared_reads_the_read_is_plain_sql(patient, member, gigi_tomorrow, tomorrow, book, settings):
    settings.QUEUEING_PREPARED_READ = False
    book(make_member(patient, "Pertama", relationship="child"), gigi_tomorrow, tomorrow)
    with CaptureQueriesContext(connection) as queries:
        found, offer = selectors.booking_inputs(patient, member.pk, gigi_tomorrow.pk, tomorrow)
    assert found.pk == member.pk and offer.places_left == 9
    assert [q["sql"].split()[0] for q in queries] == ["SELECT"]


def test_the_cached_insert_matches_what_the_orm_compiles(patient, member, bpjs, gigi_tomorrow, tomorrow):
    from django.db.models.sql import InsertQuery

    booking = Booking(
        confirm_token=uuid.uuid4(),
        patient=member,
        account=patient,
        date=tomorrow,
        day_quota_id=None,
        clinic_id=gigi_tomorrow.clinic_id,
        doctor_id=gigi_tomorrow.doctor_id,
        guarantor=bpjs,
        card_number="0001234567890",
        guarantor_check={"status": "verified", "summary": {"kelas": 1}},
        status=BookingStatus.REQUESTED,
    )
    event = BookingEvent(booking=booking, to_status=BookingStatus.VERIFIED, actor=patient)
    for obj in (booking, event, booking):  # the second booking call uses the cached statement
        sql, params = booking_write._insert(obj)
        fields = [f for f in obj._meta.local_concrete_fields if f is not obj._meta.auto_field]
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        [(orm_sql, orm_params)] = query.get_compiler(connection=connection).as_sql()
        assert sql == orm_sql
        stamped = {
            i for i, f in enumerate(fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        plain = [getattr(p, "adapted", p) for p in params]  # a JSON value is wrapped for the driver
        orm_plain = [getattr(p, "adapted", p) for p in orm_params]
        assert [p for i, p in enumerate(plain) if i not in stamped] == [
            p for i, p in enumerate(orm_plain) if i not in stamped
        ]
        assert all(isinstance(params[i], type(orm_params[i])) for i in stamped)
