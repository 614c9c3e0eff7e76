"""Template filters over portal.lib.dates: `{{ day|short_date }}`, `{{ day|long_date }}`, `{{ at|short_datetime }}`."""

from __future__ import annotations

from django import template

from portal.lib import dates

register = template.Library()
register.filter("short_date", dates.short_date)
register.filter("long_date", dates.long_date)
register.filter("short_datetime", dates.short_datetime)
