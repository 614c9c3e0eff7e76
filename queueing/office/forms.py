from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from facilities.selectors import is_multi_facility
from portal.lib.dates import DateInput

MAX_DAYS = 93  # one quarter per page keeps the grouping query small


class FiguresForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    facility = forms.ModelChoiceField(
        label=_("Facility"), queryset=Facility.objects.all(), required=False, empty_label=_("All facilities")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not is_multi_facility():  # one facility: nothing to choose
            del self.fields["facility"]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error(
                    "end", ValidationError(_("The end date is before the start date."), code="range_reversed")
                )
            elif (end - start) > dt.timedelta(days=MAX_DAYS):
                self.add_error(
                    "end", ValidationError(_("Choose at most %(n)d days.") % {"n": MAX_DAYS}, code="range_too_long")
                )
        return data
