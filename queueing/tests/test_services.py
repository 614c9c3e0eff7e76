"""Booking rules in services: numbers, refusals with codes, cancel, verify/reject, exceptions."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from conftest import make_account
from queueing import services
from queueing.models import (
    Booking,
    BookingMode,
    BookingStatus,
    DayQuota,
    ExceptionScope,
    ScheduleException,
)
from queueing.tests.conftest import at, make_member, make_schedule


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def test_booking_gives_the_first_number_label_and_estimated_time(book, member, gigi_tomorrow, tomorrow):
    booking = book(member, gigi_tomorrow, tomorrow)
    assert (booking.number, booking.label, booking.status) == (1, "GIGI-001", BookingStatus.VERIFIED)
    assert booking.estimated_time == dt.time(8, 0)
    assert len(booking.code) == 8 and set(booking.code) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    quota = DayQuota.objects.get(schedule=gigi_tomorrow, date=tomorrow)
    assert (quota.active_count, quota.last_number, quota.quota) == (1, 1, 10)
    assert list(booking.events.values_list("from_status", "to_status")) == [("", "verified")]


def test_estimated_time_is_start_plus_minutes_per_patient_before_you(book, patient, gigi_tomorrow, tomorrow):
    bookings = [
        book(make_member(patient, f"Anak {i}", relationship="child"), gigi_tomorrow, tomorrow) for i in range(3)
    ]
    assert [b.estimated_time for b in bookings] == [dt.time(8, 0), dt.time(8, 15), dt.time(8, 30)]
    assert [b.label for b in bookings] == ["GIGI-001", "GIGI-002", "GIGI-003"]


def test_repeated_token_returns_the_same_booking(book, member, gigi_tomorrow, tomorrow):
    token = uuid.uuid4()
    first = book(member, gigi_tomorrow, tomorrow, token=token)
    again = book(member, gigi_tomorrow, tomorrow, token=token)
    assert again.pk == first.pk
    assert Booking.objects.count() == 1


@translation.override("en")
def test_booking_refuses_second_booking_same_day_whatever_the_clinic(book, member, gigi_tomorrow, tomorrow):
    book(member, gigi_tomorrow, tomorrow)
    other_clinic = next(s for s in make_schedule("UMUM", "dr. Andi") if s.weekday == tomorrow.weekday())
    with pytest.raises(ValidationError) as exc:
        book(member, other_clinic, tomorrow)
    assert codes(exc.value) == {"already_booked"}
    assert "already has a queue for that day" in exc.value.messages[0]


def test_booking_refuses_when_full_and_counts_nothing(book, patient, tomorrow):
    schedule = next(s for s in make_schedule("MATA", "dr. Agus", online=1) if s.weekday == tomorrow.weekday())
    book(make_member(patient, "Satu"), schedule, tomorrow)
    with pytest.raises(ValidationError) as exc:
        book(make_member(patient, "Dua", relationship="child"), schedule, tomorrow)
    assert codes(exc.value) == {"full"}
    quota = DayQuota.objects.get(schedule=schedule, date=tomorrow)
    assert (quota.active_count, quota.last_number) == (1, 1)


def test_booking_refuses_dates_outside_the_window(book, member, gigi, cfg):
    for days in (0, cfg.latest_days_ahead + 1):
        date = timezone.localdate() + dt.timedelta(days=days)
        schedule = next(s for s in gigi if s.weekday == date.weekday())
        with pytest.raises(ValidationError) as exc:
            book(member, schedule, date)
        assert codes(exc.value) == {"date_outside_window"}


def test_booking_refuses_a_schedule_on_another_weekday(book, member, gigi, tomorrow):
    wrong_day = next(s for s in gigi if s.weekday != tomorrow.weekday())
    with pytest.raises(ValidationError) as exc:
        book(member, wrong_day, tomorrow)
    assert codes(exc.value) == {"schedule_closed"}


def test_booking_refuses_a_day_closed_by_an_exception(book, member, gigi_tomorrow, tomorrow):
    services.exception_create(
        exception=ScheduleException(date=tomorrow, scope=ExceptionScope.HOSPITAL, reason="Libur nasional")
    )
    with pytest.raises(ValidationError) as exc:
        book(member, gigi_tomorrow, tomorrow)
    assert codes(exc.value) == {"schedule_closed"}


def test_booking_refuses_unconfirmed_email_and_incomplete_profile(book, tomorrow, gigi_tomorrow, db):
    unconfirmed = make_account("baru@example.com", "Akun Baru")
    unconfirmed.email_confirmed_at = None
    unconfirmed.save()
    with pytest.raises(ValidationError) as exc:
        book(make_member(unconfirmed, "Akun Baru"), gigi_tomorrow, tomorrow, account=unconfirmed)
    assert codes(exc.value) == {"email_unconfirmed"}
    no_profile = make_account("kosong@example.com", "Profil Kosong", blood_type="")
    with pytest.raises(ValidationError) as exc:
        book(make_member(no_profile, "Profil Kosong"), gigi_tomorrow, tomorrow, account=no_profile)
    assert codes(exc.value) == {"profile_incomplete"}


def test_booking_refuses_someone_elses_family_member(book, other_patient, gigi_tomorrow, tomorrow):
    stranger = make_member(other_patient, "Joko Prasetyo", sex="L")
    with pytest.raises(ValidationError) as exc:
        book(stranger, gigi_tomorrow, tomorrow)
    assert codes(exc.value) == {"not_family"}


@translation.override("en")
def test_booking_refuses_a_member_with_missing_identity_data(book, patient, gigi_tomorrow, tomorrow):
    incomplete = make_member(patient, "Tanpa NIK", relationship="child", nik="", address_village="")
    with pytest.raises(ValidationError) as exc:
        book(incomplete, gigi_tomorrow, tomorrow)
    assert codes(exc.value) == {"member_incomplete"}
    assert "NIK" in exc.value.messages[0] and "village" in exc.value.messages[0]


@pytest.mark.parametrize(
    "card, referral, expected",
    [
        ("", "0301R0011117B000001", {"card_required"}),
        ("12345", "0301R0011117B000001", {"card_format"}),
        ("00012345678901", "0301R0011117B000001", {"card_format"}),  # 14 digits
        ("0001234567890", "", {"referral_required"}),
        ("0001234567890", "rujukan?", {"referral_format"}),
        ("0001234567890", "0301R0011117B00001", {"referral_format"}),  # 18: the desk once took 10-20
        ("0001234567890", "0301R0011117B0000001", {"referral_format"}),  # 20
    ],
)
def test_bpjs_booking_checks_card_and_referral_format(
    book, member, bpjs, gigi_tomorrow, tomorrow, card, referral, expected
):
    with pytest.raises(ValidationError) as exc:
        book(member, gigi_tomorrow, tomorrow, guarantor=bpjs, card_number=card, referral_number=referral)
    assert codes(exc.value) == expected


def test_bpjs_booking_stores_guarantor_fields_unverified(book, member, bpjs, gigi_tomorrow, tomorrow):
    booking = book(
        member,
        gigi_tomorrow,
        tomorrow,
        guarantor=bpjs,
        card_number="0001234567890",
        referral_number="0301R0011117B000001",
    )
    booking.refresh_from_db()
    assert (booking.card_number, booking.referral_number) == ("0001234567890", "0301R0011117B000001")
    assert booking.guarantor_verified is False and booking.guarantor_check == {}


# --- cancel ---------------------------------------------------------------------------------------


def test_cancel_frees_the_place_and_the_number_is_never_reused(book, patient, member, child, gigi_tomorrow, tomorrow):
    first = book(member, gigi_tomorrow, tomorrow)
    services.booking_cancel(booking=first, actor=patient)
    second = book(child, gigi_tomorrow, tomorrow)
    again = book(member, gigi_tomorrow, tomorrow)  # the same patient may book the day again
    assert first.status == BookingStatus.CANCELLED
    assert (second.number, again.number) == (2, 3)
    quota = DayQuota.objects.get(schedule=gigi_tomorrow, date=tomorrow)
    assert (quota.active_count, quota.last_number) == (2, 3)
    assert list(first.events.values_list("from_status", "to_status")) == [("", "verified"), ("verified", "cancelled")]


def test_cancel_is_refused_after_the_cut_off(book, patient, member, gigi_tomorrow, tomorrow, cfg):
    booking = book(member, gigi_tomorrow, tomorrow)
    # practice starts 08:00, cut-off 2 hours before
    assert services.can_cancel(booking, cfg, now=at(tomorrow, "05:59"))
    with pytest.raises(ValidationError) as exc:
        services.booking_cancel(booking=booking, actor=patient, now=at(tomorrow, "06:00"))
    assert codes(exc.value) == {"cancel_cutoff_passed"}
    assert DayQuota.objects.get(pk=booking.day_quota_id).active_count == 1


def test_cancel_twice_is_refused_and_counts_once(book, patient, member, gigi_tomorrow, tomorrow):
    booking = book(member, gigi_tomorrow, tomorrow)
    services.booking_cancel(booking=booking, actor=patient)
    stale = Booking.objects.get(pk=booking.pk)
    stale.status = BookingStatus.VERIFIED  # a second tab still showing the old state
    with pytest.raises(ValidationError) as exc:
        services.booking_cancel(booking=stale, actor=patient)
    assert codes(exc.value) == {"not_cancellable"}
    assert DayQuota.objects.get(pk=booking.day_quota_id).active_count == 0


# --- verification mode ----------------------------------------------------------------------------


@pytest.fixture
def verification(cfg):
    cfg.mode = BookingMode.VERIFICATION
    cfg.save()
    return cfg


def test_verification_mode_holds_a_place_and_numbers_at_verification(
    book, patient, clerk, gigi_tomorrow, tomorrow, verification, django_capture_on_commit_callbacks
):
    first = book(make_member(patient, "Satu"), gigi_tomorrow, tomorrow)
    second = book(make_member(patient, "Dua", relationship="child"), gigi_tomorrow, tomorrow)
    assert (first.status, first.number, first.label) == (BookingStatus.REQUESTED, None, "")
    quota = DayQuota.objects.get(schedule=gigi_tomorrow, date=tomorrow)
    assert (quota.active_count, quota.last_number) == (2, 0)
    # numbers follow the order of verification, not of request
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_verify(booking=second, actor=clerk)
        services.booking_verify(booking=first, actor=clerk)
    first.refresh_from_db(), second.refresh_from_db()
    assert (second.label, first.label) == ("GIGI-001", "GIGI-002")
    assert first.estimated_time == dt.time(8, 15)
    assert [m.to for m in mail.outbox] == [[patient.email], [patient.email]]
    assert "GIGI-001" in mail.outbox[0].body
    assert f"http://127.0.0.1:8000/antrian/{second.code}/slip.pdf" in mail.outbox[0].body  # the slip link


def test_verify_twice_is_refused_without_a_gap(book, member, clerk, gigi_tomorrow, tomorrow, verification):
    booking = book(member, gigi_tomorrow, tomorrow)
    services.booking_verify(booking=booking, actor=clerk)
    stale = Booking.objects.get(pk=booking.pk)
    stale.status = BookingStatus.REQUESTED
    with pytest.raises(ValidationError) as exc:
        services.booking_verify(booking=stale, actor=clerk)
    assert codes(exc.value) == {"not_requested"}
    assert DayQuota.objects.get(pk=booking.day_quota_id).last_number == 1


def test_reject_requires_a_reason_frees_the_place_and_allows_booking_again(
    book, patient, member, clerk, gigi_tomorrow, tomorrow, verification, django_capture_on_commit_callbacks
):
    booking = book(member, gigi_tomorrow, tomorrow)
    with pytest.raises(ValidationError) as exc:
        services.booking_reject(booking=booking, actor=clerk, reason="  ")
    assert codes(exc.value) == {"reason_required"}
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reject(booking=booking, actor=clerk, reason="Foto KTP tidak terbaca")
    booking.refresh_from_db()
    assert (booking.status, booking.reject_reason) == (BookingStatus.REJECTED, "Foto KTP tidak terbaca")
    assert DayQuota.objects.get(pk=booking.day_quota_id).active_count == 0
    assert "Foto KTP tidak terbaca" in mail.outbox[-1].body
    assert book(member, gigi_tomorrow, tomorrow).status == BookingStatus.REQUESTED


# --- exceptions -------------------------------------------------------------------------------------


def test_exception_marks_affected_bookings_and_emails_after_commit(
    book, patient, member, child, gigi_tomorrow, tomorrow, django_capture_on_commit_callbacks
):
    hit = book(member, gigi_tomorrow, tomorrow)
    umum = next(s for s in make_schedule("UMUM", "dr. Andi") if s.weekday == tomorrow.weekday())
    spared = book(child, umum, tomorrow)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        affected = services.exception_create(
            exception=ScheduleException(
                date=tomorrow, scope=ExceptionScope.DOCTOR, doctor=gigi_tomorrow.doctor, reason="Dokter cuti"
            )
        )
        assert mail.outbox == []  # nothing is sent inside the transaction
    for callback in callbacks:
        callback()
    assert [b.pk for b in affected] == [hit.pk]
    hit.refresh_from_db(), spared.refresh_from_db()
    assert (hit.affected, hit.affected_note, hit.status) == (True, "Dokter cuti", BookingStatus.VERIFIED)
    assert spared.affected is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [patient.email]
    assert "Dokter cuti" in mail.outbox[0].body


def test_affected_booking_may_be_cancelled_after_the_cut_off(book, patient, member, gigi_tomorrow, tomorrow):
    booking = book(member, gigi_tomorrow, tomorrow)
    services.exception_create(
        exception=ScheduleException(
            date=tomorrow, scope=ExceptionScope.CLINIC, clinic=gigi_tomorrow.clinic, reason="Renovasi"
        )
    )
    booking.refresh_from_db()
    services.booking_cancel(booking=booking, actor=patient, now=at(tomorrow, "09:00"))
    assert DayQuota.objects.get(pk=booking.day_quota_id).active_count == 0


def test_deleting_an_exception_reopens_the_day(book, member, gigi_tomorrow, tomorrow):
    exception = ScheduleException(date=tomorrow, scope=ExceptionScope.HOSPITAL, reason="Libur")
    services.exception_create(exception=exception)
    services.exception_delete(exception=exception)
    assert book(member, gigi_tomorrow, tomorrow).number == 1


def test_exception_scope_must_match_its_target(gigi_tomorrow, tomorrow):
    with pytest.raises(ValidationError):
        services.exception_create(exception=ScheduleException(date=tomorrow, scope=ExceptionScope.CLINIC, reason="x"))


def test_lowering_the_online_quota_never_goes_below_places_taken(book, patient, gigi_tomorrow, tomorrow):
    for i in range(3):
        book(make_member(patient, f"Anak {i}", relationship="child"), gigi_tomorrow, tomorrow)
    gigi_tomorrow.online_quota = 2
    gigi_tomorrow.save()
    services.schedule_sync_day_quotas(schedule=gigi_tomorrow)
    assert DayQuota.objects.get(schedule=gigi_tomorrow, date=tomorrow).quota == 3
    gigi_tomorrow.online_quota = 12
    gigi_tomorrow.save()
    services.schedule_sync_day_quotas(schedule=gigi_tomorrow)
    assert DayQuota.objects.get(schedule=gigi_tomorrow, date=tomorrow).quota == 12


def test_merging_patients_moves_their_bookings(book, patient, member, gigi_tomorrow, tomorrow):
    duplicate = make_member(make_account("dup@example.com", "Dup"), "Sari W.")
    booking = book(duplicate, gigi_tomorrow, tomorrow, account=duplicate.account_links.get().account)
    assert services.bookings_repoint(kept=member, removed=duplicate) == 1
    booking.refresh_from_db()
    assert booking.patient == member


def test_merging_patients_with_bookings_on_the_same_day_is_refused(book, patient, member, gigi_tomorrow, tomorrow):
    other = make_account("dup@example.com", "Dup")
    duplicate = make_member(other, "Sari W.")
    book(duplicate, gigi_tomorrow, tomorrow, account=other)
    book(member, gigi_tomorrow, tomorrow)
    with pytest.raises(ValidationError) as exc:
        services.bookings_repoint(kept=member, removed=duplicate)
    assert codes(exc.value) == {"merge_same_day_bookings"}


def test_an_inactive_guarantor_type_is_refused(book, member, gigi_tomorrow, tomorrow):
    from guarantors.models import GuarantorType

    taspen = GuarantorType.objects.get(code="taspen")
    taspen.is_active = False
    taspen.save()
    with pytest.raises(ValidationError) as exc:
        book(member, gigi_tomorrow, tomorrow, guarantor=taspen)
    assert codes(exc.value) == {"guarantor_unavailable"}


def test_every_active_seed_004_type_is_bookable_now(book, member, gigi_tomorrow, tomorrow):
    from guarantors.models import GuarantorType

    booking = book(member, gigi_tomorrow, tomorrow, guarantor=GuarantorType.objects.get(code="taspen"))
    assert booking.guarantor.code == "taspen" and booking.number == 1


def test_bpjs_booking_takes_a_referral_of_exactly_19_characters_normalised(book, member, bpjs, gigi_tomorrow, tomorrow):
    booking = book(
        member,
        gigi_tomorrow,
        tomorrow,
        guarantor=bpjs,
        card_number="0001-2345-67890",
        referral_number="0301r0011117b000001",
    )

    assert (booking.card_number, booking.referral_number) == ("0001234567890", "0301R0011117B000001")


def test_bpjs_ketenagakerjaan_needs_no_card_although_its_code_starts_with_bpjs(book, member, gigi_tomorrow, tomorrow):
    from guarantors.models import GuarantorType
    from guarantors.services import validate_guarantor_numbers

    jkk = GuarantorType.objects.get(code="bpjs-tk-jalan")
    assert validate_guarantor_numbers(jkk, card_number="", referral_number="") == ("", "")  # nothing asked
    assert book(member, gigi_tomorrow, tomorrow, guarantor=jkk).card_number == ""


def test_an_eligibility_answer_is_stored_with_the_booking(book, member, bpjs, gigi_tomorrow, tomorrow):
    booking = book(
        member,
        gigi_tomorrow,
        tomorrow,
        guarantor=bpjs,
        card_number="0001234567890",
        referral_number="0301R0011117B000001",
        guarantor_verified=True,
        guarantor_check={"participant": "AKTIF"},
    )
    booking.refresh_from_db()
    assert booking.guarantor_verified and booking.guarantor_check == {"participant": "AKTIF"}
