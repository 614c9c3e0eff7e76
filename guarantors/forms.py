"""Guarantor fields for the booking form: format checks, then the BPJS eligibility check.

Use it as the base of the booking form and say who, where and when the check is for:

    class BookingForm(GuarantorFieldsForm):
        patient = forms.ModelChoiceField(...)
        clinic = forms.ModelChoiceField(...)
        exam_date = forms.DateField()

        def guarantor_context(self) -> GuarantorContext | None:
            data = self.cleaned_data
            if not all(data.get(k) for k in ("patient", "clinic", "exam_date")):
                return None  # their own errors show first; BPJS is not asked
            return GuarantorContext(full_name=data["patient"].full_name, birth_date=data["patient"].birth_date,
                                    clinic_bpjs_code=data["clinic"].bpjs_code, exam_date=data["exam_date"])

After `is_valid()`, `form.eligibility` is the `EligibilityResult` (None when BPJS was not asked);
when its status is "unverified" the form is valid: book, store `form.eligibility.as_json()`
and show `form.eligibility.message`. Rejections are errors under card_number/referral_number.
Without a subclass, pass the context to the constructor: `GuarantorFieldsForm(data, context=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guarantors import services
from guarantors.models import GuarantorType


@dataclass(frozen=True)
class GuarantorContext:
    full_name: str
    birth_date: date
    clinic_bpjs_code: str
    exam_date: date


class GuarantorNumbersForm(forms.Form):
    """The card and referral number fields and their checks, for any form that picks a guarantor type.

    `clean_numbers(gtype)` normalises them for that type and puts each error under its field.
    The booking form below and the counter desk's rows are built on it.
    """

    card_number = forms.CharField(
        label=_("Card number"),
        required=False,
        max_length=40,
        help_text=_("BPJS Kesehatan: the 13 digits on the card. Private insurance: the policy or member number."),
    )
    referral_number = forms.CharField(
        label=_("Referral number"),
        required=False,
        max_length=40,
        help_text=_("BPJS Kesehatan: the number on the referral letter from your primary care clinic or hospital."),
    )

    def clean_numbers(self, gtype: GuarantorType) -> bool:
        """Whether both numbers are right for `gtype` (then cleaned_data holds them normalised)."""
        try:
            card, referral = services.validate_guarantor_numbers(
                gtype,
                card_number=self.cleaned_data.get("card_number", ""),
                referral_number=self.cleaned_data.get("referral_number", ""),
            )
        except ValidationError as exc:
            for field_name, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field_name, error)
            return False
        self.cleaned_data.update(card_number=card, referral_number=referral)
        return True


class GuarantorFieldsForm(GuarantorNumbersForm):
    guarantor_type = forms.ModelChoiceField(
        label=_("Guarantor"),
        queryset=GuarantorType.objects.none(),
        to_field_name="code",
        empty_label=_("Choose how the visit is paid"),
        error_messages={"required": _("Choose a guarantor."), "invalid_choice": _("Choose a guarantor from the list.")},
    )

    field_order = ["guarantor_type", "card_number", "referral_number"]

    def __init__(self, *args: Any, context: GuarantorContext | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guarantor_type"].queryset = services.active_guarantor_types()
        self._context = context
        self.eligibility: services.EligibilityResult | None = None

    def guarantor_context(self) -> GuarantorContext | None:
        """Override to build the context from the booking form's own cleaned fields."""
        return self._context

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_guarantor()
        return cleaned

    def clean_guarantor(self) -> None:
        gtype: GuarantorType | None = self.cleaned_data.get("guarantor_type")
        if gtype is None:
            return
        if self.clean_numbers(gtype) and gtype.is_bpjs_kesehatan:
            self._check_bpjs()

    def _check_bpjs(self) -> None:
        context = self.guarantor_context()
        if context is None:
            return
        self.eligibility = services.check_bpjs_eligibility(
            card_number=self.cleaned_data["card_number"],
            referral_number=self.cleaned_data["referral_number"],
            full_name=context.full_name,
            birth_date=context.birth_date,
            clinic_bpjs_code=context.clinic_bpjs_code,
            exam_date=context.exam_date,
        )
        for field_name, errors in self.eligibility.field_errors.items():
            for message, code in errors:
                self.add_error(field_name, ValidationError(message, code=code))
