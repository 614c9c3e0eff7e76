"""Clerk side in the admin: bookings list, verify/reject through the services, exceptions, settings."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from queueing.models import Booking, BookingMode, BookingStatus, DayQuota, ScheduleException
from queueing.tests.conftest import make_member

CHANGELIST = "admin:queueing_booking_changelist"


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def requests_(patient, gigi_tomorrow, tomorrow, book, cfg):
    cfg.mode = BookingMode.VERIFICATION
    cfg.save()
    return [book(make_member(patient, f"Pasien {i}", relationship="other"), gigi_tomorrow, tomorrow) for i in range(3)]


@pytest.mark.parametrize("count", [1, 6])
def test_booking_changelist_filters_and_stays_flat(admin_client_, patient, gigi_tomorrow, tomorrow, book, count,
                                                   django_assert_max_num_queries):
    for i in range(count):
        book(make_member(patient, f"Pasien {i}", relationship="other"), gigi_tomorrow, tomorrow)
    url = reverse(CHANGELIST) + f"?status__exact=verified&clinic__id__exact={gigi_tomorrow.clinic_id}"
    with django_assert_max_num_queries(14):
        response = admin_client_.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


def test_verify_action_gives_numbers_in_verification_order(admin_client_, requests_):
    response = admin_client_.post(reverse(CHANGELIST), {
        "action": "verify_bookings", ACTION_CHECKBOX_NAME: [requests_[2].pk]})
    assert response.status_code == 302
    requests_[2].refresh_from_db()
    assert (requests_[2].status, requests_[2].number) == (BookingStatus.VERIFIED, 1)
    assert DayQuota.objects.get().last_number == 1


def test_reject_action_asks_for_a_reason_first(admin_client_, patient, requests_, django_capture_on_commit_callbacks):
    target = requests_[0]
    data = {"action": "reject_bookings", ACTION_CHECKBOX_NAME: [target.pk]}
    form_page = admin_client_.post(reverse(CHANGELIST), data)
    assert form_page.status_code == 200 and b'name="reason"' in form_page.content
    empty = admin_client_.post(reverse(CHANGELIST), {**data, "apply": "1", "reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors["reason"]
    target.refresh_from_db()
    assert target.status == BookingStatus.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client_.post(reverse(CHANGELIST), {**data, "apply": "1", "reason": "KTP tidak terbaca"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.reject_reason) == (BookingStatus.REJECTED, "KTP tidak terbaca")
    assert DayQuota.objects.get().active_count == 2
    assert mail.outbox[-1].to == [patient.email]


def test_bookings_cannot_be_deleted_or_added_in_the_admin(admin_client_, requests_):
    booking = requests_[0]
    assert admin_client_.get(reverse("admin:queueing_booking_delete", args=[booking.pk])).status_code == 403
    assert admin_client_.get(reverse("admin:queueing_booking_add")).status_code == 403
    assert admin_client_.get(reverse("admin:queueing_booking_change", args=[booking.pk])).status_code == 200


def test_adding_an_exception_marks_bookings_and_emails(admin_client_, patient, member, gigi_tomorrow, tomorrow, book,
                                                       django_capture_on_commit_callbacks):
    booking = book(member, gigi_tomorrow, tomorrow)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(reverse("admin:queueing_scheduleexception_add"), {
            "date": tomorrow.isoformat(), "scope": "clinic", "clinic": gigi_tomorrow.clinic_id, "doctor": "",
            "reason": "Poli gigi tutup: renovasi"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.affected and booking.affected_note == "Poli gigi tutup: renovasi"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [patient.email]
    assert DayQuota.objects.get().closed


def test_exception_with_wrong_target_is_a_form_error(admin_client_, gigi_tomorrow, tomorrow):
    response = admin_client_.post(reverse("admin:queueing_scheduleexception_add"), {
        "date": tomorrow.isoformat(), "scope": "doctor", "clinic": "", "doctor": "", "reason": "?"})
    assert response.status_code == 200
    assert not ScheduleException.objects.exists()


def test_booking_settings_open_on_the_single_row(admin_client_, cfg):
    response = admin_client_.get(reverse("admin:queueing_bookingsettings_changelist"))
    assert response["Location"] == reverse("admin:queueing_bookingsettings_change", args=[1])
    assert admin_client_.get(response["Location"]).status_code == 200


def test_changing_a_schedule_quota_reaches_opened_days(admin_client_, gigi_tomorrow, member, tomorrow, book):
    book(member, gigi_tomorrow, tomorrow)
    url = reverse("admin:queueing_schedule_change", args=[gigi_tomorrow.pk])
    data = {"doctor": gigi_tomorrow.doctor_id, "clinic": gigi_tomorrow.clinic_id, "weekday": gigi_tomorrow.weekday,
            "start_time": "08:00", "end_time": "12:00", "total_quota": 30, "online_quota": 25,
            "minutes_per_patient": 15, "active": "on"}
    assert admin_client_.post(url, data).status_code == 302
    assert DayQuota.objects.get().quota == 25
    assert Booking.objects.count() == 1
