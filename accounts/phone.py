"""Indonesian mobile numbers: accept the forms people type, store E.164 (+628...)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-.()]")
# Indonesian mobile numbers: 8 then a network digit 1-9, 9 to 12 digits after the country code.
_MOBILE = re.compile(r"^8[1-9][0-9]{7,10}$")  # [0-9], not \d: \d also matches Arabic-Indic digits


def normalize_mobile(raw: str) -> str:
    """Return +62... for any common way of writing an Indonesian mobile number, or raise."""
    value = _SEPARATORS.sub("", raw or "")
    if value.startswith("+"):
        if not value.startswith("+62"):
            raise ValidationError(_("Enter an Indonesian mobile number (+62 or 08...)."), code="not_indonesian")
        national = value[3:]
    elif value.startswith("62"):
        national = value[2:]
    elif value.startswith("0"):
        national = value[1:]
    else:
        national = value
    if not (national.isascii() and national.isdigit()):
        raise ValidationError(_("A phone number may contain only digits, spaces and dashes."), code="invalid")
    if national.startswith("0"):
        national = national[1:]  # "+62 0812..." is a common slip
    if not _MOBILE.match(national):
        raise ValidationError(_("Enter a valid Indonesian mobile number, e.g. 0812-3456-7890."), code="invalid_mobile")
    return "+62" + national


def format_mobile(e164: str) -> str:
    """+6281234567890 -> 0812-3456-7890 for display."""
    if not e164.startswith("+62"):
        return e164
    local = "0" + e164[3:]
    return "-".join([local[:4], local[4:8], local[8:]]).rstrip("-")
