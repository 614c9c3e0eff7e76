"""Identity formats of the patient index: NIK, KK, MRN, birth date (BPJS numbers: guarantors.validators).

Each validator raises ValidationError with a `code=` and returns the cleaned value, so forms,
the admin and the CSV import share one definition of "valid".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Sex
from facilities.models import Facility, default_facility

# Province codes (kode wilayah Kemendagri) that Dukcapil uses as the first two digits of a
# NIK and a KK. 92-96 are the Papuan provinces created in 2022 (Papua Barat and its split).
PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

# People type numbers from a card: tolerate spaces, dots and dashes between digit groups.
_SEPARATORS = re.compile(r"[\s.\-]")
_SIXTEEN_DIGITS = re.compile(r"^[0-9]{16}$")
WOMEN_DAY_OFFSET = 40
MAX_AGE_YEARS = 130


class NikInfo(NamedTuple):
    """What a NIK says about its holder."""

    birth_date: dt.date
    sex: str  # Sex.MALE or Sex.FEMALE


def _strip(raw: str | None) -> str:
    return _SEPARATORS.sub("", raw or "")


def _today() -> dt.date:
    return timezone.localdate()


def resolve_two_digit_year(day: int, month: int, yy: int, today: dt.date | None = None) -> dt.date | None:
    """The date DD-MM-YY in the latest century that does not put it in the future; None if unreal."""
    today = today or _today()
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + yy, month, day)
        except ValueError:
            continue  # 29-02-00 is real in 2000 but not in 1900, so try each century
        if candidate <= today:
            return candidate
    return None


def _real_ddmmyy(day: int, month: int, yy: int) -> bool:
    """True when DD-MM-YY is a calendar date in 19YY or 20YY."""
    for year in (1900 + yy, 2000 + yy):
        try:
            dt.date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def _check_sixteen(value: str, prefix: str, labels: dict[str, str], women_offset: bool) -> str:
    """Shared NIK/KK structure: province(2) regency(2) district(2) DDMMYY(6) serial(4)."""
    value = _strip(value)
    if not _SIXTEEN_DIGITS.match(value):
        raise ValidationError(labels["format"], code=f"{prefix}_format")
    if value[:2] not in PROVINCES:
        raise ValidationError(labels["province"], code=f"{prefix}_province")
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if women_offset and day > WOMEN_DAY_OFFSET:
        day -= WOMEN_DAY_OFFSET
    if not _real_ddmmyy(day, month, yy):
        raise ValidationError(labels["date"], code=f"{prefix}_date")
    if value[12:] == "0000":
        raise ValidationError(labels["serial"], code=f"{prefix}_serial")
    return value


_NIK_MESSAGES = {
    "format": _("A NIK has exactly 16 digits."),
    "province": _(
        "The first two digits of this NIK are not an Indonesian province code. Check the number on the ID card."
    ),
    "date": _(
        "Digits 7 to 12 of a NIK are a date of birth; this one is not a real date. Check the number on the ID card."
    ),
    "serial": _("The last four digits of a NIK cannot be 0000. Check the number on the ID card."),
}
_KK_MESSAGES = {
    "format": _("A family card (KK) number has exactly 16 digits."),
    "province": _("The first two digits of this KK number are not an Indonesian province code. Check the family card."),
    "date": _("Digits 7 to 12 of a KK number are a date; this one is not a real date. Check the family card."),
    "serial": _("The last four digits of a KK number cannot be 0000. Check the family card."),
}


def validate_nik(raw: str | None) -> str:
    """Return the 16-digit NIK or raise (codes nik_format, nik_province, nik_date, nik_serial)."""
    return _check_sixteen(raw or "", "nik", _NIK_MESSAGES, women_offset=True)


def validate_kk(raw: str | None) -> str:
    """Return the 16-digit KK number or raise (codes kk_format, kk_province, kk_date, kk_serial)."""
    return _check_sixteen(raw or "", "kk", _KK_MESSAGES, women_offset=False)


def nik_info(nik: str, today: dt.date | None = None) -> NikInfo | None:
    """Birth date and sex encoded in a valid NIK (women: day + 40); None if it has none."""
    if not _SIXTEEN_DIGITS.match(nik or ""):
        return None
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = Sex.MALE
    if day > WOMEN_DAY_OFFSET:
        day, sex = day - WOMEN_DAY_OFFSET, Sex.FEMALE
    birth = resolve_two_digit_year(day, month, yy, today)
    return NikInfo(birth, sex) if birth else None


def nik_mismatch(nik: str, birth_date: dt.date | None, sex: str | None, today: dt.date | None = None) -> bool:
    """True when the NIK's embedded date or sex disagrees with what was entered.

    The year is compared on its last two digits, so a 101-year-old's NIK is not flagged
    just because its two-digit year could also be read as last year.
    """
    info = nik_info(nik, today)
    if info is None or birth_date is None or not sex:
        return False
    same_date = (info.birth_date.day, info.birth_date.month, info.birth_date.year % 100) == (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    )
    return not same_date or info.sex != sex


def encode_nik(*, region: str, birth_date: dt.date, sex: str, serial: str) -> str:
    """Build a NIK from its parts (demo data, tests and the import benchmark)."""
    day = birth_date.day + (WOMEN_DAY_OFFSET if sex == Sex.FEMALE else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial}"


def mrn_digits(facility: Facility | None = None) -> int:
    """The width of `facility`'s medical record numbers (the default facility's when none is named)."""
    return (facility or default_facility()).mrn_digits


def normalize_mrn(raw: str | None, facility: Facility | None = None) -> str:
    """'12-34-56' -> '00123456': digits only, zero-padded to the facility's width (codes mrn_format, mrn_too_long)."""
    value = _strip(raw)
    # ASCII digits only, and no int(): "²" passes isdigit() but not int(), and int() refuses
    # strings over 4,300 digits; either was a 500 (a pasted value, an admin search).
    if not (value.isascii() and value.isdigit()) or not value.strip("0"):
        raise ValidationError(
            _("A medical record number contains only digits (dashes and spaces are allowed)."), code="mrn_format"
        )
    width = mrn_digits(facility)
    value = value.lstrip("0").rjust(width, "0")
    if len(value) > width:
        raise ValidationError(
            _("A medical record number has at most %(n)d digits.") % {"n": width}, code="mrn_too_long"
        )
    return value


def format_mrn(mrn: str | None) -> str:
    """00123456 -> 00-12-34-56, as printed on the hospital's patient card."""
    if not mrn:
        return ""
    head = len(mrn) % 2
    groups = ([mrn[:head]] if head else []) + [mrn[i : i + 2] for i in range(head, len(mrn), 2)]
    return "-".join(groups)


def validate_birth_date(value: dt.date, today: dt.date | None = None) -> dt.date:
    """Not in the future, not more than 130 years ago (codes birth_date_future, birth_date_too_old)."""
    today = today or _today()
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="birth_date_future")
    try:
        limit = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < limit:
        raise ValidationError(
            _("The date of birth cannot be more than %(n)d years ago.") % {"n": MAX_AGE_YEARS},
            code="birth_date_too_old",
        )
    return value


def age_on(birth_date: dt.date, today: dt.date | None = None) -> int:
    """Age in whole years."""
    today = today or _today()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
