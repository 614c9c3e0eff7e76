"""Cashier forms: input shape and per-field checks; the rules that need the database are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cashier.models import NON_CASH_METHODS, PaymentMethod
from portal.lib.dates import DateInput

PAYMENT_METHODS = [(value, label) for value, label in PaymentMethod.choices if value != PaymentMethod.WAIVED]


class LookupForm(forms.Form):
    """A scanner types the booking code and Enter; a person may type a name instead."""

    q = forms.CharField(
        label=_("Booking code or patient name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "inputmode": "text"}),
    )


class _QuotedForm(forms.Form):
    """The quote the cashier saw: whether ID was missing, and the amount shown."""

    no_identity = forms.BooleanField(required=False, widget=forms.HiddenInput)
    expected_amount = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class PayForm(_QuotedForm):
    method = forms.ChoiceField(label=_("Method"), choices=PAYMENT_METHODS, initial=PaymentMethod.CASH)
    reference = forms.CharField(
        label=_("Reference number (QRIS, EDC or transfer)"),
        max_length=64,
        required=False,
        error_messages={"max_length": _("A reference number has at most 64 characters.")},
    )

    def clean(self):
        data = super().clean()
        reference = (data.get("reference") or "").strip()
        if data.get("method") in NON_CASH_METHODS and not reference:
            self.add_error(
                "reference",
                forms.ValidationError(
                    _("Enter the reference number printed by the QRIS, EDC or bank."), code="reference_required"
                ),
            )
        data["reference"] = reference
        return data


class WaiveForm(_QuotedForm):
    reason = forms.CharField(
        label=_("Reason for waiving the fee"),
        max_length=300,
        error_messages={"required": _("Give the reason for waiving the fee.")},
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for voiding.")},
    )


class RecapForm(forms.Form):
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=None, required=False, empty_label=None)
    mine = forms.BooleanField(label=_("Only my payments"), required=False)

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities
        if facilities.count() < 2:
            self.fields["facility"].widget = forms.HiddenInput()
