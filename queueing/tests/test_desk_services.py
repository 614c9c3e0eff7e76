"""Counter services: walk-ins, the counter's quota, check-in, no-show, served, moving clinic, paper forms."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from families.models import Patient
from queueing import services
from queueing.desk import services as desk_services
from queueing.desk.services import CounterEntry
from queueing.models import Booking, BookingChannel, BookingEvent, BookingStatus, DayQuota, ScheduleException
from queueing.tests.conftest import at, make_member, make_schedule
from queueing.tests.desk_helpers import (  # noqa: F401 - fixtures
    book_today,
    desk_clerk,
    gigi_today,
    make_patient,
    schedule_on,
    today,
    umum_today,
)


def entry(patient, guarantor, **extra) -> CounterEntry:
    return CounterEntry(patient_id=patient.pk, guarantor_id=guarantor.pk, **extra)


def walk_in(clerk, schedule, patients, guarantor, *, now=None):
    return desk_services.walkin_register(
        actor=clerk, schedule_id=schedule.pk, entries=[entry(p, guarantor) for p in patients], now=now
    )


def codes_of(exc_info) -> set[str]:
    return {error.code for error in exc_info.value.error_list}


# --- walk-ins ---------------------------------------------------------------------------------


def test_a_late_walk_in_is_estimated_from_the_registration_time_not_from_the_morning(
    desk_clerk, gigi_today, umum, today
):
    # drg. Rina starts at 08:00, 15 minutes each: number 2 would be "08:15", long past at 09:16.
    first = walk_in(desk_clerk, gigi_today, [make_patient("Slamet Riyadi")], umum, now=at(today, "07:50"))[0]
    family = walk_in(
        desk_clerk,
        gigi_today,
        [make_patient("Sri Riyadi", sex="P"), make_patient("Bayu Riyadi")],
        umum,
        now=at(today, "09:16") + dt.timedelta(seconds=20),
    )
    assert first.estimated_time == dt.time(8, 0)
    assert [b.number for b in family] == [2, 3]
    assert [b.estimated_time for b in family] == [dt.time(9, 17), dt.time(9, 32)]
    for booking in family:
        booking.refresh_from_db()
    assert [b.estimated_time for b in family] == [dt.time(9, 17), dt.time(9, 32)]


def test_a_walk_in_whose_slot_is_still_ahead_keeps_the_slot_time(
    desk_clerk, gigi_today, umum, today, book_today, patient
):
    for i in range(6):
        book_today(make_member(patient, f"Anak {i}", relationship="child"), gigi_today)
    booked = walk_in(desk_clerk, gigi_today, [make_patient("Slamet Riyadi")], umum, now=at(today, "08:10"))[0]
    assert booked.number == 7 and booked.estimated_time == dt.time(9, 30)


def test_counter_estimate_never_wraps_past_midnight(gigi_today, today):
    late = at(today, "23:59")
    assert desk_services.counter_estimate(gigi_today, 1, late, place_in_block=3) == gigi_today.estimated_time(1)


def test_a_family_registered_together_gets_consecutive_numbers_after_the_online_ones(
    desk_clerk, patient, member, gigi_today, umum, today, book_today
):
    online = book_today(member, gigi_today)
    family = [make_patient("Slamet Riyadi"), make_patient("Sri Riyadi", sex="P"), make_patient("Bayu Riyadi")]
    booked = walk_in(desk_clerk, gigi_today, family, umum, now=at(today, "07:40"))  # before the session starts
    assert online.number == 1
    assert [b.number for b in booked] == [2, 3, 4]
    assert [b.label for b in booked] == ["GIGI-002", "GIGI-003", "GIGI-004"]
    for booking in booked:
        booking.refresh_from_db()
        assert (booking.status, booking.channel, booking.counter_place) == (
            BookingStatus.CHECKED_IN,
            BookingChannel.COUNTER,
            True,
        )
        assert booking.estimated_time == gigi_today.estimated_time(booking.number)
        event = booking.events.get()
        assert (event.from_status, event.to_status, event.actor) == ("", BookingStatus.CHECKED_IN, desk_clerk)
    quota = DayQuota.objects.get()
    assert (quota.active_count, quota.counter_count, quota.last_number, quota.total_quota) == (1, 3, 4, 20)


def test_walk_ins_keep_to_the_counter_share_while_online_booking_is_still_open(
    desk_clerk, umum_today, umum, cfg, today
):
    cfg.earliest_days_ahead = 0  # patients may still book today online until 10:00
    cfg.save()
    morning = at(today, "08:00")
    walk_in(desk_clerk, umum_today, [make_patient(), make_patient()], umum, now=morning)  # total 5 - online 3
    with pytest.raises(ValidationError) as refused:
        walk_in(desk_clerk, umum_today, [make_patient()], umum, now=morning)
    assert codes_of(refused) == {"full"}
    assert DayQuota.objects.get().counter_count == 2


def test_walk_ins_may_use_online_places_nobody_booked_once_online_booking_has_closed(
    desk_clerk, umum_today, umum, today, cfg
):
    assert cfg.earliest_days_ahead == 1  # today is never bookable online
    booked = walk_in(desk_clerk, umum_today, [make_patient() for _i in range(5)], umum, now=at(today, "08:00"))
    assert [b.number for b in booked] == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError) as refused:
        walk_in(desk_clerk, umum_today, [make_patient()], umum, now=at(today, "08:05"))
    assert codes_of(refused) == {"full"}


def test_online_and_counter_places_together_never_pass_the_total(
    desk_clerk, patient, umum_today, umum, today, book_today
):
    for i in range(2):
        book_today(make_member(patient, f"Anak {i}", relationship="child"), umum_today)
    walk_in(desk_clerk, umum_today, [make_patient() for _i in range(3)], umum, now=at(today, "11:00"))
    with pytest.raises(ValidationError) as refused:
        walk_in(desk_clerk, umum_today, [make_patient()], umum, now=at(today, "11:00"))
    assert codes_of(refused) == {"full"}
    quota = DayQuota.objects.get()
    assert (quota.active_count, quota.counter_count, quota.last_number) == (2, 3, 5)


def test_a_family_larger_than_the_places_left_is_refused_whole(desk_clerk, umum_today, umum, today):
    walk_in(desk_clerk, umum_today, [make_patient() for _i in range(3)], umum, now=at(today, "08:00"))
    with pytest.raises(ValidationError) as refused:
        walk_in(desk_clerk, umum_today, [make_patient() for _i in range(3)], umum, now=at(today, "08:00"))
    assert codes_of(refused) == {"full"}
    assert Booking.objects.count() == 3
    assert DayQuota.objects.get().last_number == 3  # the refused block took no numbers


def test_a_walk_in_for_a_patient_who_already_has_a_queue_that_day_is_refused(
    desk_clerk, member, gigi_today, umum, book_today
):
    existing = book_today(member, gigi_today)
    with pytest.raises(ValidationError) as refused:
        walk_in(desk_clerk, gigi_today, [make_patient(), member], umum)
    assert codes_of(refused) == {"already_booked"}
    assert existing.code in refused.value.messages[0]
    assert Booking.objects.count() == 1
    quota = DayQuota.objects.get()
    assert (quota.counter_count, quota.last_number) == (0, 1)


def test_a_walk_in_needs_a_session_running_today(desk_clerk, umum, today, admin_user):
    other_day = make_schedule("MATA", "dr. Agus", weekdays=[(today.weekday() + 1) % 7])[0]
    with pytest.raises(ValidationError) as refused:
        walk_in(desk_clerk, other_day, [make_patient()], umum)
    assert codes_of(refused) == {"schedule_closed"}
    running = schedule_on(make_schedule("THT", "dr. Ratna"), today)
    services.exception_create(
        exception=ScheduleException(date=today, scope="doctor", doctor=running.doctor, reason="Cuti"), actor=admin_user
    )
    with pytest.raises(ValidationError) as closed:
        walk_in(desk_clerk, running, [make_patient()], umum)
    assert codes_of(closed) == {"schedule_closed"}


def test_a_walk_in_checks_the_card_format_of_each_patient(desk_clerk, gigi_today, bpjs):
    patient = make_patient("Warsih")
    for card, code in (("", "card_required"), ("12345", "card_format")):
        with pytest.raises(ValidationError) as refused:
            desk_services.walkin_register(
                actor=desk_clerk,
                schedule_id=gigi_today.pk,
                entries=[entry(patient, bpjs, card_number=card, referral_number="0902P0010000Y000001")],
            )
        assert codes_of(refused) == {code}
        assert "Warsih" in refused.value.messages[0]
    with pytest.raises(ValidationError) as twice:
        desk_services.walkin_register(
            actor=desk_clerk, schedule_id=gigi_today.pk, entries=[entry(patient, bpjs), entry(patient, bpjs)]
        )
    assert codes_of(twice) == {"duplicate_patient"}
    assert not Booking.objects.exists()


def test_the_total_quota_constraint_holds_both_ways(gigi_today, today):
    row = DayQuota(schedule=gigi_today, date=today, quota=10, total_quota=5, active_count=3, counter_count=3)
    with pytest.raises(ValidationError):
        row.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        DayQuota.objects.create(
            schedule=gigi_today, date=today, quota=10, total_quota=5, active_count=3, counter_count=3
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DayQuota.objects.create(schedule=gigi_today, date=today, quota=10, counter_count=1)  # no total yet
    DayQuota(schedule=gigi_today, date=today, quota=10, total_quota=6, active_count=3, counter_count=3).full_clean()


def test_changing_the_total_quota_reaches_days_the_counter_opened(desk_clerk, umum_today, umum, today):
    walk_in(desk_clerk, umum_today, [make_patient() for _i in range(4)], umum)
    umum_today.total_quota = 3  # below the four places already taken
    umum_today.online_quota = 2
    umum_today.save()
    desk_services.schedule_sync_total_quotas(schedule=umum_today)
    assert DayQuota.objects.get().total_quota == 4
    umum_today.total_quota = 9
    umum_today.save()
    desk_services.schedule_sync_total_quotas(schedule=umum_today)
    assert DayQuota.objects.get().total_quota == 9


# --- check-in, no-show, served ------------------------------------------------------------------


def test_check_in_on_the_day_records_who_and_when(desk_clerk, member, gigi_today, book_today):
    booking = desk_services.booking_check_in(booking=book_today(member, gigi_today), actor=desk_clerk)
    assert booking.status == BookingStatus.CHECKED_IN
    event = booking.events.order_by("at", "id").last()
    assert (event.from_status, event.to_status, event.actor) == (
        BookingStatus.VERIFIED,
        BookingStatus.CHECKED_IN,
        desk_clerk,
    )


def test_check_in_refuses_with_a_code_for_each_wrong_case(
    desk_clerk, patient, gigi, gigi_today, gigi_tomorrow, tomorrow, book, book_today, cfg, admin_user
):
    cases = {}
    cases["wrong_day"] = book(make_member(patient, "Besok", relationship="other"), gigi_tomorrow, tomorrow)
    cancelled = book_today(make_member(patient, "Batal", relationship="other"), gigi_today)
    cases["cancelled"] = services.booking_cancel(booking=cancelled, actor=patient, now=at(cancelled.date, "05:00"))
    checked = book_today(make_member(patient, "Sudah", relationship="other"), gigi_today)
    cases["already_checked_in"] = desk_services.booking_check_in(booking=checked, actor=desk_clerk)
    cases["already_served"] = desk_services.booking_mark_served(
        booking=desk_services.booking_check_in(
            booking=book_today(make_member(patient, "Selesai", relationship="other"), gigi_today), actor=desk_clerk
        ),
        actor=desk_clerk,
    )
    cfg.mode = "verification"
    cfg.save()
    cases["not_verified"] = book_today(make_member(patient, "Menunggu", relationship="other"), gigi_today)
    rejected = book_today(make_member(patient, "Ditolak", relationship="other"), gigi_today)
    cases["rejected"] = services.booking_reject(booking=rejected, actor=desk_clerk, reason="KTP buram")
    for code, booking in cases.items():
        booking.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            desk_services.booking_check_in(booking=booking, actor=desk_clerk)
        assert codes_of(refused) == {code}, code
    assert "KTP buram" in desk_services.check_in_problem(cases["rejected"], cases["rejected"].date).messages[0]


def test_check_in_refuses_a_booking_whose_practice_was_cancelled(
    desk_clerk, member, gigi_today, book_today, today, admin_user
):
    booking = book_today(member, gigi_today)
    services.exception_create(
        exception=ScheduleException(date=today, scope="clinic", clinic=gigi_today.clinic, reason="Dokter sakit"),
        actor=admin_user,
    )
    booking = Booking.objects.select_related("day_quota").get(pk=booking.pk)
    with pytest.raises(ValidationError) as refused:
        desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    assert codes_of(refused) == {"schedule_closed"}
    assert "Dokter sakit" in refused.value.messages[0]


def test_a_late_arrival_marked_as_not_come_can_still_check_in(desk_clerk, member, gigi_today, book_today):
    booking = desk_services.booking_mark_no_show(booking=book_today(member, gigi_today), actor=desk_clerk)
    assert booking.status == BookingStatus.NO_SHOW
    booking = desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    assert booking.status == BookingStatus.CHECKED_IN
    assert [e.to_status for e in booking.events.order_by("at", "id")] == ["verified", "no_show", "checked_in"]
    assert booking.events.order_by("at", "id").last().reason == gettext("Arrived late")


def test_no_show_and_served_follow_the_day(
    desk_clerk, member, child, gigi_today, gigi_tomorrow, tomorrow, book, book_today
):
    future = book(child, gigi_tomorrow, tomorrow)
    with pytest.raises(ValidationError) as early:
        desk_services.booking_mark_no_show(booking=future, actor=desk_clerk)
    assert codes_of(early) == {"too_early"}
    today_booking = book_today(member, gigi_today)
    with pytest.raises(ValidationError) as not_in:
        desk_services.booking_mark_served(booking=today_booking, actor=desk_clerk)
    assert codes_of(not_in) == {"not_checked_in"}
    served = desk_services.booking_mark_served(
        booking=desk_services.booking_check_in(booking=today_booking, actor=desk_clerk), actor=desk_clerk
    )
    assert served.status == BookingStatus.SERVED
    with pytest.raises(ValidationError) as again:
        desk_services.booking_mark_no_show(booking=served, actor=desk_clerk)
    assert codes_of(again) == {"not_markable"}
    assert DayQuota.objects.get(date=served.date).active_count == 1  # a served patient keeps the place


def test_a_stale_second_click_is_refused_not_recorded_twice(desk_clerk, member, gigi_today, book_today):
    booking = book_today(member, gigi_today)
    stale = Booking.objects.select_related("day_quota").get(pk=booking.pk)
    desk_services.booking_check_in(booking=booking, actor=desk_clerk)
    stale.status = BookingStatus.VERIFIED  # what the second screen still shows
    with pytest.raises(ValidationError) as refused:
        desk_services.booking_check_in(booking=stale, actor=desk_clerk)
    assert codes_of(refused) == {"conflict"}
    assert booking.events.filter(to_status=BookingStatus.CHECKED_IN).count() == 1


# --- moving clinic (SOP 002 step 8) ------------------------------------------------------------------


def test_moving_gives_a_new_number_and_keeps_the_old_one_in_the_history(
    desk_clerk, patient, member, gigi_today, umum_today, book_today, django_capture_on_commit_callbacks
):
    booking = book_today(member, gigi_today)
    walk_in(desk_clerk, umum_today, [make_patient()], booking.guarantor)
    with django_capture_on_commit_callbacks(execute=True):
        moved = desk_services.booking_move(
            booking=booking, actor=desk_clerk, schedule_id=umum_today.pk, reason="Salah pilih poli"
        )
    assert (moved.code, moved.label, moved.clinic_id, moved.status) == (
        booking.code,
        "UMUM-002",
        umum_today.clinic_id,
        BookingStatus.CHECKED_IN,
    )
    assert moved.estimated_time == umum_today.estimated_time(2)
    event = moved.events.order_by("at", "id").last()
    assert (event.from_label, event.to_label, event.reason, event.actor, event.from_status) == (
        "GIGI-001",
        "UMUM-002",
        "Salah pilih poli",
        desk_clerk,
        BookingStatus.VERIFIED,
    )
    old, new = DayQuota.objects.get(schedule=gigi_today), DayQuota.objects.get(schedule=umum_today)
    assert (old.active_count, old.last_number) == (0, 1)
    assert (new.counter_count, new.last_number) == (2, 2)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [patient.email]
    assert "UMUM-002" in mail.outbox[0].subject and "GIGI-001" in mail.outbox[0].body
    again = book_today(make_member(patient, "Adik", relationship="child"), gigi_today)
    assert again.number == 2  # GIGI-001 is never given again


def test_moving_a_walk_in_frees_its_counter_place(desk_clerk, gigi_today, umum_today, umum):
    [booking] = walk_in(desk_clerk, gigi_today, [make_patient()], umum)
    booking = Booking.objects.select_related("day_quota").get(pk=booking.pk)
    desk_services.booking_move(booking=booking, actor=desk_clerk, schedule_id=umum_today.pk, reason="Rujuk ke umum")
    assert DayQuota.objects.get(schedule=gigi_today).counter_count == 0
    assert DayQuota.objects.get(schedule=umum_today).counter_count == 1
    assert not mail.outbox  # the counter registered it: nobody to e-mail


def test_moving_is_refused_with_a_code(
    desk_clerk, patient, member, child, gigi_today, gigi_tomorrow, tomorrow, umum_today, umum, book, book_today, today
):
    booking = book_today(member, gigi_today)
    attempts = [
        (booking, gigi_today.pk, "x", "same_schedule"),
        (booking, umum_today.pk, "  ", "reason_required"),
        (book(child, gigi_tomorrow, tomorrow), umum_today.pk, "x", "wrong_day"),
    ]
    for target, schedule_id, reason, code in attempts:
        with pytest.raises(ValidationError) as refused:
            desk_services.booking_move(booking=target, actor=desk_clerk, schedule_id=schedule_id, reason=reason)
        assert codes_of(refused) == {code}
    walk_in(desk_clerk, umum_today, [make_patient() for _i in range(5)], umum, now=at(today, "08:00"))
    with pytest.raises(ValidationError) as full:
        desk_services.booking_move(
            booking=booking, actor=desk_clerk, schedule_id=umum_today.pk, reason="x", now=at(today, "08:10")
        )
    assert codes_of(full) == {"full"}
    booking.refresh_from_db()
    assert (booking.label, booking.status) == ("GIGI-001", BookingStatus.VERIFIED)
    cancelled = services.booking_cancel(
        booking=book_today(make_member(patient, "C", relationship="other"), gigi_today),
        actor=patient,
        now=at(today, "05:00"),
    )
    with pytest.raises(ValidationError) as not_movable:
        desk_services.booking_move(booking=cancelled, actor=desk_clerk, schedule_id=umum_today.pk, reason="x")
    assert codes_of(not_movable) == {"not_movable"}


# --- paper forms (SOP 001) and new patients -----------------------------------------------------------


def test_a_paper_form_keeps_the_time_it_really_happened(desk_clerk, gigi, umum, today):
    yesterday = today - dt.timedelta(days=1)
    schedule = schedule_on(gigi, yesterday)
    patient = make_patient("Siti Aminah", sex="P")
    booking = desk_services.paper_register(
        actor=desk_clerk,
        schedule_id=schedule.pk,
        date=yesterday,
        registered_at=at(yesterday, "08:15"),
        entry=entry(patient, umum),
        note="Form manual no. 7",
    )
    booking.refresh_from_db()
    assert (booking.status, booking.channel, booking.date, booking.desk_note) == (
        BookingStatus.SERVED,
        BookingChannel.PAPER,
        yesterday,
        "Form manual no. 7",
    )
    assert booking.registered_at == at(yesterday, "08:15")
    assert booking.created_at > booking.registered_at  # typed in later; the history says by whom
    event = booking.events.get()
    assert (event.to_status, event.actor) == (BookingStatus.SERVED, desk_clerk)
    assert "08:15" in event.reason


@pytest.mark.parametrize(
    ("days_back", "time", "status", "code"),
    [
        (-1, "08:00", "served", "date_future"),
        (8, "08:00", "served", "date_too_old"),
        (0, "23:59", "served", "registered_at_future"),
        (1, "08:00", "cancelled", "status_invalid"),
    ],
)
def test_a_paper_form_with_an_impossible_date_or_time_is_refused(
    desk_clerk, gigi, umum, today, days_back, time, status, code
):
    date = today - dt.timedelta(days=days_back)
    now = at(today, "12:00")
    with pytest.raises(ValidationError) as refused:
        desk_services.paper_register(
            actor=desk_clerk,
            schedule_id=schedule_on(gigi, date).pk,
            date=date,
            registered_at=at(date, time),
            entry=entry(make_patient(), umum),
            status=status,
            now=now,
        )
    assert codes_of(refused) == {code}


def test_a_paper_form_time_must_be_on_its_date(desk_clerk, gigi, umum, today):
    yesterday = today - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        desk_services.paper_register(
            actor=desk_clerk,
            schedule_id=schedule_on(gigi, yesterday).pk,
            date=yesterday,
            registered_at=at(today, "00:01"),
            entry=entry(make_patient(), umum),
        )
    assert codes_of(refused) == {"registered_at_other_day"}


def test_a_new_patient_at_the_counter_cannot_take_a_registered_nik_or_mrn(desk_clerk):
    existing = make_patient("Dewi Lestari", sex="P")
    fields = dict(full_name="Dewi L", sex="P", birth_date=dt.date(1992, 11, 30))
    for field, value in (("nik", existing.nik), ("mrn", existing.mrn)):
        with pytest.raises(ValidationError) as refused:
            desk_services.patient_register(actor=desk_clerk, **{**fields, field: value})
        assert {e.code for e in refused.value.error_dict[field]} == {f"{field}_exists"}
    patient = desk_services.patient_register(actor=desk_clerk, mrn="00777777", nik="3302017011920001", **fields)
    assert patient.account_links.count() == 0 and patient.mrn == "00777777"


def test_the_clerk_group_holds_exactly_the_counter_permissions(db):
    group = desk_services.clerk_group_ensure()
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert granted == set(desk_services.CLERK_PERMISSIONS)
    assert not {codename for _app, codename in granted if "user" in codename or "group" in codename}


# --- concurrency (PostgreSQL, real threads) --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's test database locks whole tables")
def test_families_registered_at_once_at_two_counters_never_interleave_or_overbook(clerk, guarantor_types, cfg):
    today = timezone.localdate()
    schedule = schedule_on(make_schedule("UMUM", "dr. Andi", online=4, total=14), today)
    families = [[make_patient(f"Keluarga {i} A"), make_patient(f"Keluarga {i} B")] for i in range(10)]
    umum = guarantor_types["umum"]
    outcomes: list[object] = []
    barrier = threading.Barrier(len(families))

    def register(members) -> None:
        barrier.wait()
        try:
            outcomes.append(walk_in(clerk, schedule, members, umum, now=at(today, "11:00")))
        except ValidationError as exc:
            outcomes.append(exc.error_list[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(members,)) for members in families]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    booked = [o for o in outcomes if isinstance(o, list)]
    assert len(booked) == 7 and sorted(o for o in outcomes if isinstance(o, str)) == ["full"] * 3
    for pair in booked:
        assert pair[1].number == pair[0].number + 1  # a family's numbers are never split by another
    assert sorted(Booking.objects.values_list("number", flat=True)) == list(range(1, 15))
    quota = DayQuota.objects.get()
    assert (quota.counter_count, quota.last_number) == (14, 14)
    assert BookingEvent.objects.count() == 14


# --- medical record numbers for walk-ins --------------------------------------------------------


def test_a_walk_in_without_a_medical_record_number_gets_the_next_one_at_registration(
    desk_clerk, gigi_today, umum, today
):
    make_patient("Pasien Lama", mrn="00012399")  # the highest number already in the index
    newcomers = [make_patient("Slamet Riyadi", mrn=None), make_patient("Sri Riyadi", sex="P", mrn=None)]
    walk_in(desk_clerk, gigi_today, newcomers, umum)
    for patient in newcomers:
        patient.refresh_from_db()
    assert [p.mrn for p in newcomers] == ["00012400", "00012401"]


def test_a_walk_in_who_has_a_medical_record_number_keeps_it(desk_clerk, gigi_today, umum, today):
    known = make_patient("Slamet Riyadi", mrn="00000777")
    walk_in(desk_clerk, gigi_today, [known], umum)
    known.refresh_from_db()
    assert known.mrn == "00000777"


def test_a_refused_walk_in_gives_its_medical_record_number_back(desk_clerk, gigi_today, umum, today):
    known = make_patient("Slamet Riyadi", mrn="00000500")
    walk_in(desk_clerk, gigi_today, [known], umum)
    newcomer = make_patient("Sri Riyadi", sex="P", mrn=None)
    walk_in(desk_clerk, gigi_today, [make_patient("Bayu Riyadi", mrn=None)], umum)  # takes 00000501
    with pytest.raises(ValidationError):
        walk_in(desk_clerk, gigi_today, [newcomer, known], umum)  # Slamet already has a queue today
    newcomer.refresh_from_db()
    assert newcomer.mrn is None
    walk_in(desk_clerk, gigi_today, [newcomer], umum)
    newcomer.refresh_from_db()
    assert newcomer.mrn == "00000502"  # the refused block did not use up a number


@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_walk_ins_at_once_never_hand_out_the_same_mrn(desk_clerk, gigi_today, umum, today):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    patients = [make_patient(f"Pasien {i}", mrn=None) for i in range(8)]
    barrier, errors = threading.Barrier(len(patients)), []

    def register(patient):
        try:
            barrier.wait()
            walk_in(desk_clerk, gigi_today, [patient], umum)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    mrns = sorted(Patient.objects.filter(pk__in=[p.pk for p in patients]).values_list("mrn", flat=True))
    assert mrns == [f"{n:08d}" for n in range(1, 9)]
