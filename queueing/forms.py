"""Booking wizard forms: input shape and per-step checks; the service re-checks the rules."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from families.models import Patient
from guarantors.models import GuarantorType
from queueing import selectors, services
from queueing.models import Clinic


def long_date(date: dt.date) -> str:
    """'Senin, 23 November 2026' in Indonesian."""
    return date_format(date, "l, j F Y")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Patient) -> str:
        return obj.full_name


class MemberForm(forms.Form):
    patient = MemberChoiceField(label=_("Who is the appointment for?"), queryset=Patient.objects.none(),
                                widget=forms.RadioSelect, empty_label=None,
                                error_messages={"invalid_choice": _("Choose one of your family members.")})

    def __init__(self, account, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = selectors.members_for(account)

    def clean_patient(self) -> Patient:
        patient = self.cleaned_data["patient"]
        services.check_member(patient)
        return patient


class DateChoiceField(forms.ChoiceField):
    """Only open days are offered; anything else is refused with one code."""

    def validate(self, value: str) -> None:
        if value in self.empty_values:
            raise ValidationError(self.error_messages["required"], code="required")
        if not self.valid_value(value):
            raise ValidationError(_("Bookings for this date are not open. Choose another date."),
                                  code="date_unavailable")

    def to_python(self, value) -> str:
        return "" if value in self.empty_values else str(value)


class DateForm(forms.Form):
    date = DateChoiceField(label=_("Exam date"))

    def __init__(self, dates: list[dt.date], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].choices = [("", _("Choose a date"))] + [(d.isoformat(), long_date(d)) for d in dates]

    def clean_date(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["date"])


def _digits(value: str) -> str:
    # Card numbers are copied from cards with spaces or dashes; keep letters for referral numbers.
    return re.sub(r"[\s\-.]", "", value or "").upper()


class GuarantorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: GuarantorType) -> str:
        return obj.name


class GuarantorForm(forms.Form):
    guarantor = GuarantorChoiceField(label=_("Guarantor (payment)"), queryset=GuarantorType.objects.none(),
                                     widget=forms.RadioSelect, empty_label=None)
    card_number = forms.CharField(label=_("Card number"), max_length=40, required=False,
                                  help_text=_("For BPJS Kesehatan: the 13 digits on the card."))
    referral_number = forms.CharField(label=_("Referral number"), max_length=40, required=False,
                                      help_text=_("From the referral letter of your health centre or clinic, if "
                                                  "your guarantor needs one."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guarantor"].queryset = selectors.bookable_guarantors()

    def clean_card_number(self) -> str:
        return _digits(self.cleaned_data["card_number"])

    def clean_referral_number(self) -> str:
        return _digits(self.cleaned_data["referral_number"])

    def clean(self) -> dict:
        data = super().clean()
        guarantor = data.get("guarantor")
        if guarantor is None:
            return data
        if not (guarantor.needs_card_number or services.card_pattern(guarantor)):
            data["card_number"] = ""  # Umum: a typed number is not kept
        if not guarantor.needs_referral:
            data["referral_number"] = ""
        try:
            services.check_guarantor_fields(guarantor, data.get("card_number", ""), data.get("referral_number", ""))
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


class ClinicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Clinic) -> str:
        return obj.name


class ClinicForm(forms.Form):
    clinic = ClinicChoiceField(label=_("Clinic"), queryset=Clinic.objects.none(), widget=forms.RadioSelect,
                               empty_label=None,
                               error_messages={"invalid_choice": _("This clinic has no practice on this date.")})

    def __init__(self, date: dt.date, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = selectors.clinics_on(date)


def offer_label(offer: selectors.Offer) -> str:
    schedule = offer.schedule
    hours = f"{schedule.start_time:%H:%M}–{schedule.end_time:%H:%M}"
    places = (_("full") if offer.full else
              _("%(n)s places left") % {"n": offer.places_left})
    return f"{schedule.doctor.name} · {hours} · {places}"


class DoctorForm(forms.Form):
    schedule = forms.ChoiceField(label=_("Doctor"), widget=forms.RadioSelect)

    def __init__(self, offers: list[selectors.Offer], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offers = {str(o.schedule.pk): o for o in offers}
        self.fields["schedule"].choices = [(key, offer_label(o)) for key, o in self.offers.items()]
        self.fields["schedule"].error_messages["invalid_choice"] = _("This doctor has no practice on this date.")

    def clean_schedule(self) -> selectors.Offer:
        offer = self.offers[self.cleaned_data["schedule"]]
        if offer.full:
            raise ValidationError(_("No places are left with this doctor on this date. Choose another doctor or "
                                    "date."), code="full")
        return offer


class ConfirmForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)


class RejectForm(forms.Form):
    """The admin's intermediate page: a clerk must say why (SOP 002 step 4)."""

    reason = forms.CharField(label=_("Reason for rejection"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The applicant sees this reason in 'My bookings'."))
