"""The one place dates are written for people (short on pages, long on slips and in e-mails) and read
from them (the formats people type, the date picker).

Django's own Indonesian formats abbreviate months unevenly ("Nov." beside "Agu"), so the names
are ours. Slips are always Indonesian (`language="id"`); pages follow the active language.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone, translation

# Dates people type: ISO (what a date picker sends) and the day-first forms used in Indonesia.
INPUT_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")

_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_SHORT_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _language(language: str | None) -> str:
    code = (language or translation.get_language() or "id")[:2]
    return code if code in _MONTHS else "id"


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def short_date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """'1 Des 2026' (pages)."""
    if value is None:
        return ""
    day, lang = _as_date(value), _language(language)
    return f"{day.day} {_SHORT_MONTHS[lang][day.month - 1]} {day.year}"


def long_date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """'Selasa, 1 Desember 2026' (slips, e-mails)."""
    if value is None:
        return ""
    day, lang = _as_date(value), _language(language)
    return f"{_DAYS[lang][day.weekday()]}, {day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def month_year(value: dt.date, language: str | None = None) -> str:
    """'Desember 2026' (report titles)."""
    return f"{_MONTHS[_language(language)][value.month - 1]} {value.year}"


def short_datetime(value: dt.datetime | None, language: str | None = None) -> str:
    """'1 Des 2026 09:30' in local time (history rows, upload times)."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{short_date(local.date(), language)} {local:%H:%M}"


def parse_date(text: str) -> dt.date | None:
    """A date typed in one of INPUT_FORMATS, or None."""
    for fmt in INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


class DateInput(forms.DateInput):
    """The browser's date picker: it shows the date in the phone's language and sends it as ISO."""

    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
