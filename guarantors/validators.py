"""Formats of guarantor numbers: the one owner of their limits and error codes.

Every caller (the booking form, the eligibility check, the counter desk, the patient index)
uses these, so a number accepted in one place is accepted in all. Imports no model, so the
patient index may use it too.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CARD_NUMBER_LENGTH = 13  # BPJS Kesehatan (VClaim's noKartu)
REFERRAL_NUMBER_LENGTH = 19  # BPJS referral letter (VClaim's noRujukan)

# People type numbers from a card: spaces, dots and dashes between digit groups are not part of it.
_CARD_SEPARATORS = re.compile(r"[\s.\-]")


def normalize_card_number(value: str | None) -> str:
    return _CARD_SEPARATORS.sub("", value or "")


def normalize_referral_number(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def validate_card_number(value: str | None) -> str:
    """A BPJS Kesehatan card number, normalised: 13 ASCII digits (codes card_required, card_format)."""
    card = normalize_card_number(value)
    if not card:
        raise ValidationError(_("Enter the card number."), code="card_required")
    if not (card.isascii() and card.isdigit() and len(card) == CARD_NUMBER_LENGTH):
        raise ValidationError(_("A BPJS Kesehatan card number has 13 digits."), code="card_format")
    return card


def validate_referral_number(value: str | None) -> str:
    """A BPJS referral number, normalised: 19 ASCII letters and digits (codes referral_required, referral_format)."""
    number = normalize_referral_number(value)
    if not number:
        raise ValidationError(_("Enter the number on your referral letter."), code="referral_required")
    if not (number.isascii() and number.isalnum() and len(number) == REFERRAL_NUMBER_LENGTH):
        raise ValidationError(_("A referral number has 19 letters and digits."), code="referral_format")
    return number


def validate_other_card_number(value: str | None, *, pattern: str, label: str = "") -> str:
    """A card or policy number of another guarantor type, checked against that type's own pattern."""
    card = (value or "").strip()
    if not card:
        raise ValidationError(_("Enter the card number."), code="card_required")
    if not re.fullmatch(pattern, card):
        raise ValidationError(
            _("Please check the %(label)s: the format is not right."),
            code="card_format",
            params={"label": label or _("card number")},
        )
    return card
