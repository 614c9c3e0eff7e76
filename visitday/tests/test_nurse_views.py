"""The nurse's pages: only nurses, only their facility's sessions today, the four buttons end to end."""

from __future__ import annotations

import pytest
from django.urls import reverse

from facilities.models import Facility
from queueing.models import BookingStatus
from queueing.tests.desk_helpers import desk_clerk, today  # noqa: F401 - fixtures
from visitday.models import Call, CallKind
from visitday.tests.clinic_helpers import arrive, day_quota_of, nurse, session_today  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(desk_clerk, today, guarantor_types):
    bookings = arrive(desk_clerk, session_today(today), 3)
    return day_quota_of(bookings[0]), bookings


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def url(name: str, *args) -> str:
    return reverse(f"visitday_nurse:{name}", args=args)


def test_the_nurse_sees_todays_sessions_and_the_queue_in_order(nurse_client, session):
    day_quota, bookings = session
    home = nurse_client.get(url("home"))
    assert home.status_code == 200 and url("session", day_quota.pk) in home.content.decode()
    page = nurse_client.get(url("session", day_quota.pk)).content.decode()
    positions = [page.index(b.patient.full_name) for b in bookings]
    assert positions == sorted(positions)


def test_call_recall_done_through_the_page(nurse_client, session):
    day_quota, bookings = session
    response = nurse_client.post(url("call_next", day_quota.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("session", day_quota.pk)
    assert f"{bookings[0].label}" in response.content.decode()
    nurse_client.post(url("recall", day_quota.pk, bookings[0].pk))
    assert list(Call.objects.order_by("id").values_list("kind", flat=True)) == [CallKind.CALL, CallKind.RECALL]
    nurse_client.post(url("done", day_quota.pk, bookings[0].pk))
    bookings[0].refresh_from_db()
    assert bookings[0].status == BookingStatus.SERVED


def test_not_present_through_the_page(nurse_client, session):
    day_quota, bookings = session
    nurse_client.post(url("call_next", day_quota.pk))
    response = nurse_client.post(url("not_present", day_quota.pk, bookings[0].pk), follow=True)
    bookings[0].refresh_from_db()
    assert bookings[0].status == BookingStatus.NO_SHOW
    assert "Tidak hadir" in response.content.decode() or "Not present" in response.content.decode()


def test_a_refused_action_is_a_message_not_an_error(nurse_client, session):
    day_quota, bookings = session
    response = nurse_client.post(url("done", day_quota.pk, bookings[1].pk), follow=True)
    assert response.status_code == 200
    bookings[1].refresh_from_db()
    assert bookings[1].status == BookingStatus.CHECKED_IN
    assert 'class="alert alert-danger"' in response.content.decode()


def test_get_on_a_button_url_is_refused(nurse_client, session):
    assert nurse_client.get(url("call_next", session[0].pk)).status_code == 405


def test_only_nurses_may_call(client, desk_clerk, patient, session):
    day_quota, _bookings = session
    client.force_login(desk_clerk)  # a clerk of the facility, not in "Perawat Poli"
    assert client.get(url("session", day_quota.pk)).status_code == 403
    assert client.post(url("call_next", day_quota.pk)).status_code == 403
    client.force_login(patient)
    assert client.get(url("home")).status_code == 403
    client.logout()
    assert client.get(url("home")).status_code == 302


def test_another_facilitys_session_is_not_found(nurse_client, today):
    import datetime as dt

    from queueing.models import Clinic, DayQuota, Doctor, Schedule

    other = Facility.objects.create(name="Puskesmas Sokaraja")
    clinic = Clinic.objects.create(facility=other, code="KIA", name="Poli KIA", prefix="KIA")
    doctor = Doctor.objects.create(facility=other, name="dr. Lain")
    schedule = Schedule.objects.create(
        doctor=doctor,
        clinic=clinic,
        weekday=today.weekday(),
        start_time=dt.time(7),
        end_time=dt.time(23),
        total_quota=10,
        online_quota=2,
    )
    day_quota = DayQuota.objects.create(schedule=schedule, date=today, quota=2)
    assert nurse_client.get(url("session", day_quota.pk)).status_code == 404
    assert nurse_client.post(url("call_next", day_quota.pk)).status_code == 404
