"""The counter's calling page: which counter I sit at and which lines I serve; moving a ticket."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility
from visitday import selectors


class LoketChoiceForm(forms.Form):
    loket = forms.ModelChoiceField(
        label=_("My counter"),
        queryset=None,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Choose a counter."), "invalid_choice": _("Choose a counter.")},
    )
    lines = forms.ModelMultipleChoiceField(
        label=_("Lines I serve"),
        queryset=None,
        required=False,
        help_text=_("None ticked: the lines this counter usually serves."),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("Choose the lines again.")},
    )

    def __init__(self, facility: Facility, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loket"].queryset = selectors.facility_lokets(facility)
        self.fields["lines"].queryset = selectors.facility_lines(facility)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("loket") and not data.get("lines"):
            data["lines"] = list(data["loket"].lines.filter(active=True))
            if not data["lines"]:
                self.add_error("lines", forms.ValidationError(_("Choose at least one line."), code="required"))
        return data


class MoveTicketForm(forms.Form):
    line = forms.ModelChoiceField(
        label=_("Move to line"),
        queryset=None,
        empty_label=_("Move to line…"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Choose a line."), "invalid_choice": _("Choose a line.")},
    )

    def __init__(self, facility: Facility, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = selectors.facility_lines(facility)
