"""NIK, KK, MRN, BPJS and birth-date validators; the NIK date/sex encoding as properties."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from facilities.models import Facility
from families.validators import (
    PROVINCES,
    age_on,
    encode_nik,
    format_mrn,
    nik_info,
    nik_mismatch,
    normalize_mrn,
    resolve_two_digit_year,
    validate_birth_date,
    validate_kk,
    validate_nik,
)
from guarantors.validators import validate_card_number

TODAY = dt.date(2026, 11, 22)
provinces = st.sampled_from(sorted(PROVINCES))
regions = st.builds(lambda p, r, d: f"{p}{r:02d}{d:02d}", provinces, st.integers(1, 99), st.integers(1, 99))
serials = st.integers(1, 9999).map(lambda n: f"{n:04d}")
sexes = st.sampled_from(["L", "P"])
# The hundred years up to TODAY: within them a two-digit year names exactly one date.
birth_dates = st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY)


def code_of(func, value) -> str:
    with pytest.raises(ValidationError) as info:
        func(value)
    return info.value.error_list[0].code


@given(region=regions, birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY), sex=sexes, serial=serials)
def test_every_well_formed_nik_is_accepted(region, birth, sex, serial):
    nik = encode_nik(region=region, birth_date=birth, sex=sex, serial=serial)
    assert validate_nik(nik) == nik


@given(region=regions, birth=birth_dates, sex=sexes, serial=serials)
def test_nik_info_recovers_birth_date_and_sex_within_a_century(region, birth, sex, serial):
    nik = encode_nik(region=region, birth_date=birth, sex=sex, serial=serial)
    info = nik_info(nik, today=TODAY)
    assert info.sex == sex
    assert info.birth_date == birth


@given(region=regions, birth=birth_dates, sex=sexes, serial=serials)
def test_women_have_forty_added_to_the_day(region, birth, sex, serial):
    day = int(encode_nik(region=region, birth_date=birth, sex=sex, serial=serial)[6:8])
    assert (41 <= day <= 71) if sex == "P" else (1 <= day <= 31)


@given(region=regions, birth=birth_dates, sex=sexes, serial=serials)
def test_matching_data_is_no_mismatch_and_the_other_sex_is(region, birth, sex, serial):
    nik = encode_nik(region=region, birth_date=birth, sex=sex, serial=serial)
    assert not nik_mismatch(nik, birth, sex)
    assert nik_mismatch(nik, birth, "P" if sex == "L" else "L")


@given(region=regions, birth=birth_dates, other=birth_dates, sex=sexes, serial=serials)
def test_a_different_birth_date_is_a_mismatch_unless_same_day_and_two_digit_year(region, birth, other, sex, serial):
    nik = encode_nik(region=region, birth_date=birth, sex=sex, serial=serial)
    same = (birth.day, birth.month, birth.year % 100) == (other.day, other.month, other.year % 100)
    assert nik_mismatch(nik, other, sex) is (not same)


@given(region=regions, day=st.integers(0, 99), month=st.integers(0, 99), yy=st.integers(0, 99), serial=serials)
def test_nik_with_impossible_date_is_rejected(region, day, month, yy, serial):
    nik = f"{region}{day:02d}{month:02d}{yy:02d}{serial}"
    real_day = day - 40 if day > 40 else day
    real = any(_is_date(century + yy, month, real_day) for century in (1900, 2000))
    if real:
        assert validate_nik(nik) == nik
    else:
        assert code_of(validate_nik, nik) == "nik_date"


def _is_date(year, month, day) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


@given(code=st.integers(0, 99).map(lambda n: f"{n:02d}"))
def test_only_real_province_codes_are_accepted(code):
    nik = f"{code}0201" + "120485" + "0001"
    if code in PROVINCES:
        assert validate_nik(nik) == nik
    else:
        assert code_of(validate_nik, nik) == "nik_province"


def test_province_list_is_dukcapils_from_aceh_to_papua_barat_daya():
    assert len(PROVINCES) == 38
    assert min(PROVINCES) == "11" and max(PROVINCES) == "96"
    assert {"20", "22", "30", "37", "50", "54", "60", "70", "80", "90", "97"}.isdisjoint(PROVINCES)


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "nik_format"),
        ("330201120485000", "nik_format"),
        ("33020112048500011", "nik_format"),
        ("33020112048500a1", "nik_format"),
        ("1002011204850001", "nik_province"),
        ("3302013204850001", "nik_date"),
        ("3302017204850001", "nik_date"),
        ("3302011213850001", "nik_date"),
        ("3302012902010001", "nik_date"),
        ("3302011204850000", "nik_serial"),
    ],
)
def test_bad_niks_are_rejected_with_a_code(value, code):
    assert code_of(validate_nik, value) == code


def test_nik_may_be_typed_with_spaces_and_dots():
    assert validate_nik("3302 0112 0485 0001") == "3302011204850001"
    assert validate_nik("33.02.01.120485.0001") == "3302011204850001"


def test_leap_day_of_2000_is_a_real_nik_date():
    assert validate_nik("3302016902000001") == "3302016902000001"  # woman born 29-02-2000
    assert nik_info("3302016902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)


@pytest.mark.parametrize(
    "value, code",
    [
        ("330201150312", "kk_format"),
        ("0002011503120004", "kk_province"),
        ("3302015503120004", "kk_date"),
        ("3302011503120000", "kk_serial"),
    ],
)
def test_bad_kk_numbers_are_rejected_with_a_code(value, code):
    assert code_of(validate_kk, value) == code


def test_kk_has_no_forty_day_offset():
    assert validate_kk("3302011503120004") == "3302011503120004"
    assert code_of(validate_kk, "3302015503120004") == "kk_date"


def test_two_digit_year_picks_the_century_that_is_not_in_the_future():
    assert resolve_two_digit_year(12, 4, 85, TODAY) == dt.date(1985, 4, 12)
    assert resolve_two_digit_year(1, 1, 26, TODAY) == dt.date(2026, 1, 1)
    assert resolve_two_digit_year(31, 12, 26, TODAY) == dt.date(1926, 12, 31)


def test_nik_info_of_a_malformed_value_is_none():
    assert nik_info("123") is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12-34-56", "00123456"),
        ("00123456", "00123456"),
        (" 1 2 3 ", "00000123"),
        ("0000012345678", "12345678"),
    ],
)
def test_mrn_is_normalised_to_digits_zero_padded(raw, expected):
    assert normalize_mrn(raw, Facility(mrn_digits=8)) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "mrn_format"),
        ("12A456", "mrn_format"),
        ("0000", "mrn_format"),
        ("123456789", "mrn_too_long"),
        ("²³", "mrn_format"),
        ("١٢٣٤", "mrn_format"),
        ("9" * 5000, "mrn_too_long"),  # once 500s: int() refused them
    ],
)
def test_bad_mrns_are_rejected_with_a_code(raw, code):
    assert code_of(lambda value: normalize_mrn(value, Facility(mrn_digits=8)), raw) == code


def test_mrn_width_follows_the_facility():
    puskesmas = Facility(mrn_digits=6)
    assert normalize_mrn("1-23", puskesmas) == "000123"
    assert code_of(lambda value: normalize_mrn(value, puskesmas), "1234567") == "mrn_too_long"


def test_mrn_is_shown_in_pairs():
    assert format_mrn("00123456") == "00-12-34-56"
    assert format_mrn("0123456") == "0-12-34-56"
    assert format_mrn(None) == ""


def test_bpjs_number_has_thirteen_digits_as_guarantors_says():
    assert validate_card_number("0001 2345 67890") == "0001234567890"
    assert validate_card_number("0001-2345-67890") == "0001234567890"
    for bad in ("000123456789", "00012345678901", "000123456789X", "٠٠٠١٢٣٤٥٦٧٨٩٠"):
        assert code_of(validate_card_number, bad) == "card_format"


def test_birth_date_is_not_in_the_future_nor_more_than_130_years_ago():
    assert validate_birth_date(TODAY, today=TODAY) == TODAY
    assert validate_birth_date(dt.date(1896, 11, 22), today=TODAY) == dt.date(1896, 11, 22)
    with pytest.raises(ValidationError) as future:
        validate_birth_date(TODAY + dt.timedelta(days=1), today=TODAY)
    assert future.value.code == "birth_date_future"
    with pytest.raises(ValidationError) as old:
        validate_birth_date(dt.date(1896, 11, 21), today=TODAY)
    assert old.value.code == "birth_date_too_old"


def test_age_counts_whole_years():
    assert age_on(dt.date(2000, 11, 23), TODAY) == 25
    assert age_on(dt.date(2000, 11, 22), TODAY) == 26
