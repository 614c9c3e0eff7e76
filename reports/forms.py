"""The report's choice of facility and period: a month, or one day of it."""

from __future__ import annotations

import calendar
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.lib.dates import DateInput


class MonthInput(forms.TextInput):
    """The browser's month picker; it sends YYYY-MM."""

    input_type = "month"


class ReportForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=None, required=False)
    month = forms.CharField(label=_("Month"), widget=MonthInput(), max_length=7)
    day = forms.DateField(
        label=_("One day (optional)"), required=False, widget=DateInput(), help_text=_("Leave empty for the month.")
    )

    def __init__(self, data, *, facilities: QuerySet, may_sum: bool) -> None:
        super().__init__(data)
        self.fields["facility"].queryset = facilities
        self.fields["facility"].empty_label = _("All facilities (sum)") if may_sum else None
        self.fields["facility"].required = not may_sum

    def clean_month(self) -> dt.date:
        try:
            first = dt.datetime.strptime(self.cleaned_data["month"].strip(), "%Y-%m").date()
        except ValueError:
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-11."), code="invalid_month") from None
        if not 2000 <= first.year <= 2100:
            raise ValidationError(_("Choose a month between 2000 and 2100."), code="month_out_of_range")
        return first

    def clean(self) -> dict:
        data = super().clean()
        first, day = data.get("month"), data.get("day")
        if first and day and (day.year, day.month) != (first.year, first.month):
            self.add_error("day", ValidationError(_("Choose a day of the chosen month."), code="day_outside_month"))
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The first and last visit date of the report (valid form only)."""
        day = self.cleaned_data.get("day")
        if day:
            return day, day
        first = self.cleaned_data["month"]
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
