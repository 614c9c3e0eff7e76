"""When the nurse calls, the holder of the booking now three calls away is told once."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Message
from queueing.models import Booking, BookingChannel
from queueing.tests.desk_helpers import desk_clerk, today  # noqa: F401 - fixtures
from visitday.nurse import services
from visitday.tests.clinic_helpers import arrive, day_quota_of, nurse, session_today  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(desk_clerk, today, guarantor_types, patient):
    bookings = arrive(desk_clerk, session_today(today), 6)
    # As if Sari had booked them online for her family: her account is the one to tell.
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(channel=BookingChannel.ONLINE, account=patient)
    return day_quota_of(bookings[0]), bookings


def test_calling_the_first_tells_the_holder_of_the_fourth_once(
    clinic, nurse, patient, django_capture_on_commit_callbacks
):
    day_quota, bookings = clinic

    with django_capture_on_commit_callbacks(execute=True):
        services.clinic_call_next(day_quota=day_quota, actor=nurse)

    [message] = Message.objects.all()
    assert message.key == f"near:{bookings[3].pk}"
    assert bookings[3].label in mail.outbox[-1].subject and "Poli Gigi" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [patient.email]

    services.clinic_call_next(day_quota=day_quota, actor=nurse)  # now the fifth is three away
    assert sorted(Message.objects.values_list("key", flat=True)) == sorted(
        [f"near:{bookings[3].pk}", f"near:{bookings[4].pk}"]
    )


def test_counter_bookings_have_no_holder_to_tell(clinic, nurse):
    day_quota, bookings = clinic
    Booking.objects.filter(pk=bookings[3].pk).update(channel=BookingChannel.COUNTER)

    services.clinic_call_next(day_quota=day_quota, actor=nurse)

    assert not Message.objects.exists()


def test_a_short_queue_tells_nobody(clinic, nurse):
    day_quota, bookings = clinic
    for _ in range(3):
        services.clinic_call_next(day_quota=day_quota, actor=nurse)
    before = Message.objects.count()

    services.clinic_call_next(day_quota=day_quota, actor=nurse)  # two left behind: nobody three away

    assert Message.objects.count() == before
