"""The per-account limit on booking confirmations: scripts are slowed, families and double clicks are not."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.urls import reverse

from queueing.models import Booking
from queueing.tests.conftest import make_member
from queueing.tests.test_views import confirm, walk
from queueing.views import rate_limit

pytestmark = pytest.mark.usefixtures("umum")


def _redis_url() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/1"
    except OSError:
        return None


@pytest.fixture
def family(patient) -> list:
    return [make_member(patient, f"Anggota {i}", relationship="child" if i else "self") for i in range(4)]


def _walked(client, members, umum, schedule, date) -> list[str]:
    return [walk(client, member, date, schedule, umum) for member in members]


def test_a_family_of_four_with_every_confirm_double_clicked_is_not_limited(
    patient_client, family, umum, gigi_tomorrow, tomorrow, settings
):
    assert settings.QUEUEING_CONFIRM_LIMIT == 10
    for url in _walked(patient_client, family, umum, gigi_tomorrow, tomorrow):
        first, second = confirm(patient_client, url), confirm(patient_client, url)
        assert first.status_code == 302 and first["Location"] == second["Location"]
    assert Booking.objects.count() == 4


def test_confirms_over_the_limit_get_429_with_a_translated_message(
    patient_client, family, umum, gigi_tomorrow, tomorrow, settings
):
    settings.QUEUEING_CONFIRM_LIMIT = 2
    urls = _walked(patient_client, family[:3], umum, gigi_tomorrow, tomorrow)
    assert [confirm(patient_client, url).status_code for url in urls[:2]] == [302, 302]
    response = confirm(patient_client, urls[2])
    assert response.status_code == 429 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert 'id="confirm-limited"' in page and "Terlalu banyak" in page  # Indonesian by default
    assert reverse("queueing:booking_list") in page and urls[2] in page
    assert "no-store" in response["Cache-Control"]
    assert not Booking.objects.filter(patient=family[2]).exists()


def test_a_double_click_over_the_limit_still_returns_its_booking(
    patient_client, family, umum, gigi_tomorrow, tomorrow, settings
):
    settings.QUEUEING_CONFIRM_LIMIT = 1
    url = walk(patient_client, family[0], tomorrow, gigi_tomorrow, umum)
    first, second, third = (confirm(patient_client, url) for _ in range(3))
    booking = Booking.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == third["Location"]
        == reverse("queueing:booking_detail", args=[booking.code]) + "?baru=1"
    )


def test_the_limit_is_per_account(
    patient_client, client, other_patient, family, umum, gigi_tomorrow, tomorrow, settings
):
    settings.QUEUEING_CONFIRM_LIMIT = 1
    urls = _walked(patient_client, family[:2], umum, gigi_tomorrow, tomorrow)
    assert confirm(patient_client, urls[0]).status_code == 302
    assert confirm(patient_client, urls[1]).status_code == 429
    client.force_login(other_patient)
    stranger = make_member(other_patient, "Joko", sex="L")
    assert confirm(client, walk(client, stranger, tomorrow, gigi_tomorrow, umum)).status_code == 302


def test_after_the_window_confirming_works_again(patient_client, family, umum, gigi_tomorrow, tomorrow, settings):
    # The local-memory cache expires keys by time.time(), which the time machine moves (no real sleep).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"window-{uuid.uuid4().hex}",
        }
    }
    settings.QUEUEING_CONFIRM_LIMIT, settings.QUEUEING_CONFIRM_WINDOW_SECONDS = 1, 60
    urls = _walked(patient_client, family[:2], umum, gigi_tomorrow, tomorrow)
    with time_machine.travel(time.time(), tick=False) as clock:
        assert confirm(patient_client, urls[0]).status_code == 302
        clock.shift(59)
        assert confirm(patient_client, urls[1]).status_code == 429  # still inside the window
        clock.shift(2)
        assert confirm(patient_client, urls[1]).status_code == 302
    assert Booking.objects.count() == 2


def test_the_limit_is_off_at_zero(patient_client, family, umum, gigi_tomorrow, tomorrow, settings):
    settings.QUEUEING_CONFIRM_LIMIT = 0
    url = walk(patient_client, family[0], tomorrow, gigi_tomorrow, umum)
    assert {confirm(patient_client, url).status_code for _ in range(3)} == {302}


def test_the_count_is_shared_through_redis(patient_client, patient, family, umum, gigi_tomorrow, tomorrow, settings):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis on 127.0.0.1:6379: the shared count is not tested")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.QUEUEING_CONFIRM_LIMIT = 2
    urls = _walked(patient_client, family[:3], umum, gigi_tomorrow, tomorrow)
    try:
        assert [confirm(patient_client, u).status_code for u in urls] == [302, 302, 429]
        assert cache.get(rate_limit._key(patient)) == 3  # in Redis, where every worker process counts
        ttl = redis.Redis.from_url(url).ttl(cache.make_and_validate_key(rate_limit._key(patient)))
        assert 0 < ttl <= 60  # the window ends: the count is never kept for good
    finally:
        cache.delete(rate_limit._key(patient))


def test_a_cache_outage_does_not_stop_bookings(patient_client, family, umum, gigi_tomorrow, tomorrow, settings):
    with socket.socket() as sock:  # a loopback port nobody listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = walk(patient_client, family[0], tomorrow, gigi_tomorrow, umum)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    settings.QUEUEING_CONFIRM_LIMIT = 1
    assert confirm(patient_client, url).status_code == 302
    assert Booking.objects.filter(patient=family[0]).exists()
