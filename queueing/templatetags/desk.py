"""Small filters for the counter desk templates."""

from __future__ import annotations

from django import template

from families.validators import format_mrn

register = template.Library()


@register.filter
def mrn(value: str | None) -> str:
    """00123456 -> 00-12-34-56, as on the hospital's patient card."""
    return format_mrn(value)
