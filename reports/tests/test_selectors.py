"""The report's figures against counts worked out by hand (seed 003 "Laporan bulanan rawat jalan")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from queueing.models import BookingChannel, BookingStatus
from reports import selectors
from reports.tests.conftest import NOVEMBER, make_clinic, make_patient

pytestmark = pytest.mark.django_db

NOV_30 = dt.date(2026, 11, 30)
VISIT_DAY = dt.date(2026, 11, 16)

# Born on these dates, a patient seen on 16 November 2026 falls in the band beside it: the last
# day of each band and the first day of the next (completed days, then completed years).
BOUNDARIES: list[tuple[dt.date, str, str]] = [
    (dt.date(2026, 11, 16), "L", "0-7 days"),  # born that day: 0 days
    (dt.date(2026, 11, 9), "P", "0-7 days"),  # 7 days
    (dt.date(2026, 11, 8), "L", "8-28 days"),  # 8 days
    (dt.date(2026, 10, 19), "P", "8-28 days"),  # 28 days
    (dt.date(2026, 10, 18), "L", "29 days-11 months"),  # 29 days
    (dt.date(2025, 11, 17), "P", "29 days-11 months"),  # one day short of 1 year
    (dt.date(2025, 11, 16), "L", "1-4 years"),  # 1st birthday
    (dt.date(2021, 11, 17), "L", "1-4 years"),  # 4 years 364 days
    (dt.date(2021, 11, 16), "P", "5-9 years"),
    (dt.date(2016, 11, 17), "P", "5-9 years"),
    (dt.date(2016, 11, 16), "L", "10-14 years"),
    (dt.date(2011, 11, 17), "P", "10-14 years"),
    (dt.date(2011, 11, 16), "P", "15-19 years"),
    (dt.date(2006, 11, 17), "L", "15-19 years"),
    (dt.date(2006, 11, 16), "L", "20-44 years"),
    (dt.date(1981, 11, 17), "L", "20-44 years"),
    (dt.date(1981, 11, 16), "P", "45-54 years"),
    (dt.date(1971, 11, 17), "P", "45-54 years"),
    (dt.date(1971, 11, 16), "L", "55-59 years"),
    (dt.date(1966, 11, 17), "P", "55-59 years"),
    (dt.date(1966, 11, 16), "P", "60-69 years"),
    (dt.date(1956, 11, 17), "L", "60-69 years"),
    (dt.date(1956, 11, 16), "L", "70+ years"),
    (dt.date(1930, 1, 1), "P", "70+ years"),
]

# The same, counted by hand: (band, men, women).
EXPECTED_AGE_SEX = [
    ("0-7 days", 1, 1),
    ("8-28 days", 1, 1),
    ("29 days-11 months", 1, 1),
    ("1-4 years", 2, 0),
    ("5-9 years", 0, 2),
    ("10-14 years", 1, 1),
    ("15-19 years", 1, 1),
    ("20-44 years", 2, 0),
    ("45-54 years", 0, 2),
    ("55-59 years", 1, 1),
    ("60-69 years", 1, 1),
    ("70+ years", 1, 1),
]


@pytest.fixture(autouse=True)
def english():
    """Band and channel labels compared in English (the pages' Indonesian is checked in test_views)."""
    with translation.override("en"):
        yield


def _november(facility_ids=None):
    return selectors.outpatient_report(facility_ids=facility_ids, start=NOVEMBER, end=NOV_30)


@pytest.fixture
def gigi(rsud):
    return make_clinic(rsud, "GIGI", "Poli Gigi")


@pytest.fixture
def umum(rsud):
    return make_clinic(rsud, "UMUM", "Poli Umum")


def test_every_age_band_boundary_falls_in_the_band_counted_by_hand(visits, gigi):
    for birth, sex, _band in BOUNDARIES:
        visits.add(make_patient(birth, sex), gigi, VISIT_DAY)
    # A cancelled booking of a newborn is not a visit and counts in no band.
    visits.add(make_patient(VISIT_DAY, "L"), gigi, VISIT_DAY, status=BookingStatus.CANCELLED)

    assert _november().age_sex == EXPECTED_AGE_SEX


def test_age_bands_in_the_database_match_the_table_row_by_row(visits, gigi):
    """Each boundary patient on their own, so a swapped pair cannot hide in the totals."""
    for birth, sex, band in BOUNDARIES:
        booking = visits.add(make_patient(birth, sex), gigi, VISIT_DAY)
        key = selectors.period_bookings(None, VISIT_DAY, VISIT_DAY).filter(pk=booking.pk)
        found = key.annotate(band=selectors.age_band()).values_list("band", flat=True).get()
        assert str(selectors.AGE_BANDS[found].label) == band, birth


def test_a_leap_day_baby_completes_a_year_on_the_first_of_march(visits, gigi):
    leapling = make_patient(dt.date(2024, 2, 29), "P")
    before = visits.add(leapling, gigi, dt.date(2025, 2, 28))
    after = visits.add(leapling, gigi, dt.date(2025, 3, 1))
    bands = dict(
        selectors.period_bookings(None, dt.date(2025, 2, 1), dt.date(2025, 3, 31))
        .annotate(band=selectors.age_band())
        .values_list("pk", "band")
    )
    assert selectors.AGE_BANDS[bands[before.pk]].label == "29 days-11 months"
    assert selectors.AGE_BANDS[bands[after.pk]].label == "1-4 years"


def test_every_channel_is_listed_with_its_bookings_and_visits(visits, gigi):
    # online: 3 bookings, 2 visits; counter: 2 and 2; paper: 1 and 1; Mobile JKN: 2 bookings, 1 visit.
    rows = [
        (BookingChannel.MOBILE_JKN, BookingStatus.SERVED),
        (BookingChannel.MOBILE_JKN, BookingStatus.NO_SHOW),
        (BookingChannel.ONLINE, BookingStatus.SERVED),
        (BookingChannel.ONLINE, BookingStatus.CHECKED_IN),
        (BookingChannel.ONLINE, BookingStatus.CANCELLED),
        (BookingChannel.COUNTER, BookingStatus.SERVED),
        (BookingChannel.COUNTER, BookingStatus.SERVED),
        (BookingChannel.PAPER, BookingStatus.SERVED),
    ]
    for channel, status in rows:
        visits.add(make_patient(), gigi, VISIT_DAY, channel=channel, status=status)

    channels = {value: (bookings, n) for value, _label, bookings, n in _november().channels}
    assert channels.pop("online") == (3, 2)
    assert channels.pop("counter") == (2, 2)
    assert channels.pop("paper") == (1, 1)
    assert channels.pop("mobile_jkn") == (2, 1)
    # Channels added later (a kiosk) are listed too, with nothing yet.
    assert set(channels) == set(BookingChannel.values) - {"online", "counter", "paper", "mobile_jkn"}
    assert all(counts == (0, 0) for counts in channels.values())


def test_each_channel_of_the_model_is_counted_on_its_own(visits, gigi):
    """Whatever channels BookingChannel holds today: channel number i gets i + 1 visits."""
    for index, channel in enumerate(BookingChannel.values):
        for _i in range(index + 1):
            visits.add(make_patient(), gigi, VISIT_DAY, channel=channel)
    channels = {value: visits_n for value, _label, _b, visits_n in _november().channels}
    assert channels == {channel: index + 1 for index, channel in enumerate(BookingChannel.values)}


def test_a_visit_is_new_without_an_earlier_visit_at_the_same_facility(visits, gigi, umum, puskesmas):
    kia = make_clinic(puskesmas, "KIA", "Poli KIA")
    ayu, bima, citra, dewi = (make_patient(name=n) for n in ("Ayu", "Bima", "Citra", "Dewi"))
    visits.add(ayu, gigi, dt.date(2026, 10, 10))  # October, served at the RSUD
    visits.add(ayu, umum, dt.date(2026, 11, 5))  # returning: another clinic, same facility
    visits.add(ayu, kia, dt.date(2026, 11, 6))  # new: first visit at the puskesmas
    visits.add(bima, gigi, dt.date(2026, 10, 12), status=BookingStatus.CANCELLED)
    visits.add(bima, gigi, dt.date(2026, 10, 13), status=BookingStatus.NO_SHOW)
    visits.add(bima, gigi, dt.date(2026, 11, 2))  # new: a cancellation and a no-show are not visits
    visits.add(citra, gigi, dt.date(2026, 11, 3), status=BookingStatus.CHECKED_IN)  # new
    visits.add(citra, umum, dt.date(2026, 11, 20))  # returning: her visit on the 3rd
    visits.add(dewi, gigi, dt.date(2026, 11, 25))  # new
    visits.add(dewi, gigi, dt.date(2026, 12, 2))  # December: a later visit changes nothing

    report = _november()
    assert (report.totals.visits, report.totals.new, report.totals.returning) == (6, 4, 2)
    clinics = {clinic: (c.visits, c.new, c.returning) for _f, clinic, c in report.clinics}
    assert clinics == {"Poli Gigi": (3, 3, 0), "Poli Umum": (2, 0, 2), "Poli KIA": (1, 1, 0)}
    rsud_only = _november([gigi.clinic.facility_id])
    assert (rsud_only.totals.visits, rsud_only.totals.new, rsud_only.totals.returning) == (5, 3, 2)


def test_cancellations_rejections_and_no_shows_per_clinic_and_day(visits, gigi, umum):
    day1, day2 = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
    S = BookingStatus
    for clinic, day, status in [
        (gigi, day1, S.SERVED),
        (gigi, day1, S.CANCELLED),
        (gigi, day1, S.REJECTED),
        (gigi, day2, S.NO_SHOW),
        (gigi, day2, S.NO_SHOW),
        (umum, day2, S.SERVED),
        (umum, day2, S.REQUESTED),  # still waiting: a booking, not a visit
        (umum, day2, S.VERIFIED),
    ]:
        booking = visits.add(make_patient(), clinic, day, status=status)
        if status == S.REQUESTED:
            type(booking).objects.filter(pk=booking.pk).update(number=None, label="")

    report = _november()
    t = report.totals
    assert (t.bookings, t.visits, t.cancelled, t.rejected, t.no_show) == (8, 2, 1, 1, 2)
    clinics = {clinic: (c.bookings, c.visits, c.cancelled, c.rejected, c.no_show) for _f, clinic, c in report.clinics}
    assert clinics == {"Poli Gigi": (5, 1, 1, 1, 2), "Poli Umum": (3, 1, 0, 0, 0)}
    days = dict(report.days)
    assert len(report.days) == 30 and report.days[0][0] == NOVEMBER and report.days[-1][0] == NOV_30
    assert (days[day1].bookings, days[day1].visits, days[day1].cancelled, days[day1].rejected) == (3, 1, 1, 1)
    assert (days[day2].bookings, days[day2].visits, days[day2].no_show) == (5, 1, 2)
    assert days[dt.date(2026, 11, 4)].bookings == 0


def test_the_guarantor_mix_counts_visits_per_guarantor(visits, gigi, guarantors):
    bpjs = guarantors["bpjs-kesehatan"]
    for guarantor, status in [
        (bpjs, BookingStatus.SERVED),
        (bpjs, BookingStatus.SERVED),
        (bpjs, BookingStatus.CANCELLED),  # not a visit
        (guarantors["umum"], BookingStatus.CHECKED_IN),
    ]:
        visits.add(make_patient(), gigi, VISIT_DAY, guarantor=guarantor, status=status)
    assert _november().guarantors == [(bpjs.name, 2), (guarantors["umum"].name, 1)]


def test_one_day_report_holds_that_day_only(visits, gigi):
    visits.add(make_patient(), gigi, dt.date(2026, 11, 2))
    visits.add(make_patient(), gigi, dt.date(2026, 11, 3))
    visits.add(make_patient(), gigi, dt.date(2026, 11, 3), status=BookingStatus.NO_SHOW)
    day = dt.date(2026, 11, 3)
    report = selectors.outpatient_report(facility_ids=None, start=day, end=day)
    assert report.is_single_day
    assert (report.totals.visits, report.totals.no_show, len(report.days)) == (1, 1, 1)


def test_a_facility_s_report_leaves_other_facilities_out(visits, gigi, puskesmas):
    kia = make_clinic(puskesmas, "KIA")
    visits.add(make_patient(), gigi, VISIT_DAY)
    visits.add(make_patient(), kia, VISIT_DAY)
    visits.add(make_patient(), kia, VISIT_DAY)
    assert _november([puskesmas.pk]).totals.visits == 2
    assert _november([gigi.clinic.facility_id]).totals.visits == 1
    assert _november().totals.visits == 3
    assert _november([]).totals.visits == 0


def test_the_report_runs_a_fixed_number_of_queries(visits, gigi, umum, django_assert_max_num_queries):
    for day in range(1, 29):
        visits.add(make_patient(), gigi if day % 2 else umum, dt.date(2026, 11, day))
    # Five grouped counts, the clinics' names for the waits, JIT off, and the savepoint around them.
    with django_assert_max_num_queries(9):
        _november()
