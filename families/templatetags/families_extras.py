"""Display helpers for patient data in templates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import ngettext

from families.validators import age_on, format_mrn

register = template.Library()


@register.filter
def mrn(value: str | None) -> str:
    """00123456 -> 00-12-34-56."""
    return format_mrn(value)


@register.filter
def mrn_at(patient, facility_id: int | None) -> str | None:
    """{{ patient|mrn_at:facility.pk|mrn }}: the patient's number at that facility (None: none there)."""
    return patient.mrn_at(facility_id) if patient is not None else None


@register.filter
def age(birth_date: dt.date | None) -> str:
    """'34 years', or months for a baby."""
    if not birth_date:
        return ""
    today = timezone.localdate()
    years = age_on(birth_date, today)
    if years >= 1:
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month - (today.day < birth_date.day)
    return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
