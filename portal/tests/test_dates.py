"""One owner for dates shown to people: short on pages, long on slips and e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from portal.lib.dates import long_date, short_date, short_datetime
from queueing.slips import indonesian_date


def test_short_and_long_forms_in_indonesian():
    with translation.override("id"):
        assert short_date(dt.date(2026, 12, 1)) == "1 Des 2026"
        assert short_date(dt.date(2026, 8, 3)) == "3 Agu 2026"
        assert short_date(dt.date(2026, 11, 1)) == "1 Nov 2026"  # never "Nov." beside "Agu"
        assert long_date(dt.date(2026, 12, 1)) == "Selasa, 1 Desember 2026"


def test_pages_follow_the_active_language():
    with translation.override("en"):
        assert short_date(dt.date(2026, 12, 1)) == "1 Dec 2026"
        assert long_date(dt.date(2026, 12, 1)) == "Tuesday, 1 December 2026"


def test_slips_are_indonesian_whatever_the_language_and_use_the_same_function():
    with translation.override("en"):
        assert indonesian_date(dt.date(2026, 12, 1)) == long_date(dt.date(2026, 12, 1), language="id")


def test_short_datetime_is_local_time(settings):
    at = dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)  # 09:30 in Jakarta
    with translation.override("id"):
        assert short_datetime(at) == "1 Des 2026 09:30"


def test_empty_values_give_empty_text():
    assert short_date(None) == long_date(None) == short_datetime(None) == ""


@pytest.mark.django_db
def test_profile_shows_the_phone_as_people_write_it(patient_client, patient):
    html = patient_client.get(reverse("accounts:profile")).content.decode()
    assert 'value="0812-3456-7890"' in html and "+6281234567890" not in html
