"""guarantors.validators: the one definition of BPJS card and referral formats, limits and codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guarantors.validators import validate_card_number, validate_other_card_number, validate_referral_number


def code_of(validate, value, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        validate(value, **kwargs)
    return exc.value.code


@pytest.mark.parametrize(
    "raw, card",
    [
        ("0001234567890", "0001234567890"),
        ("0001 2345 67890", "0001234567890"),
        ("0001-2345-67890", "0001234567890"),
        ("0001.2345.67890", "0001234567890"),
    ],
)
def test_a_card_number_of_13_digits_is_accepted_without_separators(raw, card):
    assert validate_card_number(raw) == card


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "card_required"),
        (None, "card_required"),
        (" - ", "card_required"),
        ("000123456789", "card_format"),  # 12 digits
        ("00012345678901", "card_format"),  # 14 digits
        ("000123456789X", "card_format"),
        ("٠٠٠١٢٣٤٥٦٧٨٩٠", "card_format"),  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_a_card_number_that_is_not_13_ascii_digits_is_refused(raw, code):
    assert code_of(validate_card_number, raw) == code


def test_a_referral_number_of_exactly_19_letters_and_digits_is_accepted_upper_case():
    assert validate_referral_number("0902p001 0000Y000001") == "0902P0010000Y000001"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "referral_required"),
        (None, "referral_required"),
        ("0902P0010000Y00001", "referral_format"),  # 18
        ("0902P0010000Y0000001", "referral_format"),  # 20
        ("0902P001", "referral_format"),  # 8: the desk once took 10-20
        ("0902P0010000Y00000!", "referral_format"),
        ("0902P0010000Y00000é", "referral_format"),  # not ASCII
    ],
)
def test_a_referral_number_that_is_not_19_ascii_letters_and_digits_is_refused(raw, code):
    assert code_of(validate_referral_number, raw) == code


def test_another_guarantor_type_checks_its_own_pattern_and_keeps_its_punctuation():
    pattern = r"^[A-Za-z0-9./-]{4,30}$"
    assert validate_other_card_number(" POL-2026/0001 ", pattern=pattern) == "POL-2026/0001"
    assert code_of(validate_other_card_number, "", pattern=pattern) == "card_required"
    assert code_of(validate_other_card_number, "a b", pattern=pattern) == "card_format"
